// The watchdog thread's work, one thread for all the watchers of the main thread. It
// sleeps until the main thread's heartbeat is as old as the lowest threshold,
// then connects an inspector session to the main thread and samples its live
// stack with the probe until the next heartbeat.
import { writeSync } from 'node:fs'
import { Session, type Profiler } from 'node:inspector'
import { parentPort, workerData } from 'node:worker_threads'
import { createDebug } from '../core/debug-log.js'
import { escapeControl } from '../report/escape.js'
import { formatHang, formatHangRepeat } from '../report/format.js'
import { probeExpression } from './probe.js'
import { FrameResolver, isAppFrame, stackKey, type RawFrame, type StackFrame } from './frames.js'
import type { ProfileEntry } from '../core/events.js'
import { summarizeHot } from '../saturation/saturation.js'
import {
  SharedBeat, type CaptureMessage, type ClientsMessage, type ReadyMessage, type SaturationMessage, type SaturationRequest,
  type WatchdogConfig,
} from './protocol.js'
import { openEventsFile, writeHangRecord } from '../report/events-file.js'
import { OtherThreadsWait, waitedBetweenMs } from './threads-wait.js'

const debug = createDebug('loopwatch:watchdog')
// Set by runWatchdog(): importing this module does nothing on its own.
let config: WatchdogConfig
let shared: SharedBeat
let probeSource: string
let resolver: FrameResolver
/** The main thread's id is the process id. */
let othersWait: OtherThreadsWait | undefined
/** Past this many samples, sample only when a hang report is due, or a watcher's threshold. */
const kMaxSamples = 100
/**
 * A probe that waits longer than this to run found the main thread unable to
 * run JavaScript (a GC pause or a native call): JavaScript-bound code runs it
 * within a fraction of a millisecond, at its next interrupt check.
 */
const kUnresponsiveMs = 2
const kTimedOut = Symbol('timed out')
const kEnded = Symbol('stall ended')
const kSealed = Symbol('probed callback returned')

type Client = ClientsMessage['added'][number]
/** The watchers served now; none until the host's first message. */
let clients: Client[] = []
const clientsById = new Map<number, Client>()
/** The lowest threshold of the watchers: stalls past it are sampled. */
let thresholdMs = Number.POSITIVE_INFINITY
/** Time between samples of one block: often enough to see where a long block moves. */
let sampleIntervalMs = 100
/** The CLI's events files, by path: hangs are recorded there too, for a process that never gets unstuck. */
const eventsFds = new Map<string, number | undefined>()
/** The timer `watch()` waits on while it cannot sleep (starting, or sampling saturation). */
let watchTimer: NodeJS.Timeout | undefined

function serve({ version, added, removed }: ClientsMessage): void {
  for (const id of removed) clientsById.delete(id)
  for (const client of added) clientsById.set(client.id, client)
  clients = [...clientsById.values()]
  thresholdMs = Math.min(...clients.map((client) => client.thresholdMs))
  sampleIntervalMs = Math.min(100, Math.max(10, thresholdMs / 2))
  for (const { eventsFile } of added) {
    if (eventsFile !== undefined && !eventsFds.has(eventsFile)) eventsFds.set(eventsFile, openEventsFile(eventsFile))
  }
  debug('serving %d watchers (version %d), threshold %d ms', clients.length, version, thresholdMs)
  // A wait timed for the old threshold would miss a stall past the new one.
  if (watchTimer !== undefined) {
    clearTimeout(watchTimer)
    watchTimer = undefined
    setImmediate(watch)
  }
  parentPort?.postMessage({ type: 'ready', version } satisfies ReadyMessage)
}

let lastSampledSeq = -1
/** Saturation samplings under way: they need this thread's event loop, which a blocking sleep would hold up. */
let saturationSamplings = 0

function watch(): void {
  watchTimer = undefined
  for (;;) {
    if (clients.length === 0) {
      // Starting: let the event loop deliver the host's first message.
      watchTimer = setTimeout(watch, 1000)
      return
    }
    const seq = shared.seq()
    const ageMs = Number(process.hrtime.bigint() - shared.beatTimeNs()) / 1e6
    if (ageMs >= thresholdMs && seq !== lastSampledSeq) {
      lastSampledSeq = seq
      sample(seq).then(watch, onSamplingFailed)
      return
    }
    // A stall we already sampled and found idle (the main thread is running
    // exit handlers, say) is not sampled again: check back a threshold later.
    const waitMs = Math.max(1, Math.ceil(seq === lastSampledSeq ? thresholdMs : thresholdMs - ageMs))
    if (shared.takeMail()) {
      // Let the event loop deliver the host's message, then carry on.
      setImmediate(watch)
      return
    }
    if (saturationSamplings > 0) {
      watchTimer = setTimeout(watch, waitMs)
      return
    }
    shared.sleep(waitMs)
  }
}

