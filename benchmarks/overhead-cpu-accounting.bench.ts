// What the CPU accounting (BlockEvent.cpu: schedstat reads on the main
// thread, the other threads' run-queue wait read by the watchdog) costs:
// loopwatch always-on with it (the default) against the same build with
// `cpu: false`, interleaved in one run with no watcher and two A/A controls
// (a second no-watcher process, a second loopwatch with accounting).
//   1. HTTP keep-alive hello world: requests/s and CPU per request
//      (lib/http.ts: one server per contender, 1 s slices in turn).
//   2. An idle process: CPU ms per s (all contenders of a round at once).
//   3. The watchdog's read of every other thread's schedstat, done twice per
//      sampled stall, in this process with 0, 30 and 100 idle worker threads,
//      with the cap (kMaxThreads) and without.
import { loadavg } from 'node:os'
import { Worker } from 'node:worker_threads'
import { kMaxThreads, OtherThreadsWait } from '../src/watchdog/threads-wait.js'
import { contenderLabels, fmt, fmtSummary, log, parseArgs, roundOrder, runToResult, saveResult, sleep, summarize, type Contender, type Rounds, type Summary } from './lib/common.js'
import { runHttpBench } from './lib/http.js'

const args = parseArgs(process.argv.slice(2), { rounds: 15, seconds: 3 })
const quick = process.argv.includes('--quick')
const idleSeconds = quick ? 2 : 5
const picked: Contender[] = ['none', 'control', 'loopwatch', 'loopwatch-copy', 'loopwatch-no-cpu']
const load = () => loadavg().map((l) => Math.round(l * 100) / 100)
const loadAtStart = load()
log(`load average ${loadAtStart.join(' ')}`)

/** Per round, `a / b`, summarized over rounds. */
function pairRatio(rounds: Rounds, a: Contender, b: Contender): Summary {
  return summarize(rounds.flatMap((round) => {
    const x = round[a]
    const y = round[b]
    return x === undefined || y === undefined ? [] : [x / y]
  }))
}

/** Per round, `a - b`, summarized over rounds. */
function pairDifference(rounds: Rounds, a: Contender, b: Contender): Summary {
  return summarize(rounds.flatMap((round) => {
    const x = round[a]
    const y = round[b]
    return x === undefined || y === undefined ? [] : [x - y]
  }))
}

function values(rounds: Rounds): Partial<Record<Contender, Summary>> {
  return Object.fromEntries(picked.map((c) => [c, summarize(rounds.flatMap((round) => round[c] ?? []))]))
}

/**
 * The accounting's cost (with / without), the A/A spreads (two no-watcher
 * processes, two loopwatch processes), and each against no watcher.
 */
function compare(rounds: Rounds) {
  return {
    accounting: pairRatio(rounds, 'loopwatch', 'loopwatch-no-cpu'),
    aa: pairRatio(rounds, 'control', 'none'),
    aaLoopwatch: pairRatio(rounds, 'loopwatch-copy', 'loopwatch'),
    withCpu: pairRatio(rounds, 'loopwatch', 'none'),
    withoutCpu: pairRatio(rounds, 'loopwatch-no-cpu', 'none'),
    values: values(rounds),
  }
}

// 1. HTTP.
const http = await runHttpBench('overhead-cpu-accounting', 'hello', 'HTTP keep-alive hello world', args, { only: picked, save: false })
const httpRps = compare(http.rounds)
const httpCpu = compare(http.cpuPerRequest)
log(`HTTP requests/s, with / without accounting ${fmtSummary(httpRps.accounting, 3)}; A/A ${fmtSummary(httpRps.aa, 3)}, loopwatch A/A ${fmtSummary(httpRps.aaLoopwatch, 3)}`)
log(`HTTP CPU per request, with / without accounting ${fmtSummary(httpCpu.accounting, 3)}; A/A ${fmtSummary(httpCpu.aa, 3)}, loopwatch A/A ${fmtSummary(httpCpu.aaLoopwatch, 3)}`)

