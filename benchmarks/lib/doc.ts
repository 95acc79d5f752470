// Renders RESULTS.md from the results the benchmarks saved in results/.
import { existsSync, readFileSync } from 'node:fs'
import type { Score } from './corpus.js'
import { contenderLabels, contenders, fmt, fmtSummary, resultsDir, type Contender, type Summary } from './common.js'
import { scenarios } from '../corpus/scenarios.js'

type Ratios = Partial<Record<Contender, { value: Summary; ratio: Summary }>>
interface Saved<T> { name: string; date: string; node: string; result: T }

function load<T>(name: string): Saved<T> | undefined {
  const file = `${resultsDir}${name}.json`
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Saved<T>) : undefined
}

const sideBySide: Contender[] = contenders.filter((c) => c !== 'none')

interface Machine { commit?: string; node: string; v8: string; os: string; cpu: string; cores: number; memoryGB: number; loadAverage: number[]; loadAverageAtEnd: number[]; minutes: number; wrk: boolean }
interface HttpResult { title: string; loadGenerator: string; connections: number; slices: number; sliceSeconds: number; rounds: unknown[]; summary: Ratios; eluSummary: Ratios; cpuSummary: Ratios }
interface TimedResult { title: string; unit: string; note?: string; rounds: unknown[]; summary: Ratios; wallSummary?: Ratios }
interface IdleResult { seconds: number; rounds: unknown[]; summary: Ratios; added: Partial<Record<Contender, Summary>> }
interface CaptureSummary { blocks: number; blockMs: Summary; capturesPerBlock: Summary; firstCaptureStallMs?: Summary; laterCaptureStallMs?: Summary; stallPerBlockMs: Summary; cpuRatio: Summary; firstCaptureLatencyMs?: Summary; detected: number }
interface CaptureResult { thresholdMs: number; blocksPerProcess: number; summary: Partial<Record<Contender, CaptureSummary>> }
interface MemoryMode { rounds: unknown[]; added: Partial<Record<Contender, Summary>> }
interface MemoryResult { idle: MemoryMode; block: MemoryMode }
interface AccountingCompare { accounting: Summary; aa: Summary; aaLoopwatch: Summary; withCpu: Summary; withoutCpu: Summary; values: Partial<Record<Contender, Summary>> }
interface ThreadsWaitRead { threadsRead: number; us: Summary }
interface AccountingResult {
  loadAverage: number[]
  loadAverageAtEnd: number[]
  rounds: number
  http: { loadGenerator: string; slices: number; sliceSeconds: number; rps: AccountingCompare; cpuPerRequest: AccountingCompare }
  idle: AccountingCompare & { seconds: number; added: Summary; aaAdded: Summary; aaLoopwatchAdded: Summary }
  threadsWait: { maxThreads: number; reads: number; byWorkers: { workers: number; threads: number; capped: ThreadsWaitRead; uncapped: ThreadsWaitRead }[] }
}
interface CorpusResult { repeat: number; scores: Score[]; rerun?: string[] }

const ratio = (s: Summary | undefined, digits = 3) => fmtSummary(s, digits)

/** "meets", "misses", or "within noise" when the range straddles the target. */
function verdict(s: Summary | undefined, target: number, higherIsBetter: boolean): string {
  if (s === undefined) return 'not measured'
  const good = (v: number) => (higherIsBetter ? v >= target : v <= target)
  if (good(s.median) && good(higherIsBetter ? s.min : s.max)) return '**meets**'
  if (good(s.median)) return 'meets at the median; the range crosses the target'
  if (good(higherIsBetter ? s.max : s.min)) return '**misses** at the median; the range crosses the target'
  return '**misses**'
}

function machineSection(m: Machine | undefined): string {
  if (!m) return '_No machine record: run `npm run bench:doc`._\n'
  const args = (m as { args?: string[] }).args ?? []
  const only = args.includes('--bench') ? args[args.indexOf('--bench') + 1] : undefined
  const partial = only === undefined ? '' : `- This run measured only ${only.split(',').map((b) => `\`${b}\``).join(', ')}; the other tables keep the results of an earlier full run (\`npm run bench:doc\`, commit 663b6a4, before the GC-observer and debug-mode changes)\n`
  return `${m.commit ? `- loopwatch at commit \`${m.commit}\` (what \`src/\` was when the benchmarks ran; later commits are not measured here)\n` : ''}${partial}- Node ${m.node} (V8 ${m.v8}), ${m.os}
- ${m.cores} x ${m.cpu}, ${m.memoryGB} GB RAM
- Load average ${m.loadAverage.join(' / ')} at the start, ${m.loadAverageAtEnd.join(' / ')} at the end (1 / 5 / 15 min); the whole run took ${m.minutes} min
- HTTP load: ${m.wrk ? 'wrk 4.1 (one thread, 10 keep-alive connections)' : 'autocannon (10 connections)'} on 127.0.0.1

${m.loadAverage[0] !== undefined && m.loadAverage[0] > m.cores / 2
    ? `**The machine was busy** (a 1-minute load average of ${m.loadAverage[0]} on ${m.cores} cores at the start): other processes'`
    : `**The machine was shared** (a quiet start, but other processes may run at any time): their`} bursts land on
