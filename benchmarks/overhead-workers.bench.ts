// What watching worker threads costs (issue 16), each as a ratio to the
// same workload with no loopwatch anywhere, in the same round (A B, B A, ...):
//   1. 1e6 awaited async calls in a worker thread that calls watchLoop()
//      (the main thread does not): the worker's own CPU time.
//   2. HTTP keep-alive hello world served from a worker thread, both threads
//      calling watchLoop() (the contender preload, which workers inherit):
//      requests/s (lib/http.ts: one server per contender, 1 s slices in turn).
//   3. 1e6 awaited async calls on the main thread beside 4 workers running
//      light timers, the main thread and each worker calling watchLoop():
//      the main thread's CPU time.
// One watchdog thread serves every watched thread of a process.
// `--measures 3` runs some of them only, saved as overhead-workers-3.
import { loadavg } from 'node:os'
import { fmtSummary, log, median, parseArgs, ratios, roundOrder, saveResult, spawnWithContender, type Contender, type Rounds } from './lib/common.js'
import { runHttpBench } from './lib/http.js'

const args = parseArgs(process.argv.slice(2), { rounds: 9, seconds: 3 })
const quick = process.argv.includes('--quick')
const iterations = quick ? 5 : 15
const kCalls = 1e6
const measuresArg = process.argv.indexOf('--measures')
const measures = measuresArg === -1 ? ['1', '2', '3'] : (process.argv[measuresArg + 1] ?? '').split(',')
// `control`: a second unwatched copy (an A/A comparison: the run's noise floor).
const picked: Contender[] = ['none', 'control', 'loopwatch']
const load = () => loadavg().map((l) => Math.round(l * 100) / 100)
const loadAtStart = load()
log(`load average ${loadAtStart.join(' ')}`)

interface AwaitsRun { run: number; threadCpuMs: number; processCpuMs: number; wallMs: number }
const keys = ['threadCpuPerCallNs', 'processCpuPerCallNs', 'wallPerCallNs'] as const
type Key = typeof keys[number]

/**
 * Interleaved rounds of async-calls-workers.mjs in `mode`: each round starts
 * a fresh process per contender (the fixture calls watchLoop() itself under
 * `loopwatch`; the preload is `none` for both), then has them take turns, one
 * run of 1e6 calls at a time (A B, B A, ...), `iterations` runs each; a
 * round's value is the median of its runs.
 */
async function awaits(mode: 'in-worker' | 'beside', title: string) {
  const rounds: Record<Key, Rounds> = { threadCpuPerCallNs: [], processCpuPerCallNs: [], wallPerCallNs: [] }
  log(`${title}: ${args.rounds} rounds; each round a fresh process per contender, ${iterations} runs of 1e6 calls each, taking turns`)
  for (let r = 0; r < args.rounds; r++) {
    const children = new Map(picked.map((c) => [c, spawnWithContender('none', 'async-calls-workers.mjs', [mode, c === 'loopwatch' ? 'watch' : 'none', String(kCalls)], { ipc: true, timeoutMs: 300_000 })]))
    try {
      await Promise.all([...children.values()].map((child) => child.next((v) => 'ready' in v)))
      const runs = new Map<Contender, AwaitsRun[]>(picked.map((c) => [c, []]))
      for (let i = 0; i < iterations; i++) {
        for (const contender of roundOrder(picked, r + i)) {
          const child = children.get(contender)
          child?.process.send({ run: i })
          runs.get(contender)?.push(await (child?.next<AwaitsRun>((v) => v.run === i) ?? Promise.reject(new Error(contender))))
        }
      }
      const perCallNs = (contender: Contender, key: keyof Omit<AwaitsRun, 'run'>) => (median(runs.get(contender)?.map((run) => run[key]) ?? []) * 1e6) / kCalls
      const round: Record<Key, Partial<Record<Contender, number>>> = { threadCpuPerCallNs: {}, processCpuPerCallNs: {}, wallPerCallNs: {} }
      for (const c of picked) {
        round.threadCpuPerCallNs[c] = perCallNs(c, 'threadCpuMs')
        round.processCpuPerCallNs[c] = perCallNs(c, 'processCpuMs')
        round.wallPerCallNs[c] = perCallNs(c, 'wallMs')
      }
      for (const key of keys) rounds[key].push(round[key])
      log(`  round ${r + 1}: ${picked.map((c) => `${c} ${(round.threadCpuPerCallNs[c] ?? 0).toPrecision(4)} ns thread CPU/call, ${(round.processCpuPerCallNs[c] ?? 0).toPrecision(4)} process`).join(', ')}`)
    } finally {
      for (const child of children.values()) {
        child.process.kill('SIGKILL')
        await child.done
      }
    }
  }
  const summary = { threadCpu: ratios(rounds.threadCpuPerCallNs), processCpu: ratios(rounds.processCpuPerCallNs), wall: ratios(rounds.wallPerCallNs) }
  log(`${title}, watched / not: thread CPU ${fmtSummary(summary.threadCpu.loopwatch?.ratio, 3)}, process CPU ${fmtSummary(summary.processCpu.loopwatch?.ratio, 3)}, wall ${fmtSummary(summary.wall.loopwatch?.ratio, 3)}; A/A thread CPU ${fmtSummary(summary.threadCpu.control?.ratio, 3)}`)
  return { title, mode, calls: kCalls, iterations, rounds, summary }
}