// 2. Idle.
const idleRounds: Rounds = []
log(`idle CPU: ${args.rounds} rounds x ${picked.length} contenders at once, ${idleSeconds} s each (after 1 s of warm-up)`)
for (let r = 0; r < args.rounds; r++) {
  const order = roundOrder(picked, r)
  const results = await Promise.all(order.map((c) =>
    runToResult<{ cpuMsPerS: number }>(c, 'idle.mjs', [String(idleSeconds)], 'cpuMsPerS').then((v) => [c, v.cpuMsPerS] as const)))
  const round = Object.fromEntries(results) as Partial<Record<Contender, number>>
  log(`  round ${r + 1}: ${picked.map((c) => `${c} ${fmt(round[c] ?? Number.NaN)} ms/s`).join(', ')}`)
  idleRounds.push(round)
}
const idle = {
  ...compare(idleRounds),
  /** ms/s the accounting adds: with minus without, per round. */
  added: pairDifference(idleRounds, 'loopwatch', 'loopwatch-no-cpu'),
  /** The A/A differences, ms/s. */
  aaAdded: pairDifference(idleRounds, 'control', 'none'),
  aaLoopwatchAdded: pairDifference(idleRounds, 'loopwatch-copy', 'loopwatch'),
}
log(`idle: with / without accounting ${fmtSummary(idle.accounting, 3)}, added ${fmtSummary(idle.added)} ms/s; A/A ${fmtSummary(idle.aa, 3)}, ${fmtSummary(idle.aaAdded)} ms/s; loopwatch A/A ${fmtSummary(idle.aaLoopwatch, 3)}, ${fmtSummary(idle.aaLoopwatchAdded)} ms/s`)

// 3. The watchdog's read of the other threads, per thread count. Reads 20 ms
// apart, capped and uncapped alternately: the watchdog is idle between
// stalls, so its read runs on cold caches as here.
const kReads = quick ? 30 : 100
const threadsWait: { workers: number; threads: number; capped: { threadsRead: number; us: Summary }; uncapped: { threadsRead: number; us: Summary } }[] = []
for (const count of [0, 30, 100]) {
  const cell = new Int32Array(new SharedArrayBuffer(4))
  const workers = Array.from({ length: count }, () => new Worker(
    'const { workerData } = require("node:worker_threads"); Atomics.wait(workerData, 0, 0)', { eval: true, workerData: cell }))
  await Promise.all(workers.map((worker) => new Promise((resolve) => worker.once('online', resolve))))
  await sleep(200)
  const readers = { capped: new OtherThreadsWait(process.pid), uncapped: new OtherThreadsWait(process.pid, Number.POSITIVE_INFINITY) }
  const times: Record<keyof typeof readers, number[]> = { capped: [], uncapped: [] }
  const threadsRead = { capped: 0, uncapped: 0 }
  for (let i = 0; i < kReads; i++) {
    for (const which of i % 2 === 0 ? ['capped', 'uncapped'] as const : ['uncapped', 'capped'] as const) {
      await sleep(20)
      const startNs = process.hrtime.bigint()
      const read = readers[which].read()
      times[which].push(Number(process.hrtime.bigint() - startNs) / 1e3)
      threadsRead[which] = read?.size ?? 0
    }
  }
  Atomics.store(cell, 0, 1)
  Atomics.notify(cell, 0)
  await Promise.all(workers.map((worker) => worker.terminate()))
  const entry = {
    workers: count,
    threads: threadsRead.uncapped + 1,
    capped: { threadsRead: threadsRead.capped, us: summarize(times.capped) },
    uncapped: { threadsRead: threadsRead.uncapped, us: summarize(times.uncapped) },
  }
  log(`threads-wait, ${count} idle workers: capped (${entry.capped.threadsRead} threads) ${fmtSummary(entry.capped.us, 0)} us per read; uncapped (${entry.uncapped.threadsRead} threads) ${fmtSummary(entry.uncapped.us, 0)} us`)
  threadsWait.push(entry)
}

const loadAtEnd = load()
log(`load average at the end ${loadAtEnd.join(' ')}`)
for (const c of picked) log(`${contenderLabels[c]}: ${fmtSummary(httpRps.values[c], 0)} rps, ${fmtSummary(httpCpu.values[c], 1)} us CPU/request, idle ${fmtSummary(idle.values[c])} ms/s`)
saveResult('overhead-cpu-accounting', {
  title: 'CPU accounting on (default) against cpu: false',
  loadAverage: loadAtStart,
  loadAverageAtEnd: loadAtEnd,
  rounds: args.rounds,
  http: { loadGenerator: http.loadGenerator, slices: http.slices, sliceSeconds: http.sliceSeconds, rps: httpRps, cpuPerRequest: httpCpu, raw: { rps: http.rounds, cpuPerRequest: http.cpuPerRequest } },
  idle: { seconds: idleSeconds, ...idle, raw: idleRounds },
  threadsWait: { maxThreads: kMaxThreads, reads: kReads, byWorkers: threadsWait },
})