function onSamplingFailed(error: unknown): void {
  debug('sampling failed: %O', error)
  parentPort?.postMessage({ type: 'failed', message: String(error) })
  // Stay alive until the host terminates this thread. Ending on our own
  // right after the session's disconnect races with the main thread
  // tearing down its side of the session (it does so at an interrupt,
  // while still blocked): Node 20 aborts the whole process in
  // MainThreadInterface::Post (test/integration/faults-watchdog.test.ts,
  // the `throw` case, crashed 7 runs in 10).
  setInterval(() => undefined, 60_000)
}

async function sample(seq: number): Promise<void> {
  const startedNs = shared.beatTimeNs()
  const elapsedMs = (): number => Number(process.hrtime.bigint() - startedNs) / 1e6
  const session = connect()
  // Only for watchers that account CPU time (the `cpu` option).
  if (clients.some((client) => client.cpu)) othersWait ??= new OtherThreadsWait(process.pid)
  const othersBefore = clients.some((client) => client.cpu) ? othersWait?.read() : undefined
  // Settles when a beat ends the stall, or when the main thread exits.
  const ended = shared.ended(seq).then((): typeof kEnded => kEnded)
  // The probed callback returned (the probe's microtask ran). Usually the
  // heartbeat follows within a heartbeat period; if none comes within a
  // threshold, the loop is still stuck (an endless microtask chain, or more
  // long callbacks in this turn) and sampling goes on.
  let sealed = shared.whenSealed(seq).then((): typeof kSealed => kSealed)
  const onSealed = async (): Promise<boolean> => {
    if ((await withTimeout([ended], Math.min(thresholdMs, Math.max(1, nextHangMs() - elapsedMs())))) === kEnded) return true
    shared.unseal()
    sealed = shared.whenSealed(seq).then((): typeof kSealed => kSealed)
    return false
  }
  debug('stall of seq %d: sampling', seq)

  const profile = new Map<string, ProfileEntry>()
  /** Async ids of the callbacks the samples landed in. */
  const callbacks = new Map<number, number>()
  let sealedAtMs: number | undefined
  /** When the first sample was taken, in ms after the heartbeat: the probed callback was running then. */
  let firstSampleAtMs: number | undefined
  let latest: StackFrame[] | undefined
  let samples = 0
  // Each watcher's hang reports, on its own schedule.
  const hangs = clients.map((client) => ({
    client, nextMs: client.hangTimeoutMs, intervalMs: client.hangTimeoutMs, lastKey: undefined as string | undefined, due: false,
  }))
  const nextHangMs = (): number => Math.min(...hangs.map((h) => h.nextMs))
  // Past kMaxSamples, a watcher whose threshold is still ahead must still get
  // a probe once the stall reaches it (it ignores probes of shorter stalls).
  const thresholds = [...new Set(clients.map((client) => client.thresholdMs))].sort((a, b) => a - b)
  const nextThresholdMs = (): number => thresholds.find((ms) => ms > elapsedMs()) ?? Number.POSITIVE_INFINITY
  let pending: Promise<RawFrame[] | null> | undefined
  let pendingSinceMs = 0
  /** When probes waited to run: [from, to] in hrtime ms. */
  const unresponsive: [number, number][] = []
  /** The probe was answered (or the stall ended): records how long it waited to begin. */
  const waited = (answered: boolean): void => {
    const startedMs = Number(shared.probeStartNs()) / 1e6
    const untilMs = answered && startedMs >= pendingSinceMs ? startedMs : hrtimeMs()
    const waitMs = untilMs - pendingSinceMs
    if (waitMs <= kUnresponsiveMs) return
    // A first probe that waited half a threshold or more found the main
    // thread unable to run JavaScript from the block's start, as far as we
    // can tell: count the stretch from the last heartbeat (the main thread
    // clips it to the block).
    const first = samples === 0 && unresponsive.length === 0
    const fromMs = first && waitMs >= thresholdMs / 2 ? Number(startedNs) / 1e6 : pendingSinceMs
    unresponsive.push([fromMs, untilMs])
  }
  try {
    for (;;) {
      // Never wait on the probe past a due hang report: inside a long native
      // call the probe cannot run, and the report must still go out.
      if (pending === undefined) {
        pendingSinceMs = hrtimeMs()
        pending = evaluate(session, seq)
      }
      const raw = await withTimeout<RawFrame[] | null | typeof kEnded | typeof kSealed>([pending, ended, sealed], nextHangMs() - elapsedMs())
      if (raw === kEnded) {
        waited(false)
        break
      }
      if (raw === kSealed) {
        sealedAtMs ??= elapsedMs()
        if (await onSealed()) {
          waited(false)
          break
        }
        continue
      }
      if (raw !== kTimedOut) {
        waited(true)
        pending = undefined
        if (raw === null) break
        // A probe that finds no JavaScript landed between two callbacks of
        // the stall, or between the reactions of a microtask storm (`for (;;)
        // await null` has none of its own frames there): the stall goes on
        // until a heartbeat ends it, so sampling does too.
        if (raw.length > 0) {
          const stack = resolver.resolve(raw)
          if (samples === 0) {
            const ranAtMs = Number(shared.probeStartNs() - startedNs) / 1e6
            firstSampleAtMs = ranAtMs > 0 && ranAtMs <= elapsedMs() ? ranAtMs : elapsedMs()
          }
          samples++
          const callback = shared.probeCallback()
          callbacks.set(callback, (callbacks.get(callback) ?? 0) + 1)
          addSample(profile, stack)
          // Hang reports name the app's code: a sample of Node's internals
          // alone (between microtasks) does not replace one that had it.
          if (latest === undefined || stack.some((frame) => !frame.internal) || !latest.some((frame) => !frame.internal)) latest = stack
        }
      }
      for (const h of hangs) {
        const nowMs = elapsedMs()
        if (nowMs < h.nextMs) continue
        h.due = true
        const { thresholdMs: threshold, hangTimeoutMs, writeHangs, eventsFile } = h.client
        const key = latest && stackKey(latest)
        const same = key !== undefined && key === h.lastKey
        if (writeHangs) writeStderr(`${same ? formatHangRepeat(nowMs) : formatHang(nowMs, threshold, latest)}\n`)
        const eventsFd = eventsFile === undefined ? undefined : eventsFds.get(eventsFile)
        if (eventsFd !== undefined) writeHangRecord(eventsFd, nowMs, threshold, latest)
        h.lastKey = key
        // The same stack again: report it ever less often (1x, 2x, 4x ...
        // hangTimeout); a new stack is reported at the next hangTimeout.
        h.intervalMs = same ? h.intervalMs * 2 : hangTimeoutMs
        while (h.nextMs <= nowMs) h.nextMs += h.intervalMs
      }
      if (pending) continue
      const untilDueMs = Math.min(nextHangMs(), nextThresholdMs()) - elapsedMs()
      const pauseMs = samples < kMaxSamples ? Math.min(sampleIntervalMs, untilDueMs) : untilDueMs
      const paused = await withTimeout<typeof kEnded | typeof kSealed>([ended, sealed], Math.max(1, pauseMs))
      if (paused === kEnded) break
      if (paused === kSealed) sealedAtMs ??= elapsedMs()
      if (paused === kSealed && await onSealed()) break
    }
  } finally {
    disconnect(session)
  }
  debug('seq %d: %d samples', seq, samples)
  const othersAfter = othersBefore && othersWait?.read()
  const message: CaptureMessage = {
    type: 'capture',
    seq,
    samples,
    stack: mostSampled(profile) ?? [],
    profile: sortedProfile(profile),
    hangs: hangs.filter((h) => h.due).map((h) => h.client.id),
    unresponsive,
    callbacks: callbacks.size,
    topCallbackSamples: Math.max(0, ...callbacks.values()),
    ...(sealedAtMs === undefined ? {} : { sealedAtMs }),
    ...(firstSampleAtMs === undefined ? {} : { firstSampleAtMs }),
  }
  if (othersBefore !== undefined && othersAfter !== undefined) message.othersWaiting = waitedBetweenMs(othersBefore, othersAfter)
  parentPort?.postMessage(message)
}

