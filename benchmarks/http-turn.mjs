// Item 10 of issue 14 on a real HTTP turn: an express server doing ~5 ms of
// synchronous work per request (test/fixtures/http-turn.mjs), loaded by
// autocannon (50 connections, 4 s) on 127.0.0.1, loopwatch always-on at
// threshold 50 ms. Counts the block events: said "N callbacks in one loop
// turn" (kind 'turn'), blamed on one request's handler (not a turn, an app
// frame on top), or without a stack.
//   node benchmarks/http-turn.mjs [rounds] [fixture ...]
// Several fixtures (copies of http-turn.mjs in checkouts of other commits)
// run interleaved, their order rotated each round.
import { spawnSync } from 'node:child_process'
import { loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'

const [roundsArg = '4', ...fixtures] = process.argv.slice(2)
if (fixtures.length === 0) fixtures.push(fileURLToPath(new URL('../test/fixtures/http-turn.mjs', import.meta.url)))
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ')
process.stderr.write(`load average ${load()}\n`)
const totals = new Map(fixtures.map((f) => [f, []]))
for (let round = 0; round < Number(roundsArg); round++) {
  const order = fixtures.map((_, i) => fixtures[(i + round) % fixtures.length])
  for (const fixture of order) {
    const run = spawnSync(process.execPath, [fixture, '4', '50'], { encoding: 'utf8', timeout: 60_000 })
    const lines = run.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l))
    const events = lines.filter((l) => 'duration' in l)
    const tail = lines.find((l) => 'load' in l) ?? { load: {} }
    const appTop = (e) => e.stack.find((f) => !f.internal && f.package === undefined)
    const row = {
      requests: tail.load.requests,
      events: events.length,
      turn: events.filter((e) => e.kind === 'turn').length,
      blamedOnOne: events.filter((e) => e.kind !== 'turn' && appTop(e) !== undefined).length,
      noStack: events.filter((e) => e.stack.length === 0).length,
      starved: events.filter((e) => e.cause === 'starved').length,
      durations: events.map((e) => Math.round(e.duration)),
      firstLines: (tail.texts ?? []).map((t) => t.split('\n')[0].replace(/ \(threshold.*$/, '')),
    }
    totals.get(fixture).push(row)
    process.stdout.write(`${JSON.stringify({ fixture, round, ...row })}\n`)
  }
}
for (const [fixture, rows] of totals) {
  const sum = (k) => rows.reduce((n, r) => n + r[k], 0)
  process.stderr.write(`${fixture}: ${rows.length} runs, ${sum('requests')} requests, ${sum('events')} events: ${sum('turn')} 'turn', ${sum('blamedOnOne')} blamed on one handler, ${sum('noStack')} without a stack (${sum('starved')} starved)\n`)
}
process.stderr.write(`load average ${load()}\n`)
