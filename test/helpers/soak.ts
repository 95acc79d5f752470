// Shared by the soak and fault tests and by benchmarks/soak.ts: a bounded
// keep-alive load generator for 127.0.0.1 and the analysis of what the
// soak fixtures print.
import { Agent, request } from 'node:http'

export interface Injection { id: number; kind: string; fn: string; ms: number; start: number; end: number }
export interface SoakEvent { startTime: number; duration: number; fn: string | null; line: number | null; samples: number; hang?: boolean }
export interface MemSample { t: number; heapUsed: number; rss: number }

/** GETs / on 127.0.0.1:`port` from `concurrency` keep-alive loops until `signal` aborts. */
export async function loadUntil(port: number, signal: AbortSignal, concurrency = 4): Promise<{ ok: number; failed: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency })
  let ok = 0
  let failed = 0
  const once = () => new Promise<void>((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
      res.resume().on('end', () => {
        if (res.statusCode === 200) ok++
        else failed++
        resolve()
      })
    })
    req.on('error', () => {
      failed++
      resolve()
    })
    req.end()
  })
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (!signal.aborted) await once()
  }))
  agent.destroy()
  return { ok, failed }
}

/** One GET; resolves with the status code. */
export function getOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: '/' }, (res) => {
      res.resume().on('end', () => {
        resolve(res.statusCode ?? 0)
      })
    }).on('error', reject).end()
  })
}

/** `Object.injectWait`, `async x` -> `injectWait`, `x`. */
export function bareName(name: string | null): string {
  return (name ?? '').replace(/^(async|new) /, '').split('.').pop() ?? ''
}

/** The event's time span meets [start, end] (1 ms of slack either side). */
function overlaps(event: SoakEvent, start: number, end: number): boolean {
  return event.startTime <= end + 1 && event.startTime + event.duration >= start - 1
}

/**
 * The event's span and [start, end] share more than 1 ms: an event that ends
 * just as an injected block begins is a stall of its own, not that block's.
 */
function sharesTime(event: SoakEvent, start: number, end: number): boolean {
  return Math.min(event.startTime + event.duration, end) - Math.max(event.startTime, start) > 1
}

export interface SoakAnalysis {
  injections: number
  /** Injected blocks longer than the threshold. */
  overThreshold: number
  events: number
  /** Over-threshold injections reported exactly once, naming the injected function. */
  reportedOnceRight: number
  missed: Injection[]
  duplicated: Injection[]
  wrongCulprit: { injection: Injection; event: SoakEvent }[]
  /** Events that overlap no injected block, but a stall the independent timer saw: real stalls nobody injected. */
  realUninjected: SoakEvent[]
  /** Events that overlap neither an injected block nor a stall the independent timer saw: invented. */
  falsePositives: SoakEvent[]
  /** Injections under the threshold that were reported (their stall, with the load around it, crossed it). */
  underReported: number
}

export function analyzeSoak(lines: Record<string, unknown>[], thresholdMs: number): SoakAnalysis {
  const injections = lines.flatMap((l) => ('injection' in l ? [l['injection'] as Injection] : []))
  const events = lines.flatMap((l) => ('event' in l ? [l['event'] as SoakEvent] : []))
  const result: SoakAnalysis = {
    injections: injections.length, overThreshold: 0, events: events.length, reportedOnceRight: 0,
    missed: [], duplicated: [], wrongCulprit: [], realUninjected: [], falsePositives: [], underReported: 0,
  }
  const gaps = lines.flatMap((l) => ('gap' in l ? [l['gap'] as { start: number; end: number }] : []))
  for (const injection of injections) {
    const matching = events.filter((e) => sharesTime(e, injection.start, injection.end))
    if (injection.ms <= thresholdMs) {
      if (matching.length > 0) result.underReported++
      continue
    }
    result.overThreshold++
    if (matching.length === 0) result.missed.push(injection)
    else if (matching.length > 1) result.duplicated.push(injection)
    const wrong = matching.find((e) => bareName(e.fn) !== injection.fn)
    if (wrong) result.wrongCulprit.push({ injection, event: wrong })
    else if (matching.length === 1) result.reportedOnceRight++
  }
  const uninjected = events.filter((e) => !injections.some((i) => sharesTime(e, i.start, i.end)))
  result.realUninjected = uninjected.filter((e) => gaps.some((g) => overlaps(e, g.start, g.end)))
  result.falsePositives = uninjected.filter((e) => !gaps.some((g) => overlaps(e, g.start, g.end)))
  return result
}

export interface RaceSpan { fns: string[]; start: number; end: number; block?: boolean }

export interface RaceAnalysis {
  blocks: number
  events: number
  /** Events naming a function that did not run during them: a stale sample. */
  stale: { event: SoakEvent; spans: RaceSpan[] }[]
  /** Events whose sample came after the blocking function returned, later in the same stall. */
  afterBlock: number
  /** Events without a stack. */
  withoutStack: number
}

export function analyzeRaces(lines: Record<string, unknown>[]): RaceAnalysis {
  const spans = lines.flatMap((l) => ('span' in l ? [l['span'] as RaceSpan] : []))
  const events = lines.flatMap((l) => ('event' in l ? [l['event'] as SoakEvent] : []))
  const result: RaceAnalysis = { blocks: spans.filter((s) => s.block).length, events: events.length, stale: [], afterBlock: 0, withoutStack: 0 }
  for (const event of events) {
    if (event.fn === null) {
      result.withoutStack++
      continue
    }
    const during = spans.filter((s) => overlaps(event, s.start, s.end))
    const fn = bareName(event.fn)
    if (!during.some((s) => s.fns.includes(fn))) result.stale.push({ event, spans: during })
    else if (!during.some((s) => s.block && s.fns[0] === fn)) result.afterBlock++
  }
  return result
}

/** Least-squares slope of y over x. */
export function slope(points: readonly (readonly [number, number])[]): number {
  const n = points.length
  if (n < 2) return 0
  const mx = points.reduce((s, [x]) => s + x, 0) / n
  const my = points.reduce((s, [, y]) => s + y, 0) / n
  let num = 0
  let den = 0
  for (const [x, y] of points) {
    num += (x - mx) * (y - my)
    den += (x - mx) ** 2
  }
  return den === 0 ? 0 : num / den
}

/** Heap and RSS slopes in KB per minute over the second half of the run (after warm-up). */
export function memorySlopes(lines: Record<string, unknown>[]): { heapKBPerMin: number; rssKBPerMin: number; samples: number; heapMB: [number, number]; rssMB: [number, number] } {
  const mem = lines.flatMap((l) => ('mem' in l ? [l['mem'] as MemSample] : []))
  const tail = mem.slice(Math.floor(mem.length / 2))
  const perMin = (pick: (m: MemSample) => number) => slope(tail.map((m) => [m.t / 60_000, pick(m) / 1024] as const))
  const mb = (pick: (m: MemSample) => number): [number, number] => [Math.min(...mem.map(pick)) / 2 ** 20, Math.max(...mem.map(pick)) / 2 ** 20]
  return { heapKBPerMin: perMin((m) => m.heapUsed), rssKBPerMin: perMin((m) => m.rss), samples: mem.length, heapMB: mb((m) => m.heapUsed), rssMB: mb((m) => m.rss) }
}