/** Writes a hang report; a closed or broken stderr drops it (the host's own reports count theirs). */
function writeStderr(text: string): void {
  try {
    writeSync(2, escapeControl(text))
  } catch {
    debug('a hang report could not be written to stderr')
  }
}

function hrtimeMs(): number {
  return Number(process.hrtime.bigint()) / 1e6
}

/**
 * A probe that never runs: without the inspector there is no way to the
 * main thread. One per stall: a single shared one would collect the
 * reactions of every race against it, for good.
 */
function never(): Promise<never> {
  return new Promise<never>(() => undefined)
}

function connect(): Session | undefined {
  if (!config.inspector) return undefined
  const session = new Session()
  shared.setConnected(true)
  session.connectToMainThread()
  return session
}

function disconnect(session: Session | undefined): void {
  if (session === undefined) return
  session.disconnect()
  shared.setConnected(false)
}

/**
 * Samples a busy (saturated) main thread for `durationMs` with V8's CPU
 * profiler at a coarse interval. Not the probe: a probe runs at the next
 * interrupt check, so the time of a native call (`JSON.parse`, most of
 * `readFileSync`) lands in whatever JavaScript runs after it returns, often
 * another function (measured: 97% of samples in the handler's `res.end`, 0%
 * in the `JSON.parse` before it). The profiler's signal-driven samples see
 * the native frame and its caller. Only while saturated, for one window.
 */
