// What saturation sampling costs while it runs: a server kept at 100% CPU by
// 8 keep-alive connections, each request parsing a 60 KB JSON document, with
// saturation sampling (window 2 s) against the same server with it off.
// Requests/s are measured over the 2 s window the profiler runs in (seconds
// 2-4 of the load), rounds interleaved. Usage: npm run build && node benchmarks/saturation-cost.mjs
import { fork } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'

const server = fileURLToPath(new URL('./fixtures/saturation-server.mjs', import.meta.url))
const rounds = Number(process.argv[2] ?? 5)
const results = { off: [], sampling: [] }
for (let round = 0; round < rounds; round++) {
  for (const mode of round % 2 ? ['sampling', 'off'] : ['off', 'sampling']) {
    const child = fork(server, [mode])
    const [port] = await once(child, 'message')
    const url = `http://127.0.0.1:${port}`
    await autocannon({ url, connections: 8, duration: 2 })
    const measured = await autocannon({ url, connections: 8, duration: 2 })
    // The report comes once the profiled window has closed: proof that it ran.
    await new Promise((resolve) => setTimeout(resolve, 1500))
    child.send('report')
    const [{ reports }] = await once(child, 'message')
    results[mode].push({ rps: measured.requests.average, reports })
    child.kill()
  }
}
const ratios = results.sampling.map((s, i) => s.rps / (results.off[i]?.rps ?? NaN)).sort((a, b) => a - b)
const median = ratios[Math.floor(ratios.length / 2)]
process.stdout.write(`${JSON.stringify({ node: process.version, rounds, results, ratios, median })}\n`)