whichever contender happens to be running, so single one-second slices swing by 5-10 % and
more. That is why every comparison is interleaved in one run (each round runs every contender, in an
order rotated each round), reported as a ratio to the no-watcher baseline *of the same round*,
summarized as median (min..max) over rounds. The medians are the figures to read; the ranges show
how much the machine moved things. The HTTP runs carry an A/A control (a second server with no
watcher): a ratio within its spread is not a measured cost. Where the noise hides a difference of a
few percent, the CPU-time columns (CPU consumed per request or per run, all threads of the process
included) are the better estimate: another process taking the CPU delays a contender but does not
add to its CPU time.
`
}

function httpRows(name: string, r: HttpResult | undefined): string[] {
  if (!r) return [`| ${name} | ${sideBySide.map(() => 'n/a').join(' | ')} |`]
  return [
    `| ${r.title}: requests/s ratio | ${sideBySide.map((c) => ratio(r.summary[c]?.ratio)).join(' | ')} |`,
    `| ${r.title}: CPU per request ratio (lower is better) | ${sideBySide.map((c) => ratio(r.cpuSummary[c]?.ratio)).join(' | ')} |`,
  ]
}

/** The HTTP target's row: from the long run (more rounds, with its A/A control) when there is one. */
function httpTargetRow(r: HttpResult | undefined): string {
  const rps = r?.summary.loopwatch?.ratio
  const cpu = r?.cpuSummary.loopwatch?.ratio
  const control = r?.summary.control?.ratio
  const measured = `${ratio(rps)} over ${rps?.n ?? 0} rounds; CPU per request ratio ${ratio(cpu)}` +
    (control === undefined ? '' : `; A/A control (a second server with no watcher) ${ratio(control)}`)
  return `| HTTP keep-alive hello world, requests/s ratio | >= 0.99 | ${measured} | ${verdict(rps, 0.99, true)} (requests/s); ${verdict(cpu, 1.01, false)} (CPU per request, <= 1.01) |`
}

/** What the HTTP run's controls measured: the noise floor of its ratios. */
function controlsNote(r: HttpResult | undefined): string {
  const control = r?.summary.control
  const thread = r?.summary['idle-thread']
  if (control === undefined && thread === undefined) return '_The HTTP run had no controls (`control`, `idle-thread`)._'
  return [
    'Controls in the same HTTP run, requests/s ratio to no watcher, median (min..max) over rounds:',
    `a second server with no watcher (A/A) ${ratio(control?.ratio)}; CPU per request ${ratio(r?.cpuSummary.control?.ratio)};`,
    `a server with an idle worker thread that wakes 13 times a second ${ratio(thread?.ratio)}; CPU per request ${ratio(r?.cpuSummary['idle-thread']?.ratio)}.`,
    'The A/A spread is how far apart two identical servers measure here: a ratio inside it is not a measured cost.',
  ].join('\n')
}

function timedRows(r: TimedResult | undefined, title: string): string[] {
  if (!r) return [`| ${title} | ${sideBySide.map(() => 'n/a').join(' | ')} |`]
  const rows = [`| ${r.title}: CPU time ratio (lower is better) | ${sideBySide.map((c) => ratio(r.summary[c]?.ratio)).join(' | ')} |`]
  if (r.wallSummary) rows.push(`| ${r.title}: wall time ratio | ${sideBySide.map((c) => ratio(r.wallSummary?.[c]?.ratio)).join(' | ')} |`)
  return rows
}

const mark = (ok: boolean | undefined) => (ok === undefined ? '–' : ok ? '✓' : '✗')

function corpusSection(r: CorpusResult | undefined): string {
  if (!r) return '_Not run: `npm run bench -- --bench corpus`._\n'
  const picked = sideBySide.filter((c) => r.scores.some((s) => s.contender === c))
  const ids = [...new Set(r.scores.map((s) => s.scenario))]
  const agg = (c: Contender, id: string, f: (s: Score) => boolean | undefined): string => {
    const runs = r.scores.filter((s) => s.contender === c && s.scenario === id)
    const values = runs.map(f)
    if (values.every((v) => v === undefined)) return '–'
    const ok = values.filter((v) => v === true).length
    if (r.repeat === 1 || ok === 0 || ok === runs.length) return mark(ok === runs.length)
    return `${ok}/${runs.length}`
  }
  const count = (c: Contender, f: (s: Score) => boolean | undefined) => {
    const mine = r.scores.filter((s) => s.contender === c)
    const applicable = mine.filter((s) => f(s) !== undefined)
    return `${applicable.filter((s) => f(s) === true).length}/${applicable.length}`
  }
  const withDuration = (c: Contender) => {
    const mine = r.scores.filter((s) => s.contender === c && s.truthMs !== undefined && s.reportedMs !== undefined)
    if (mine.every((s) => s.reportedMs === null)) return 'reports none'
    return `${mine.filter((s) => s.durationOk === true).length}/${r.scores.filter((s) => s.contender === c && s.truthMs !== undefined).length}`
  }
  const lines: string[] = []
  lines.push(`${ids.length} scenarios, each run ${r.repeat === 1 ? 'once' : `${r.repeat} times`} per contender, threshold 100 ms (blocked-at: its default, 20 ms).${r.rerun?.length ? ` Rerun after the full run, for every contender alike: ${[...new Set(r.rerun)].map((id) => `\`${id}\``).join(', ')} (their native calls had fixed sizes that gave blocks from 70 ms, under the threshold, to 4 s on this machine; they now size the work from a timed sample).` : ''}`)
  lines.push('Scored on the report that covers the scenario\'s block: **F** the first user frame (the first frame of the app: not Node internals, not a package under `node_modules`) names the culprit function; **L** it also points at the exact file and line (the original `.ts` line for TypeScript); **D** the reported duration is within max(5 ms, 5 %) of the block as the scenario measured it around the culprit call; **H** (the hang scenario only) a report came out while the process was still stuck.')
  lines.push('')
  lines.push(`| | ${picked.map((c) => contenderLabels[c]).join(' | ')} |`)
  lines.push(`|---|${picked.map(() => '---').join('|')}|`)
  lines.push(`| culprit function (F) | ${picked.map((c) => count(c, (s) => s.fnOk)).join(' | ')} |`)
  lines.push(`| exact line (L) | ${picked.map((c) => count(c, (s) => s.lineOk)).join(' | ')} |`)
  lines.push(`| duration within max(5 ms, 5 %) (D) | ${picked.map((c) => withDuration(c)).join(' | ')} |`)
  lines.push(`| hang reported while stuck (H) | ${picked.map((c) => count(c, (s) => s.hangOk)).join(' | ')} |`)
  lines.push('')
  lines.push(`| scenario | callback | cause | format | ${picked.map((c) => `${contenderLabels[c]} F L D`).join(' | ')} |`)
  lines.push(`|---|---|---|---|${picked.map(() => '---').join('|')}|`)
  for (const id of ids) {
    const s = scenarios.find((x) => x.id === id)
    if (!s) continue
    const cells = picked.map((c) => {
      const base = `${agg(c, id, (x) => x.fnOk)} ${agg(c, id, (x) => x.lineOk)} ${agg(c, id, (x) => x.durationOk)}`
      return s.hang ? `${base} H ${agg(c, id, (x) => x.hangOk)}` : base
    })
    lines.push(`| \`${s.file}\` | ${s.kind} | ${s.cause} | ${s.format} | ${cells.join(' | ')} |`)
  }
  lines.push('')
  lines.push('What each contender named, where it did not name the culprit with its line (first run of each):')
  lines.push('')
  lines.push('| scenario | contender | first user frame reported | duration reported / measured |')
  lines.push('|---|---|---|---|')
  for (const id of ids) {
    for (const c of picked) {
      const run = r.scores.find((s) => s.contender === c && s.scenario === id && !(s.lineOk && s.durationOk !== false))
      if (!run || c === 'blocked-at') continue
      const duration = run.reportedMs === undefined ? 'no report' : run.reportedMs === null ? '(none)' : `${Math.round(run.reportedMs)} / ${Math.round(run.truthMs ?? 0)} ms`
      lines.push(`| \`${id}\` | ${contenderLabels[c]} | ${run.culprit ? `\`${run.culprit}\`` : run.reported ? 'no user frame' : 'no report'}${run.note ? ` (${run.note})` : ''}${run.cause ? `; cause \`${run.cause}\`` : ''} | ${duration} |`)
    }
  }
  lines.push('')
  lines.push('blocked-at is left out of that list: by design it reports the stack where the slow callback was *scheduled* (a `setTimeout(...)` call, the code that created a promise), or no user frame at all when Node internals created the resource (HTTP, streams, fs), never the code that ran during the block. Its durations are exact because it times each callback with async_hooks.')
  return lines.join('\n') + '\n'
}

interface Memory { heapKBPerMin: number; rssKBPerMin: number; samples: number; heapMB: [number, number]; rssMB: [number, number] }

interface SoakResult {
  short: boolean
  minutes: number
  http: { seconds: number; thresholdMs: number; requests: { ok: number; failed: number }; servedAtEnd: number; injections: number; overThreshold: number; reportedOnceRight: number; missed: number; duplicated: number; wrongCulprit: unknown[]; underThresholdReported: number; realUninjected: number; falsePositives: unknown[]; events: number; memory: Memory; baselineMemory?: Memory; baselineRequests?: { ok: number; failed: number } }
  races: { thresholdMs: number; blocks: number; events: number; stale: unknown[]; afterBlock: number; withoutStack: number; maxLateMsAtEnd?: number; waitingForDebugger: boolean }
  faults: { name: string; ok: boolean; detail: string }[]
}

function memoryCell(m: Memory, base: Memory | undefined, what: 'heap' | 'rss'): string {
  const one = (x: Memory) => what === 'heap'
    ? `${x.heapKBPerMin.toFixed(0)} KB/min (${x.heapMB[0].toFixed(0)}-${x.heapMB[1].toFixed(0)} MB)`
    : `${x.rssKBPerMin.toFixed(0)} KB/min (${x.rssMB[0].toFixed(0)}-${x.rssMB[1].toFixed(0)} MB)`
  return base ? `${one(m)} / ${one(base)}` : one(m)
}

function soakSection(saved: Saved<SoakResult> | undefined): string {
  if (!saved) return '_Not run: `npm run soak`._\n'
  const { http, races, faults, short, minutes } = saved.result
  return `\`npm run soak${short ? ' -- --short' : ''}\`, ${minutes.toFixed(1)} min in all, ${saved.date.slice(0, 10)}.

**HTTP soak** (${http.seconds} s, threshold ${http.thresholdMs} ms): an HTTP server under keep-alive load
(8 connections from the soak process, ${http.requests.ok} requests served, ${http.requests.failed} failed, still
answering at the end: ${http.servedAtEnd === 200 ? 'yes' : 'no'}), with ${http.injections} blocks of 10-500 ms injected at
random times, half \`Atomics.wait\`, half JS loops, each in a function of its own. A 5 ms timer in the
server is an independent witness of every stall. Next to it, for the whole run, the same server with the same
blocks and no loopwatch, under the same load (${http.baselineRequests?.ok ?? '?'} requests): the memory baseline.

| check | result |
|---|---|
| injected blocks over the threshold reported exactly once, naming the injected function | **${http.reportedOnceRight} / ${http.overThreshold}** |
| missed / reported twice / wrong culprit | ${http.missed} / ${http.duplicated} / ${http.wrongCulprit.length} |
| reports the independent timer did not see (invented stalls) | **${http.falsePositives.length}** |
| real stalls nobody injected (the timer saw them too: GC, the machine) | ${http.realUninjected} |
| injected blocks under the threshold that were reported (with the load around them, the loop's busy stretch crossed it) | ${http.underThresholdReported} |
| heap slope over the second half, loopwatch / no watcher | ${memoryCell(http.memory, http.baselineMemory, 'heap')} |
| RSS slope over the second half, loopwatch / no watcher (the watchdog thread's heap is inside RSS) | ${memoryCell(http.memory, http.baselineMemory, 'rss')} |

The RSS slope is heap growth until a major GC, not a leak: with every GC a full one (\`--gc-global\`), 1,500 detected 40 ms blocks at \`threshold: 20\` left the watchdog thread's live heap flat at 3.5 MB after each mark-compact and RSS flat (68.4 MB after 1,250 blocks and after 1,500); without the flag, RSS climbed to 84 MB over the same 1,500 blocks while the thread's old space filled between its rare major GCs (none in 120 s) (2026-12-04, by hand, not part of \`npm run soak\`).

**Capture races** (threshold ${races.thresholdMs} ms): ${races.blocks} blocks of 0.5-1.5x the threshold in two alternating
functions, each followed by 1-4 short decoy callbacks (where a late probe would land).

| check | result |
|---|---|
| events | ${races.events} |
| events naming a function that did not run during them (stale stack as culprit) | **${races.stale.length}** |
| events sampled after the blocking function returned, later in the same stall | ${races.afterBlock} |
| events without a stack | ${races.withoutStack} |
| main thread paused at the end (timers late by) | no (${races.maxLateMsAtEnd?.toFixed(1) ?? '?'} ms) |
| "Waiting for the debugger" printed | ${races.waitingForDebugger ? '**yes**' : 'no'} |

**Faults** (the host app must keep serving):

| fault | result | detail |
|---|---|---|
${faults.map((f) => `| ${f.name} | ${f.ok ? 'ok' : '**fails**'} | ${f.detail.replace(/\|/g, '\\|')} |`).join('\n')}
`
}

export function renderResults(): string {
  const machine = load<Machine>('machine')
  const http = load<HttpResult>('overhead-http')?.result
  const httpLong = load<HttpResult>('overhead-http-long')?.result
  const httpAwait = load<HttpResult>('overhead-http-await')?.result
  const asyncCalls = load<TimedResult>('overhead-async')?.result
  const cpu = load<TimedResult>('overhead-cpu')?.result
  const idle = load<IdleResult>('overhead-idle')?.result
  const memory = load<MemoryResult>('overhead-memory')?.result
  const capture = load<CaptureResult>('capture-stall')?.result
  const corpus = load<CorpusResult>('corpus')?.result
  const soak = load<SoakResult>('soak') ?? load<SoakResult>('soak-short')
  const accounting = load<AccountingResult>('overhead-cpu-accounting')
  const lw = (r: Ratios | undefined) => r?.loopwatch
  const cap = capture?.summary.loopwatch
  const threshold = capture?.thresholdMs ?? 100

  const core = [
    '| measure | target | loopwatch always-on: median (min..max) over rounds | verdict |',
    '|---|---|---|---|',
    httpTargetRow(httpLong ?? http),
    `| 1e6 awaited async calls, time ratio | <= 1.02 | CPU time ${ratio(lw(asyncCalls?.summary)?.ratio)}; wall time ${ratio(asyncCalls?.wallSummary?.loopwatch?.ratio)} | ${verdict(lw(asyncCalls?.summary)?.ratio, 1.02, false)} (CPU); ${verdict(asyncCalls?.wallSummary?.loopwatch?.ratio, 1.02, false)} (wall) |`,
    `| idle process CPU | <= 5 ms/s | ${fmtSummary(idle?.summary.loopwatch?.value)} ms/s (no watcher: ${fmtSummary(idle?.summary.none?.value)} ms/s; added: ${fmtSummary(idle?.added.loopwatch)} ms/s) | ${verdict(idle?.summary.loopwatch?.value, 5, false)} |`,
    `| resident memory added to an idle process (RSS) | <= 12 MB | ${fmtSummary(memory?.idle.added.loopwatch, 1)} MB; after a detected 300 ms block ${fmtSummary(memory?.block.added.loopwatch, 1)} MB; a bare worker thread (the floor of any watchdog thread) ${fmtSummary(memory?.idle.added['idle-thread'], 1)} MB; blocked-at ${fmtSummary(memory?.idle.added['blocked-at'], 1)} MB; Sentry-style watchdog ${fmtSummary(memory?.idle.added['sentry-native'], 1)} MB | ${verdict(memory?.idle.added.loopwatch, 12, false)} |`,
    `| stall added to a detected block by the capture | <= 2 ms | first capture of a block ${fmtSummary(cap?.firstCaptureStallMs)} ms; each later sample ${fmtSummary(cap?.laterCaptureStallMs)} ms; all samples of a ~${fmt(cap?.blockMs.median ?? Number.NaN, 0)} ms block ${fmtSummary(cap?.stallPerBlockMs)} ms (${fmt(cap?.capturesPerBlock.median ?? Number.NaN, 0)} samples); noise floor (no watcher, same measure) ${fmtSummary(capture?.summary.none?.firstCaptureStallMs)} ms | ${verdict(cap?.firstCaptureStallMs, 2, false)} (per capture) |`,
    `| block start to stack in hand, JS-bound block | <= threshold + 10 ms = ${threshold + 10} ms | ${fmtSummary(cap?.firstCaptureLatencyMs, 1)} ms (${cap?.detected ?? 0} blocks) | ${verdict(cap?.firstCaptureLatencyMs, threshold + 10, false)} |`,
  ]

  const captureTable = [
    `| | ${sideBySide.map((c) => contenderLabels[c]).join(' | ')} |`,
    `|---|${sideBySide.map(() => '---').join('|')}|`,
    `| samples per ~${fmt(cap?.blockMs.median ?? Number.NaN, 0)} ms block | ${sideBySide.map((c) => fmtSummary(capture?.summary[c]?.capturesPerBlock, 0)).join(' | ')} |`,
    `| stall of the first capture, ms | ${sideBySide.map((c) => fmtSummary(capture?.summary[c]?.firstCaptureStallMs)).join(' | ')} |`,
    `| stall of each later sample, ms | ${sideBySide.map((c) => fmtSummary(capture?.summary[c]?.laterCaptureStallMs)).join(' | ')} |`,
    `| stall added per block, all samples, ms | ${sideBySide.map((c) => fmtSummary(capture?.summary[c]?.stallPerBlockMs)).join(' | ')} |`,
    `| main thread CPU per block, ratio to no watcher | ${sideBySide.map((c) => ratio(capture?.summary[c]?.cpuRatio)).join(' | ')} |`,
    `| block start to stack in hand, ms | ${sideBySide.map((c) => (c === 'blocked-at' ? 'after the block (post hoc)' : fmtSummary(capture?.summary[c]?.firstCaptureLatencyMs, 1))).join(' | ')} |`,
  ]

  const overhead = [
    `| workload | ${sideBySide.map((c) => contenderLabels[c]).join(' | ')} |`,
    `|---|${sideBySide.map(() => '---').join('|')}|`,
    ...httpRows('HTTP keep-alive hello world', http),
    ...httpRows('HTTP handler with 20 awaits', httpAwait),
    ...timedRows(asyncCalls, '1e6 awaited async calls'),
    ...timedRows(cpu, 'CPU-bound sync workload'),
    `| idle process: CPU ms per s (absolute; no watcher: ${fmtSummary(idle?.summary.none?.value)}) | ${sideBySide.map((c) => fmtSummary(idle?.summary[c]?.value)).join(' | ')} |`,
  ]

  const absolute = [
    `| workload | no watcher | ${sideBySide.map((c) => contenderLabels[c]).join(' | ')} |`,
    `|---|---|${sideBySide.map(() => '---').join('|')}|`,
    ...(http ? [`| hello world, requests/s | ${[...['none' as const], ...sideBySide].map((c) => fmtSummary(http.summary[c]?.value, 0)).join(' | ')} |`,
      `| hello world, server event-loop utilization while measured | ${[...['none' as const], ...sideBySide].map((c) => fmtSummary(http.eluSummary[c]?.value)).join(' | ')} |`] : []),
    ...(httpAwait ? [`| 20 awaits, requests/s | ${[...['none' as const], ...sideBySide].map((c) => fmtSummary(httpAwait.summary[c]?.value, 0)).join(' | ')} |`] : []),
    ...(asyncCalls ? [`| awaited async call, ns of CPU per call | ${[...['none' as const], ...sideBySide].map((c) => fmtSummary(asyncCalls.summary[c]?.value, 0)).join(' | ')} |`] : []),
    ...(cpu ? [`| CPU-bound job, ms of CPU | ${[...['none' as const], ...sideBySide].map((c) => fmtSummary(cpu.summary[c]?.value, 0)).join(' | ')} |`] : []),
  ]

  return `# Benchmarks and evidence

Generated by \`npm run bench:doc\` (the soak by \`npm run soak\`) from the raw results in
[\`results/\`](results/). Benchmarks are not tests: nothing here gates CI.

## The machine

${machineSection(machine?.result)}
## How to reproduce

\`\`\`sh
npm ci
apt-get install wrk          # optional: without it the HTTP load comes from autocannon
npm run bench                # every benchmark, each in a fresh process (about 30 min)
npm run bench -- --quick     # fewer rounds
npm run bench -- --bench overhead-http,corpus   # some of them
npm run bench:doc            # all of them, then this file
npm run soak                 # soak, capture races and faults (about 9 min; --short: about 2)
node --import tsx benchmarks/run.ts --doc-only  # this file from the saved results
\`\`\`

Contenders (\`benchmarks/lib/contender.mjs\`, preloaded with \`--import\` into every process under test):

- **no watcher**: the baseline of each round.
- **loopwatch always-on**: \`watchLoop({ threshold: 100 })\` (heartbeat every 50 ms, watchdog worker).
- **loopwatch debug**: \`watchLoop({ threshold: 100, debug: true })\` (adds async_hooks callback timing and sync-API interception).
- **loopwatch debug + scheduleStacks**: \`watchLoop({ threshold: 100, debug: true, scheduleStacks: true })\`.
- **blocked-at** 1.2.0 with its defaults (threshold 20 ms; async_hooks with a stack captured at every resource's creation).
- **Sentry-style watchdog**: \`@sentry-internal/node-native-stacktrace\` 0.5.0 driven the way Sentry's
  \`eventLoopBlockIntegration\` drives it: every thread calls \`registerThread()\` and \`threadPoll()\` every
  threshold / 2 ms (with a small poll state, as Sentry sends its session); a worker polls
  \`getThreadsLastSeen()\` every threshold / 2 ms and takes one native \`captureStackTrace()\` per stall.
  Threshold 100 ms here (Sentry's default is 1000 ms, with 1 event per hour); it writes the report locally
  instead of sending it. It measures no duration (Sentry reports "blocked for at least N ms").
- Controls, in the HTTP runs only: **a second server with no watcher** (an A/A comparison, the run's noise
  floor) and **a server with an idle worker thread** that wakes every 75 ms, as loopwatch's watchdog does
  when the loop is healthy (what a second thread costs, apart from watching).

## Core overhead (issue 2 targets)

${core.join('\n')}

How each is measured: HTTP from ${httpLong ? '`overhead-http-long` (no watcher, loopwatch and an A/A control only, over\nenough rounds to resolve 1 %; the side-by-side `overhead-http` is below)' : '`overhead-http` (below)'}; the async calls run in batches of 10,000 with a
\`setImmediate\` between batches (a server's loop turns over between requests; one unbroken run of 1e6
awaits would itself be a 60-150 ms block) and are timed by tinybench on the process's CPU clock; idle CPU
is \`process.cpuUsage()\` (all threads) over ${idle?.seconds ?? 5} s of an idle process after 1 s of warm-up, fresh
processes, nothing subtracted; the capture's stall and the time to the stack from \`capture-stall\` (below).

${controlsNote(http)}

## Side by side: overhead

Ratio to no watcher in the same round, median (min..max) over the rounds.

${overhead.join('\n')}

${asyncCalls?.note ? `Note: ${asyncCalls.note}\n` : ''}
Absolute values, median (min..max):

${absolute.join('\n')}

## Side by side: what a detected block costs, and how soon the stack is in hand

\`benchmarks/fixtures/capture.mjs\`: ${capture?.blocksPerProcess ?? 6} blocks per process of a fixed amount of JS work (~${fmt(cap?.blockMs.median ?? Number.NaN, 0)} ms),
in chunks of ~0.1 ms whose end times are recorded. loopwatch's probe runs \`Error.captureStackTrace\` on the
blocked thread; a wrapper installed by the fixture (nothing in \`src/\`) records when. The chunk that contains
a capture runs longer than the block's median chunk: the difference is that capture's stall. For the
Sentry-style watchdog the capture is native; its worker records the time (same monotonic clock) and the
longest chunk in the 5 ms before it is taken as its stall. With no watcher, the same measure at the
offsets where loopwatch samples is the noise floor. "Main thread CPU per block" is the blocked thread's own
CPU time (\`/proc/thread-self/schedstat\`) relative to no watcher.

${captureTable.join('\n')}

## CPU accounting: what it costs (issue 15)

${accountingSection(accounting)}
## Worker threads: what watching them costs (issue 16)

${workersSection(load<WorkersResult>('overhead-workers'))}
## Diagnosis corpus

${corpusSection(corpus)}
${fieldSection()}${handWritten('blame-measurements.md')}## Soak and faults

${soakSection(soak)}
${fieldCheck()}## Problems this suite found in loopwatch

${problems(soak?.result)}
## Where loopwatch loses, and why

${losses({ idle, asyncCalls, httpAwait, http, httpLong, capture, corpus })}
`
}

/** Issue 15: the CPU accounting's cost, loopwatch with it against the same build with `cpu: false`. */
function accountingSection(saved: Saved<AccountingResult> | undefined): string {
  if (!saved) return '_Not measured: run `npm run bench -- --bench overhead-cpu-accounting`._\n'
  const r = saved.result
  const row = (what: string, c: AccountingCompare) =>
    `| ${what} | **${ratio(c.accounting)}** | ${ratio(c.aaLoopwatch)} | ${ratio(c.aa)} | ${ratio(c.withCpu)} | ${ratio(c.withoutCpu)} |`
  const abs = (c: Contender) =>
    `| ${contenderLabels[c]} | ${fmtSummary(r.http.rps.values[c], 0)} | ${fmtSummary(r.http.cpuPerRequest.values[c], 1)} | ${fmtSummary(r.idle.values[c])} |`
  const stall = (read: ThreadsWaitRead) => fmt((2 * read.us.median) / 1000)
  // Within noise: the cost's median lies inside the range of the A/A between two loopwatch processes.
  const inside = (c: AccountingCompare) => c.accounting.median >= c.aaLoopwatch.min && c.accounting.median <= c.aaLoopwatch.max
  const measures = [['requests/s', r.http.rps], ['CPU per request', r.http.cpuPerRequest], ['idle CPU', r.idle]] as const
  const outside = measures.filter(([, c]) => !inside(c)).map(([name]) => name)
  const noise = outside.length === 0
    ? '**No measurable cost**: each with / without median lies inside the range of the A/A between two identical loopwatch processes.'
    : `**Outside the noise**: ${outside.join(', ')} (the with / without median lies outside the loopwatch A/A range).`
  const [fewest, most] = [r.threadsWait.byWorkers[0], r.threadsWait.byWorkers.at(-1)]
  const perThreadUs = fewest && most && most.uncapped.threadsRead > fewest.uncapped.threadsRead
    ? (most.uncapped.us.median - fewest.uncapped.us.median) / (most.uncapped.threadsRead - fewest.uncapped.threadsRead) : Number.NaN
  return `\`benchmarks/overhead-cpu-accounting.bench.ts\`, ${saved.date.slice(0, 10)}, Node ${saved.node}, ${r.rounds} rounds. Load average
${r.loadAverage.join(' / ')} at the start, ${r.loadAverageAtEnd.join(' / ')} at the end (1 / 5 / 15 min), on 2 cores shared with other
engineers' benchmarks. The contenders: no watcher; a second no-watcher process (an A/A control);
\`watchLoop({ threshold: 100 })\` (CPU accounting on, the default), twice (the second copy is the A/A
control for the comparison that matters here); the same build with \`cpu: false\`
(\`LOOPWATCH_CPU=0\`: no schedstat opened on either thread, no \`BlockEvent.cpu\`). HTTP: each round starts
one server per contender and drives them in turn, ${r.http.slices} x ${r.http.sliceSeconds} s slices each (${r.http.loadGenerator}, 10
keep-alive connections, 127.0.0.1), in an order rotated each round; CPU per request is the server's
\`process.cpuUsage()\` (all threads) over the requests it served. Idle: the five contenders' idle processes
at once, ${r.idle.seconds} s after 1 s of warm-up. Ratios are per round, then median (min..max) over rounds.
Run it alone with \`npm run bench -- --bench overhead-cpu-accounting\` (\`--rounds N\`; about 30 s a round here).

| measure | with accounting / without (its cost) | A/A: a second loopwatch / loopwatch, both with accounting (the noise) | A/A: a second no watcher / no watcher | with accounting / no watcher | without / no watcher |
|---|---|---|---|---|---|
${row('HTTP hello world, requests/s (higher is better)', r.http.rps)}
${row('HTTP hello world, CPU per request (lower is better)', r.http.cpuPerRequest)}
${row('idle process, CPU ms per s (lower is better)', r.idle)}
| idle process, CPU ms per s added (difference) | **${fmtSummary(r.idle.added)}** | ${fmtSummary(r.idle.aaLoopwatchAdded)} | ${fmtSummary(r.idle.aaAdded)} | | |

Absolute values, median (min..max):

| contender | requests/s | µs of CPU per request | idle CPU, ms/s |
|---|---|---|---|
${(['none', 'control', 'loopwatch', 'loopwatch-copy', 'loopwatch-no-cpu'] as const).map(abs).join('\n')}

${noise}

A ratio inside the A/A spread is not a measured cost. What the accounting does while the loop is
healthy is one \`pread\` of the main thread's schedstat (about 1 µs warm, ~40 µs cold) at the heartbeats
after the loop was busy or late for threshold/20 (5 ms here) since the last read: under HTTP load
that is up to ~200 reads a second.

The watchdog's side: over each sampled stall (one at or past the threshold) it reads every other
thread's \`/proc/self/task/<tid>/schedstat\` twice (\`cpu.othersWaiting\`), on its own thread, the first
read just before the stall's first probe. Measured in the benchmark's process with idle worker
threads (each parked in \`Atomics.wait\`), ${r.threadsWait.reads} reads 20 ms apart (cold caches, as for a watchdog that
slept until the stall), µs per read, median (min..max):

| idle workers | threads in the process | capped at ${r.threadsWait.maxThreads}: threads read, µs per read | uncapped: threads read, µs per read | per sampled stall (2 reads, capped), ms |
|---|---|---|---|---|
${r.threadsWait.byWorkers.map((w) => `| ${w.workers} | ${w.threads} | ${w.capped.threadsRead}: ${fmtSummary(w.capped.us, 0)} | ${w.uncapped.threadsRead}: ${fmtSummary(w.uncapped.us, 0)} | ${stall(w.capped)} |`).join('\n')}

It grows by ${fmt(perThreadUs, 0)} µs per thread read (uncapped, from the fewest threads to the most), so it is capped at ${r.threadsWait.maxThreads} threads (\`kMaxThreads\` in
\`src/watchdog/threads-wait.ts\`): \`/proc/self/task\` lists threads in creation order, and the ones kept are
those started with the process, V8's platform threads (the GC helpers a scavenge waits for). A worker
pool started later is left out of \`othersWaiting\` past the cap.
`
}

interface WorkersAwaits { calls: number; iterations: number; summary: Record<'threadCpu' | 'processCpu' | 'wall', Ratios> }
interface WorkersResult {
  loadAverage: number[]
  loadAverageAtEnd: number[]
  rounds: number
  inWorker: WorkersAwaits
  http: { loadGenerator: string; slices: number; sliceSeconds: number; summary: Record<'rps' | 'cpuPerRequest' | 'elu', Ratios> }
  beside: WorkersAwaits
}
interface WorkersAloneResult { loadAverage: number[]; loadAverageAtEnd: number[]; rounds: number; beside: WorkersAwaits }

/** Whether each watched / unwatched median lies inside the A/A control's range (then it is no measured cost). */
function noiseNote(measures: readonly (readonly [string, Ratios])[]): string {
  const inside = (s: Ratios) => {
    const [m, aa] = [s.loopwatch?.ratio.median, s.control?.ratio]
    return m !== undefined && aa !== undefined && m >= aa.min && m <= aa.max
  }
  const out = measures.filter(([, s]) => !inside(s)).map(([name]) => name)
  const aaWidth = measures.map(([name, s]) => `${name}: ${ratio(s.control?.ratio)}`).join('; ')
  return `${out.length === 0 ? 'Every watched / unwatched median lies inside the range of the A/A control' : `Outside the A/A range: ${out.join(', ')}`}
(A/A: ${aaWidth}). A ratio inside the A/A spread is not a measured cost; one whose A/A spans more than
±1 % cannot show that a 1 % target is met, only that the cost is not larger than this machine's noise.
The awaits' spread is mostly between processes, not within one: a fresh process runs the same calls at
either about 70 or about 110-130 ns each and stays there, so a round whose two processes start in different
modes gives a ratio near 0.7 or 1.4, watched or not; in rounds where both start alike the ratio is within a few %.`
}

/** Issue 16: watched worker threads against the same processes with no loopwatch anywhere. */
function workersSection(saved: Saved<WorkersResult> | undefined): string {
  if (!saved) return '_Not measured: run `npm run bench -- --bench overhead-workers`._\n'
  const r = saved.result
  const row = (what: string, s: Ratios | undefined, target: number, higherIsBetter: boolean, digits = 1) =>
    `| ${what} | ${higherIsBetter ? '>=' : '<='} ${target} | **${ratio(s?.loopwatch?.ratio)}** | ${verdict(s?.loopwatch?.ratio, target, higherIsBetter)} | ${ratio(s?.control?.ratio)} | ${fmtSummary(s?.none?.value, digits)} |`
  const extra = (what: string, s: Ratios | undefined, digits = 1) => `| ${what} | | ${ratio(s?.loopwatch?.ratio)} | | ${ratio(s?.control?.ratio)} | ${fmtSummary(s?.none?.value, digits)} |`
  // Measure 3 run again alone, over more rounds (`--measures 3`).
  const alone = load<WorkersAloneResult>('overhead-workers-3')
  const aloneRows = alone === undefined ? [] : [
    row(`3. again, run alone (${alone.date.slice(0, 10)}, ${alone.result.rounds} rounds, load ${alone.result.loadAverage.join(' / ')}): main thread CPU`, alone.result.beside.summary.threadCpu, 1.01, false),
    extra('3. again: process CPU (all threads)', alone.result.beside.summary.processCpu),
    extra('3. again: wall time', alone.result.beside.summary.wall),
  ]
  return `\`benchmarks/overhead-workers.bench.ts\`, ${saved.date.slice(0, 10)}, Node ${saved.node}, ${r.rounds} rounds. Load average
${r.loadAverage.join(' / ')} at the start, ${r.loadAverageAtEnd.join(' / ')} at the end (1 / 5 / 15 min), on 2 cores shared with other
engineers' benchmarks. Each measure compares a process whose threads call \`watchLoop({ threshold: 100 })\` with the
same process with no loopwatch anywhere, and a second unwatched copy (the A/A control: the run's noise floor).
Ratios are per round (watched / unwatched, the same round), then median (min..max) over rounds.

1. **1e6 awaits in a watched worker** (\`fixtures/async-calls-workers.mjs in-worker\`): the calls run in a worker
   thread that calls \`watchLoop()\`; the main thread does not. Timed on the worker's own CPU clock
   (\`/proc/thread-self/schedstat\`; \`process.threadCpuUsage()\` is Node >= 23.9).
2. **HTTP from a worker** (\`fixtures/http-server-worker.mjs\`): the hello-world server of \`overhead-http\`, listening
   on 127.0.0.1 in a worker thread; under the contender preload both threads call \`watchLoop()\`. ${r.http.slices} x ${r.http.sliceSeconds} s
   slices per server in turn (${r.http.loadGenerator} from the benchmark's process, 10 keep-alive connections).
3. **1e6 awaits beside 4 watched workers** (\`async-calls-workers.mjs beside\`): the calls run on the main thread
   while 4 workers run a light timer (1,000 \`Math.sqrt\` every 25 ms); the main thread and each worker call
   \`watchLoop()\` (one watchdog thread serves all five). Timed on the main thread's CPU clock.

For 1 and 3 each round starts a fresh process per contender; they take turns one run of 1e6 calls at a time
(${r.inWorker.iterations} runs each, the order rotated each run) and a round's value is the median of its runs. The awaits
yield to the loop (\`setImmediate\`) every 10,000 calls, as in \`overhead-async\`.

| measure | target | watched / unwatched | verdict | A/A: a second unwatched / unwatched | unwatched, median (min..max) |
|---|---|---|---|---|---|
${row('1. worker thread CPU, ns per await', r.inWorker.summary.threadCpu, 1.01, false)}
${extra('1. the same, process CPU (all threads: the watchdog included)', r.inWorker.summary.processCpu)}
${extra('1. the same, wall time', r.inWorker.summary.wall)}
${row('2. requests/s', r.http.summary.rps, 0.99, true, 0)}
${extra('2. the same, process CPU per request, µs', r.http.summary.cpuPerRequest)}
${row('3. main thread CPU, ns per await', r.beside.summary.threadCpu, 1.01, false)}
${extra('3. the same, process CPU (all threads)', r.beside.summary.processCpu)}
${extra('3. the same, wall time', r.beside.summary.wall)}
${aloneRows.join('\n')}

${noiseNote([['1', r.inWorker.summary.threadCpu], ['2', r.http.summary.rps], ['3', r.beside.summary.threadCpu], ...(alone ? [['3 (alone)', alone.result.beside.summary.threadCpu] as const] : [])])}
`
}

function problems(soak: SoakResult | undefined): string {
  const many = soak?.faults.find((f) => f.name.startsWith('watchLoop() x 100'))
  return `Found by this suite and fixed, each with the test that failed first (the soak above measures the fixed code
when it ran after them; see its date):

- **The host process aborted (SIGABRT, no message) when the watchdog failed while sampling.** The worker ended
  on its own right after disconnecting its inspector session, while the blocked main thread was still tearing
  down its side of the session at an interrupt: Node 20 aborts in \`MainThreadInterface::Post\`. 7 runs in 10 of
  \`faults-watchdog.test.ts\` (the \`throw\` case) crashed; the worker now stays alive until the host terminates it.
- **An async \`'block'\` listener that rejected killed the host** with an unhandled rejection; it is now a
  \`LOOPWATCH_LISTENER_FAILED\` warning like a listener that throws (\`faults-listeners.test.ts\`).
- **Each stack sample leaked about 1 KB of the main thread's heap.** The probe's expression embedded the
  heartbeat sequence (\`...probes.get(id)?.(seq)\`), so every \`Runtime.evaluate\` compiled a new script and V8
  kept them all (evaluating the same source each time does not grow: 3,000 evaluations, +0.07 MB against
  +1.8 MB). In the first soak the heap grew 733 KB/min against 25 KB/min without loopwatch. The expression is now
  constant per watcher, the sequence passed in shared memory: +58 KB over 450 samples instead of +413 KB
  (\`soak-probe-memory.test.ts\`).
- **\`process.exit()\` during a capture printed "Waiting for the debugger to disconnect..."** (the watchdog's
  session was still connected to the main thread). The host now releases the session at exit
  (\`faults-exit.test.ts\`).
- **A block right before a thread or process exits was never reported**: it was measured at the next heartbeat,
  which never came. One \`'exit'\` listener now measures once more and emits what is pending, synchronously
  (\`watch-loop-block-at-exit.test.ts\`).
- **100 \`watchLoop()\` calls started 100 worker threads**: 6.6 s of the main thread, 1.6 GB RSS, and at
  \`threshold: 20\` their probes stalled the loop past the threshold, so they sampled one another's stalls and
  2 of 100 named a 300 ms block. Run alone, the fixture hung for minutes: the start-up stall looked like a
  saturated loop to each watcher, and 100 CPU profilers ran on the main thread at once. Now one watchdog thread
  serves every watcher of the process, and a block is not saturation (\`faults-many-watchers.test.ts\`,
  \`watch-loop-watchers.test.ts\`, \`saturation-summary.test.ts\`).${many ? ` In the soak above: ${many.detail}.` : ''}
`
}

function losses(r: { idle: IdleResult | undefined; asyncCalls: TimedResult | undefined; httpAwait: HttpResult | undefined; http: HttpResult | undefined; httpLong: HttpResult | undefined; capture: CaptureResult | undefined; corpus: CorpusResult | undefined }): string {
  const c = r.capture?.summary
  const score = (contender: Contender, id: string) => r.corpus?.scores.find((x) => x.contender === contender && x.scenario === id)
  const items: string[] = []
  items.push(`- **Idle CPU, against blocked-at.** An idle process with loopwatch burns ${fmtSummary(r.idle?.summary.loopwatch?.value)} ms of CPU per second
  (no watcher: ${fmtSummary(r.idle?.summary.none?.value)}; blocked-at: ${fmtSummary(r.idle?.summary['blocked-at']?.value)}; the Sentry-style watchdog:
  ${fmtSummary(r.idle?.summary['sentry-native']?.value)}). blocked-at costs nothing when nothing runs, because it only hooks callbacks; loopwatch
  wakes the main thread every threshold / 2 (50 ms) for its heartbeat; on this machine a bare 50 ms \`setInterval\`
  costs about 3 ms/s by itself. The watchdog thread checks the heartbeat about 13 times a second, sleeping in
  \`Atomics.wait\` in between (measured alone: 0.8 ms/s, against 3-4 ms/s for the same wake-ups on a timer).`)
  items.push(`- **Promise-heavy code, against the Sentry-style watchdog.** On 1e6 awaited calls loopwatch always-on costs
  ${ratio(r.asyncCalls?.summary.loopwatch?.ratio)} of the baseline's CPU time, the Sentry-style watchdog ${ratio(r.asyncCalls?.summary['sentry-native']?.ratio)};
  on the 20-await HTTP handler, ${ratio(r.httpAwait?.cpuSummary.loopwatch?.ratio)} against ${ratio(r.httpAwait?.cpuSummary['sentry-native']?.ratio)} CPU per request. Both
  watchers do the same thing between blocks (a timer and a polling thread). loopwatch used to keep a
  \`PerformanceObserver\` on \`gc\` entries for \`cause: 'gc'\`, which cost 9 % here (1e6 awaits: half as many scavenges,
  each longer); it now infers GC pauses from a full-GC \`WeakRef\` sentinel and the stretches in which the watchdog's
  probe could not run, at the price of one object per heartbeat.`)
  items.push(`- **The cost of a capture, against the Sentry-style watchdog.** Its native capture stalls the blocked thread
  ${fmtSummary(c?.['sentry-native']?.firstCaptureStallMs)} ms, once per block; loopwatch's first probe (connecting an inspector
  session, then \`Runtime.evaluate\`) ${fmtSummary(c?.loopwatch?.firstCaptureStallMs)} ms, and it keeps sampling every 50 ms while the block
  lasts (${fmtSummary(c?.loopwatch?.laterCaptureStallMs)} ms each), ${fmtSummary(c?.loopwatch?.stallPerBlockMs)} ms over a ~${fmt(c?.loopwatch?.blockMs.median ?? Number.NaN, 0)} ms block. That buys
  the \`profile\` of a long block (where it moved) and the hang reports; a single capture would be cheaper.
  The Sentry-style watchdog also polls at threshold / 2, so its stack arrives later (${fmtSummary(c?.['sentry-native']?.firstCaptureLatencyMs, 1)} ms
  after the block started, against ${fmtSummary(c?.loopwatch?.firstCaptureLatencyMs, 1)} ms).`)
  const worker = score('sentry-native', 'worker-thread')
  const ours = score('loopwatch', 'worker-thread')
  items.push(`- **Worker threads, against the Sentry-style watchdog** (corpus \`worker-thread\`: Sentry-style ${worker?.lineOk ? 'named the culprit and its line' : 'did not name it'}; loopwatch: ${ours?.reported ? `the block's duration${ours.durationOk ? ', within max(5 ms, 5 %)' : ''}, no stack` : 'no report'}).
  The native addon can interrupt any registered thread; an inspector session from a worker can only reach the main
  thread (\`connectToMainThread()\`), so loopwatch measures a worker's blocks without a stack.`)
  items.push(`- **A function whose last act is one long native call**, always-on mode (corpus \`json-parse-tail\`,
  \`json-parse-cjs\`): the probe runs when the call has returned, and so has the function: the stack names its caller's
  line. Sentry's native capture has the same limit (it also interrupts V8). Debug mode intercepts \`JSON.parse\`,
  \`readFileSync\` and the other synchronous APIs and names them exactly (${score('loopwatch-debug', 'json-parse-tail')?.lineOk ? 'it does here' : 'see the table'}).
  A forced \`gc()\` (\`gc-forced\`) is named one frame too high in both modes, by every contender: a GC pause is not a
  call that can be intercepted; loopwatch reports it with \`cause: 'gc'\` instead.`)
  items.push(`- **Duration, against blocked-at.** blocked-at times each callback with async_hooks, so its durations are the
  callback's own. loopwatch measures how long the loop was busy without a break: where other work ran right before or
  after the culprit in the same loop turn (the HTTP request's parsing before a handler, module loading before top-level
  code), its duration includes it, and the score counts that as a miss when it exceeds max(5 ms, 5 %).`)
  const long = r.httpLong?.summary
  items.push(`- **HTTP throughput** is within the noise of this machine for the always-on mode: hello world
  ${ratio(r.http?.summary.loopwatch?.ratio)} requests/s and ${ratio(r.http?.cpuSummary.loopwatch?.ratio)} CPU per request side by side${long ? `, and
  ${ratio(long.loopwatch?.ratio)} over the long run's ${long.loopwatch?.ratio.n ?? 0} rounds, where a second server with no watcher measured
  ${ratio(long.control?.ratio)}` : ''}. Single rounds move by several percent either way; the medians are what to read.`)
  return items.join('\n')
}

interface FieldScoreRow { run: string; round?: number; case: string; expected: string; duration?: number; event: boolean; text: boolean; summary: boolean; otel: boolean; got: Record<string, string> }
interface FieldResult { rounds?: number; loadAverage?: number[]; loadAverageAtEnd?: number[]; scores: FieldScoreRow[] }

/** The field benchmark (benchmarks/field.bench.ts): each case in each of the four outputs, over its rounds. */
export function fieldSection(): string {
  const saved = load<FieldResult>('field')
  if (saved === undefined) return ''
  const { scores, rounds = 1, loadAverage, loadAverageAtEnd } = saved.result
  const keys = ['event', 'text', 'summary', 'otel'] as const
  const groups = new Map<string, FieldScoreRow[]>()
  for (const score of scores) groups.set(`${score.run}\u0000${score.case}`, [...(groups.get(`${score.run}\u0000${score.case}`) ?? []), score])
  const cell = (rows: FieldScoreRow[], key: typeof keys[number]) => {
    const right = rows.filter((r) => r[key]).length
    return right === rows.length ? `${right}/${rows.length}` : `**${right}/${rows.length}**`
  }
  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b)
    return sorted.length === 0 ? Number.NaN : sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN
  }
  const table = ['| run | case | the culprit (marked in the source) | event | printed text | summary() row | OTel `code.*` | block, median ms |', '|---|---|---|---|---|---|---|---|']
  for (const rows of groups.values()) {
    const [first] = rows
    if (first === undefined) continue
    const durations = rows.map((r) => r.duration).filter((d): d is number => d !== undefined)
    table.push(`| ${first.run} | ${first.case} | \`${first.expected}\` | ${keys.map((key) => cell(rows, key)).join(' | ')} | ${fmt(median(durations), 0)} |`)
  }
  const always = (key: typeof keys[number]) => [...groups.values()].filter((rows) => rows.every((r) => r[key])).length
  const wrong = scores.filter((s) => Object.keys(s.got).length > 0)
  const others = ['node22', 'node24'].map((name) => load<FieldResult>(`field-${name}`)).filter((o) => o !== undefined)
  const otherLines = others.map((o) => {
    const groupsOf = new Map<string, FieldScoreRow[]>()
    for (const score of o.result.scores) groupsOf.set(`${score.run}\u0000${score.case}`, [...(groupsOf.get(`${score.run}\u0000${score.case}`) ?? []), score])
    const right = (key: typeof keys[number]) => [...groupsOf.values()].filter((rows) => rows.every((r) => r[key])).length
    return `- Node ${o.node}, ${o.result.rounds ?? 1} rounds (\`--save-as field-node${o.node.slice(1).split('.')[0] ?? ''}\`): right in every round: ${keys.map((key) => `${key} ${right(key)}/${groupsOf.size}`).join(', ')}.`
  })
  return `## Field benchmark: the culprit in real HTTP handlers (issue 14)

\`benchmarks/field.bench.ts\` (\`npm run bench -- --bench field\`): an express and a fastify server (\`benchmarks/field/app.mjs\`),
traced by the real OpenTelemetry SDK (HTTP instrumentation, in-memory exporters), watched by loopwatch **always-on**
(threshold 40 ms, \`otel: { spans: true, logs: true }\`), request handlers calling real blocking libraries
(\`benchmarks/field/handlers.mjs\`; one TypeScript case run through tsx, \`field/typed.ts\`). Each case's culprit, the
app's own function and line, is marked in the source (\`// culprit <case>\`). Scored in four outputs: the event
(\`event.stack\`'s first frame of the app's code), the printed report (its first app frame), a \`summary()\` row
grouped on that frame, and OpenTelemetry (the span event, the \`loopwatch.block\` span and the log record must all
name it in \`code.function.name\`, \`code.file.path\`, \`code.line.number\`). A stall reported as a loop turn of
several callbacks counts as wrong. ${rounds} rounds, the three runs interleaved in each; a cell is the rounds in
which the output was right. Node ${saved.node}; load average ${loadAverage?.join(' / ') ?? 'n/a'} at the start,
${loadAverageAtEnd?.join(' / ') ?? 'n/a'} at the end (a 2-core machine shared with other engineers' benchmarks).

${table.join('\n')}

Right in every round: ${keys.map((key) => `${key} ${always(key)}/${groups.size}`).join(', ')}.
${wrong.length === 0 ? '' : `Wrong: ${wrong.map((s) => `${s.run} ${s.case} round ${s.round ?? 1}: ${Object.entries(s.got).map(([k, v]) => `${k} ${v}`).join('; ')}`).join('. ')}.\n`}${otherLines.length === 0 ? '' : `${otherLines.join('\n')}\n`}
`
}

/** A section measured by hand (its commands are in it), kept as written. */
function handWritten(name: string): string {
  const file = `${resultsDir}${name}`
  return existsSync(file) ? `${readFileSync(file, 'utf8').trimEnd()}\n\n` : ''
}

/** The section benchmarks/field-check.mjs wrote (loopwatch/testing on real suites), kept as written. */
function fieldCheck(): string {
  const file = `${resultsDir}field-check.md`
  return existsSync(file) ? `${readFileSync(file, 'utf8').trimEnd()}\n\n` : ''
}