async function sampleSaturation({ id, durationMs, intervalMs }: SaturationRequest): Promise<void> {
  const session = connect()
  if (session === undefined) {
    parentPort?.postMessage({ type: 'saturation', id, samples: 0, hot: [] } satisfies SaturationMessage)
    return
  }
  const exiting = shared.exitingWithin(durationMs).then((exited) => (exited ? kEnded : kTimedOut))
  let profile: ProfileEntry[] = []
  try {
    await post(session, 'Profiler.enable')
    await post(session, 'Profiler.setSamplingInterval', { interval: Math.round(intervalMs * 1000) })
    await post(session, 'Profiler.start')
    const stopped = (await withTimeout([exiting], durationMs)) === kEnded
    const result = await post(session, 'Profiler.stop') as { profile: Profiler.Profile }
    if (!stopped) profile = profileEntries(result.profile)
  } catch (error) {
    debug('saturation profile failed: %O', error)
  } finally {
    disconnect(session)
  }
  // Summed up here: loopwatch's own work stays off the thread it watches.
  const { samples, hot } = summarizeHot(profile)
  debug('saturation %d: %d samples', id, samples)
  const message: SaturationMessage = { type: 'saturation', id, samples, hot }
  parentPort?.postMessage(message)
}

/**
 * V8's profile as distinct stacks with their sample counts, idle, GC and VM
 * samples left out. A function's samples are split by the line they hit
 * (`positionTicks`): the `JSON.parse` line and the `readFileSync` line of
 * one function are two places to look.
 */
function profileEntries({ nodes }: Profiler.Profile): ProfileEntry[] {
  const byId = new Map(nodes.map((node) => [node.id, node]))
  const parentOf = new Map<number, number>()
  for (const node of nodes) for (const child of node.children ?? []) parentOf.set(child, node.id)
  const profile = new Map<string, ProfileEntry>()
  for (const node of nodes) {
    const { functionName, url, lineNumber, columnNumber } = node.callFrame
    if (!node.hitCount || kVmNodes.has(functionName)) continue
    const callers: RawFrame[] = []
    for (let at = parentOf.get(node.id); at !== undefined; at = parentOf.get(at)) {
      const frame = (byId.get(at) as Profiler.ProfileNode).callFrame
      if (frame.functionName === '(root)') break
      callers.push([frame.functionName || '<anonymous>', frame.url, frame.lineNumber + 1, frame.columnNumber + 1])
    }
    const lines = node.positionTicks?.length
      ? node.positionTicks.map(({ line, ticks }) => ({ line, column: 1, ticks }))
      : [{ line: lineNumber + 1, column: columnNumber + 1, ticks: node.hitCount }]
    for (const { line, column, ticks } of lines) {
      addSample(profile, resolver.resolve([[functionName || '<anonymous>', url, line, column], ...callers]), ticks)
    }
  }
  return sortedProfile(profile)
}

/** Profile nodes that are not code: idle time, GC, the VM itself. */
const kVmNodes = new Set(['(idle)', '(program)', '(garbage collector)', '(root)'])

function post(session: Session, method: string, params?: object): Promise<unknown> {
  return new Promise((resolve, reject) => {
    session.post(method, params, (error, result) => {
      if (error) reject(error)
      else resolve(result)
    })
  })
}

