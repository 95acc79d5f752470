// HTTP keep-alive load on 127.0.0.1 against a server child under each
// contender. Each round starts one server per contender, then drives them in
// turn, one-second slices (A B C D E A B C D E ...), so that the load of a
// shared machine falls on all of them alike. wrk (C, one thread) when
// installed, so that the server and not the load generator is the
// bottleneck; else autocannon.
import { execFile, spawnSync } from 'node:child_process'
import { promisify } from 'node:util'
import autocannon from 'autocannon'
import { contenderLabels, fmt, fmtSummary, log, ratios, roundOrder, saveResult, selected, spawnWithContender, type BenchArgs, type Child, type Contender, type Rounds } from './common.js'

const execFileAsync = promisify(execFile)
const kConnections = 10
const kSliceSeconds = 1

export const loadGenerator = spawnSync('wrk', ['--version']).error === undefined ? 'wrk' : 'autocannon'

/** Requests completed in `seconds` of keep-alive load. */
async function load(port: number, seconds: number): Promise<number> {
  const url = `http://127.0.0.1:${port}/`
  if (loadGenerator === 'wrk') {
    const { stdout } = await execFileAsync('wrk', ['-t1', `-c${kConnections}`, `-d${seconds}s`, url])
    const total = /(\d+) requests in/.exec(stdout)?.[1]
    if (total === undefined) throw new Error(`could not read wrk's output:\n${stdout}`)
    return Number(total)
  }
  const result = await autocannon({ url, connections: kConnections, duration: seconds })
  return result.requests.total
}

async function startServer(contender: Contender, script: string, handler: string, timeoutS: number): Promise<{ child: Child; port: number }> {
  const child = spawnWithContender(contender, script, [handler], { ipc: true, timeoutMs: timeoutS * 1000 })
  const { port } = await child.next<{ port: number }>((v) => 'port' in v)
  return { child, port }
}

/** What {@link runHttpBench} measured (and saved). */
export interface HttpBenchResult {
  title: string
  loadGenerator: string
  slices: number
  sliceSeconds: number
  /** Requests/s, CPU µs per request, event-loop utilization: one value per contender per round. */
  rounds: Rounds
  cpuPerRequest: Rounds
  elus: Rounds
}

/**
 * Runs the interleaved rounds for one handler and saves `name`'s result;
 * `only`: these contenders instead of every watcher and control; `save:
 * false` returns the result without saving it; `script`: the server
 * fixture (the same IPC protocol as http-server.mjs).
 */
export async function runHttpBench(name: string, handler: string, title: string, args: BenchArgs,
  { only, save = true, script = 'http-server.mjs' }: { only?: Contender[]; save?: boolean; script?: string } = {}): Promise<HttpBenchResult> {
  const picked = only ?? selected(args, true)
  const rounds: Rounds = []
  const elus: Rounds = []
  const cpuPerRequest: Rounds = []
  const slices = Math.max(1, Math.round(args.seconds / kSliceSeconds))
  log(`${title}: ${args.rounds} rounds; each round ${slices} x ${kSliceSeconds} s slices per contender, interleaved; ${loadGenerator} -c${kConnections} on 127.0.0.1`)
  for (let r = 0; r < args.rounds; r++) {
    const order = roundOrder(picked, r)
    const timeoutS = 60 + slices * order.length * (kSliceSeconds + 1) * 2
    const servers = new Map<Contender, { child: Child; port: number }>()
    try {
      for (const contender of order) servers.set(contender, await startServer(contender, script, handler, timeoutS))
      // Warm-up: JIT, connections, each contender's worker thread.
      for (const contender of order) await load(servers.get(contender)?.port ?? 0, 1)
      const requests: Partial<Record<Contender, number>> = {}
      for (let s = 0; s < slices; s++) {
        for (const contender of order) {
          const server = servers.get(contender)
          if (server === undefined) continue
          server.child.process.send('start')
          const n = await load(server.port, kSliceSeconds)
          server.child.process.send('stop')
          requests[contender] = (requests[contender] ?? 0) + n
        }
      }
      const round: Partial<Record<Contender, number>> = {}
      const elu: Partial<Record<Contender, number>> = {}
      const cpu: Partial<Record<Contender, number>> = {}
      for (const [contender, server] of servers) {
        server.child.process.kill('SIGTERM')
        const end = await server.child.next<{ elu: number; cpuMs: number }>((v) => 'elu' in v)
        elu[contender] = end.elu
        cpu[contender] = (end.cpuMs * 1000) / (requests[contender] ?? 1)
        round[contender] = (requests[contender] ?? 0) / (slices * kSliceSeconds)
      }
      log(`  round ${r + 1}: ${order.map((c) => `${c} ${Math.round(round[c] ?? 0)} rps, ${fmt(cpu[c] ?? Number.NaN, 1)} us CPU/req (ELU ${fmt(elu[c] ?? Number.NaN)})`).join(', ')}`)
      rounds.push(round)
      elus.push(elu)
      cpuPerRequest.push(cpu)
    } finally {
      for (const server of servers.values()) {
        server.child.process.kill('SIGKILL')
        await server.child.done
      }
    }
  }
  const summary = ratios(rounds)
  const eluSummary = ratios(elus)
  const cpuSummary = ratios(cpuPerRequest)
  for (const c of picked) log(`${contenderLabels[c]}: rps ratio ${fmtSummary(summary[c]?.ratio, 3)}, rps ${fmtSummary(summary[c]?.value, 0)}, CPU/request ratio ${fmtSummary(cpuSummary[c]?.ratio, 3)}, ELU ${fmtSummary(eluSummary[c]?.value)}`)
  if (save) saveResult(name, { title, unit: 'requests/s', higherIsBetter: true, loadGenerator, connections: kConnections, slices, sliceSeconds: kSliceSeconds, rounds, elus, cpuPerRequest, summary, eluSummary, cpuSummary })
  return { title, loadGenerator, slices, sliceSeconds: kSliceSeconds, rounds, cpuPerRequest, elus }
}