// 1. Awaits in a watched worker.
const inWorker = measures.includes('1') ? await awaits('in-worker', '1e6 awaited async calls in a worker thread') : undefined

// 2. HTTP from a worker.
const http = !measures.includes('2') ? undefined : await runHttpBench('overhead-workers', 'hello', 'HTTP keep-alive hello world from a worker thread', args, { only: picked, save: false, script: 'http-server-worker.mjs' })
const httpSummary = http && { rps: ratios(http.rounds), cpuPerRequest: ratios(http.cpuPerRequest), elu: ratios(http.elus) }
if (httpSummary) log(`HTTP from a worker, watched / not: requests/s ${fmtSummary(httpSummary.rps.loopwatch?.ratio, 3)}, CPU per request ${fmtSummary(httpSummary.cpuPerRequest.loopwatch?.ratio, 3)}; A/A requests/s ${fmtSummary(httpSummary.rps.control?.ratio, 3)}`)

// 3. Awaits on the main thread beside 4 watched workers.
const beside = !measures.includes('3') ? undefined : await awaits('beside', '1e6 awaited async calls on the main thread beside 4 worker threads')

const loadAtEnd = load()
log(`load average at the end ${loadAtEnd.join(' ')}`)
log(`watched / not (target <= 1.01 for cost, >= 0.99 for throughput), and the A/A control:
  1. worker's CPU time, 1e6 awaits in a watched worker   ${fmtSummary(inWorker?.summary.threadCpu.loopwatch?.ratio, 3)}; A/A ${fmtSummary(inWorker?.summary.threadCpu.control?.ratio, 3)}
  2. requests/s, HTTP server in a watched worker         ${fmtSummary(httpSummary?.rps.loopwatch?.ratio, 3)}; A/A ${fmtSummary(httpSummary?.rps.control?.ratio, 3)}
  3. main thread's CPU time, 1e6 awaits beside 4 workers ${fmtSummary(beside?.summary.threadCpu.loopwatch?.ratio, 3)}; A/A ${fmtSummary(beside?.summary.threadCpu.control?.ratio, 3)}`)
saveResult(measures.length === 3 ? 'overhead-workers' : `overhead-workers-${measures.join('-')}`, {
  title: 'Watching worker threads (issue 16)',
  loadAverage: loadAtStart,
  loadAverageAtEnd: loadAtEnd,
  rounds: args.rounds,
  inWorker,
  http: http && { loadGenerator: http.loadGenerator, slices: http.slices, sliceSeconds: http.sliceSeconds, summary: httpSummary, raw: { rps: http.rounds, cpuPerRequest: http.cpuPerRequest, elu: http.elus } },
  beside,
})