function addSample(profile: Map<string, ProfileEntry>, stack: StackFrame[], count = 1): void {
  const key = stackKey(stack)
  const entry = profile.get(key)
  if (entry) entry.count += count
  else profile.set(key, { stack, count })
}

/**
 * The event's stack: the most sampled stack of the function most samples
 * blamed (the app's innermost frame, else the innermost user frame; the earliest on a tie;
 * samples of Node's code alone only when no sample blamed a function). The first
 * sample alone can land in other code of the same stall, run just before
 * the block (measured under HTTP load: 1 sample in Node's HTTP internals,
 * then 28 in the blocking function), or at the blocking function's first
 * line, on its way in. (Weighing each sample by the time since the previous
 * one, to count probes starved by GC pauses, was tried and dropped: under
 * jest it blamed a block on an earlier test's function.)
 */
function culpritKey(stack: StackFrame[]): string {
  // The app's own frame: samples deep in a library land in many of its functions.
  const culprit = stack.find(isAppFrame) ?? stack.find((frame) => !frame.internal)
  return culprit === undefined ? '' : `${culprit.functionName}@${culprit.file}`
}

function mostSampled(profile: Map<string, ProfileEntry>): StackFrame[] | undefined {
  // Samples per culprit, in the order culprits were first sampled (ties go to the earliest).
  const culprits = new Map<string, number>()
  for (const entry of profile.values()) {
    const key = culpritKey(entry.stack)
    culprits.set(key, (culprits.get(key) ?? 0) + entry.count)
  }
  // Samples in Node's code alone (between microtasks, in the timers'
  // loop) name no culprit: they lose to any that do. Seen on Node 24 CI: a
  // 1.5 s `for (;;) await null` stall whose probes landed more often in
  // runNextTicks, between the microtasks, than in awaitInALoop.
  let top: string | undefined
  let topCount = 0
  for (const [key, count] of culprits) {
    if (key === '' && culprits.size > 1) continue
    if (count > topCount) {
      top = key
      topCount = count
    }
  }
  let best: ProfileEntry | undefined
  for (const entry of profile.values()) {
    if (culpritKey(entry.stack) === top && (best === undefined || entry.count > best.count)) best = entry
  }
  return best?.stack
}

function sortedProfile(profile: Map<string, ProfileEntry>): ProfileEntry[] {
  return [...profile.values()].sort((a, b) => b.count - a.count)
}

/**
 * Runs the probe on the main thread: the raw stack, empty when no
 * JavaScript was running; `null` when the stall is already over.
 */
function evaluate(session: Session | undefined, seq: number): Promise<RawFrame[] | null> {
  // Hang reports still go out on their schedule, without a stack.
  if (session === undefined) return never()
  shared.setProbeSeq(seq)
  return new Promise((resolve) => {
    session.post('Runtime.evaluate', { expression: probeSource, returnByValue: true, silent: true },
      (error, result) => {
        const value: unknown = error ? undefined : result.result.value
        if (!Array.isArray(value)) {
          if (error) debug('probe failed: %O', error)
          else debug('stale probe for seq %d dropped', seq)
          resolve(null)
          return
        }
        resolve(value as RawFrame[])
      })
  })
}

/** The first of `promises` to settle, or `kTimedOut` after `ms` (the timer keeps the thread alive meanwhile). */
function withTimeout<T>(promises: Promise<T>[], ms: number): Promise<T | typeof kTimedOut> {
  if (ms <= 0) return Promise.resolve(kTimedOut)
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<typeof kTimedOut>((resolve) => {
    timer = setTimeout(resolve, ms, kTimedOut)
  })
  return Promise.race([...promises, timeout]).finally(() => {
    clearTimeout(timer)
  })
}

/** Starts the watchdog in this thread (the worker's entry point). */
export function runWatchdog(): void {
  config = workerData as WatchdogConfig
  shared = new SharedBeat(config.buffer)
  probeSource = probeExpression(config.probeId)
  resolver = new FrameResolver(config.ownDir)
  parentPort?.on('message', (request: ClientsMessage | SaturationRequest) => {
    if (request.type === 'clients') {
      serve(request)
      return
    }
    saturationSamplings++
    sampleSaturation(request).catch((error: unknown) => {
      debug('saturation sampling failed: %O', error)
    }).finally(() => {
      saturationSamplings--
    })
  })
  // The listener must not keep this thread alive on its own.
  parentPort?.unref()
  setImmediate(watch)
}
