// The watchdog thread's work: one thread for every watched thread of the
// process. It sleeps until a thread's heartbeat is as old as the lowest
// threshold of its watchers, then samples that thread's live stack with the
// probe until its next heartbeat: the main thread through a session of its
// own (`connectToMainThread()`), a worker thread through the main thread's
// `NodeWorker` domain (worker-route.ts).
import { writeSync } from 'node:fs'
import { Session, type Profiler } from 'node:inspector'
import { BroadcastChannel, parentPort, workerData } from 'node:worker_threads'
import { createDebug } from '../core/debug-log.js'
import { escapeControl } from '../report/escape.js'
import { formatHang, formatHangRepeat } from '../report/format.js'
import { probeExpression } from './probe.js'
import { eventStack } from './event-stack.js'
import { FrameResolver, stackKey, type RawFrame, type StackFrame } from './frames.js'
import type { ProfileEntry } from '../core/events.js'
import { summarizeHot } from '../saturation/saturation.js'
import {
  kChannelName, Mailbox, SharedBeat, type CaptureMessage, type ChannelMessage, type ClientsMessage, type FromWatchdog,
  type ReadyMessage, type RetiredMessage, type SaturationMessage, type SaturationRequest, type TargetInit, type ToWatchdog, type WatchdogConfig,
} from './protocol.js'
import { openEventsFile, writeHangRecord } from '../report/events-file.js'
import { OtherThreadsWait, waitedBetweenMs } from './threads-wait.js'
import { WorkerRoute } from './worker-route.js'

const debug = createDebug('loopwatch:watchdog')
// Set by runWatchdog(): importing this module does nothing on its own.
let config: WatchdogConfig
let mail: Mailbox
let resolver: FrameResolver
let route: WorkerRoute
/** Past this many samples, sample only when a hang report is due, or a watcher's threshold. */
const kMaxSamples = 100
/**
 * A probe that waits longer than this to run found the thread unable to
 * run JavaScript (a GC pause or a native call): JavaScript-bound code runs it
 * within a fraction of a millisecond, at its next interrupt check.
 */
const kUnresponsiveMs = 2
/**
 * The longest the watchdog sleeps: each wake-up shows the threads it serves
 * from other threads that it is alive (host.ts), at a few microseconds each.
 */
const kMaxSleepMs = 250
/** How long a probe waits for a worker the route has not attached yet. */
const kAttachWaitMs = 1000
/**
 * How long a worker's stall that has ended waits for its probe's answer,
 * held up on the way back by a blocked main thread: well within the second
 * the thread waits for the capture (host.ts).
 */
const kLateAnswerMs = 600
/**
 * How long the main thread's answer may trail the seal of the stall its
 * probe ran in: it left as the probe returned, before the seal.
 */
const kSealedAnswerMs = 100
const kTimedOut = Symbol('timed out')
const kEnded = Symbol('stall ended')
const kSealed = Symbol('probed callback returned')

type Client = ClientsMessage['added'][number]
/** The CLI's events files, by path: hangs are recorded there too, for a process that never gets unstuck. */
const eventsFds = new Map<string, number | undefined>()
/** The timer `watch()` waits on while it cannot sleep (starting, or sampling). */
let watchTimer: NodeJS.Timeout | undefined
let watchQueued = false
/** Saturation samplings under way: they need this thread's event loop, which a blocking sleep would hold up. */
let saturationSamplings = 0

/** A thread the watchdog serves. */
class Target {
  readonly threadId: number
  readonly name: string
  readonly tid: number | undefined
  readonly shared: SharedBeat
  readonly probeSource: string
  /** Posts to the thread's host. */
  readonly send: (message: FromWatchdog) => void
  /** The watchers served now; none until the host's first message. */
  clients: Client[] = []
  readonly clientsById = new Map<number, Client>()
  /** The lowest threshold of the watchers: stalls past it are sampled. */
  thresholdMs = Number.POSITIVE_INFINITY
  /** Time between samples of one block: often enough to see where a long block moves. */
  sampleIntervalMs = 100
  lastSampledSeq = -1
  sampling = false
  /** Stopped serving: the thread left, ended, or its sampling failed. */
  gone = false
  /** The thread yields to another watchdog, which samples its stalls after this sequence. */
  lastSeq = Number.POSITIVE_INFINITY
  othersWait: OtherThreadsWait | undefined

  constructor(init: TargetInit, send: (message: FromWatchdog) => void) {
    this.threadId = init.threadId
    this.name = init.name
    this.tid = init.tid
    this.shared = new SharedBeat(init.buffer)
    this.probeSource = probeExpression(init.probeId)
    this.send = send
    // The stalls before are the yielding watchdog's.
    if (init.fromSeq !== undefined) this.lastSampledSeq = init.fromSeq - 1
    if (this.isWorker) route.open()
  }

  get isWorker(): boolean {
    return this.threadId !== 0
  }

  serve({ version, added, removed }: ClientsMessage): void {
    for (const id of removed) this.clientsById.delete(id)
    for (const client of added) this.clientsById.set(client.id, client)
    this.clients = [...this.clientsById.values()]
    this.thresholdMs = Math.min(...this.clients.map((client) => client.thresholdMs))
    this.sampleIntervalMs = Math.min(100, Math.max(10, this.thresholdMs / 2))
    for (const { eventsFile } of added) {
      if (eventsFile !== undefined && !eventsFds.has(eventsFile)) eventsFds.set(eventsFile, openEventsFile(eventsFile))
    }
    debug('thread %d: serving %d watchers (version %d), threshold %d ms', this.threadId, this.clients.length, version, this.thresholdMs)
    // A wait timed for the old threshold would miss a stall past the new one.
    wake()
    this.send({ type: 'ready', version } satisfies ReadyMessage)
  }

  /** Stops serving the thread; a sampling under way ends at its next step. */
  end(): void {
    if (this.gone) return
    this.gone = true
    targets.delete(this.threadId)
    if (this.isWorker) route.close()
    debug('thread %d: no longer served', this.threadId)
  }
}

/** The threads served, by thread id. */
const targets = new Map<number, Target>()

/** Runs `watch()` again soon, from the event loop (a message changed what to wait for). */
function wake(): void {
  if (watchTimer !== undefined) {
    clearTimeout(watchTimer)
    watchTimer = undefined
    queueWatch()
  }
}

function queueWatch(): void {
  if (watchQueued) return
  watchQueued = true
  setImmediate(watch)
}

function watch(): void {
  watchQueued = false
  watchTimer = undefined
  for (;;) {
    mail.alive()
    let waitMs = kMaxSleepMs
    let serving = false
    let sampling = saturationSamplings > 0
    for (const target of targets.values()) {
      if (target.clients.length === 0) continue
      serving = true
      if (target.sampling) {
        sampling = true
        continue
      }
      const seq = target.shared.seq()
      if (seq > target.lastSeq) {
        retire(target)
        continue
      }
      const ageMs = Number(process.hrtime.bigint() - target.shared.beatTimeNs()) / 1e6
      // An exiting thread waits for the watchdog's sessions to close: no stall to sample.
      if (ageMs >= target.thresholdMs && seq !== target.lastSampledSeq && !target.shared.exiting()) {
        target.lastSampledSeq = seq
        target.sampling = true
        sampling = true
        sample(target, seq).then(() => {
          target.sampling = false
          wake()
        }, (error: unknown) => {
          onSamplingFailed(target, error)
        })
        continue
      }
      // A stall we already sampled and found idle (the thread is running
      // exit handlers, say) is not sampled again: check back a threshold later.
      waitMs = Math.min(waitMs, Math.max(1, Math.ceil(seq === target.lastSampledSeq ? target.thresholdMs : target.thresholdMs - ageMs)))
    }
    if (mail.take()) {
      // Let the event loop deliver the hosts' messages, then carry on.
      queueWatch()
      return
    }
    // Starting (no watcher yet), or sampling: the event loop must run.
    if (!serving || sampling) {
      watchTimer = setTimeout(watch, serving ? waitMs : 1000)
      return
    }
    mail.sleep(waitMs)
  }
}

function onSamplingFailed(target: Target, error: unknown): void {
  debug('thread %d: sampling failed: %O', target.threadId, error)
  target.end()
  target.send({ type: 'failed', message: String(error) })
  // The thread that started the watchdog ends it (it terminates this
  // thread). Ending on our own right after the session's disconnect races
  // with the main thread tearing down its side of the session (it does so
  // at an interrupt, while still blocked): Node 20 aborts the whole process
  // in MainThreadInterface::Post (test/integration/faults-watchdog.test.ts,
  // the `throw` case, crashed 7 runs in 10). So this thread stays alive
  // until then, and serves the others meanwhile.
  setInterval(() => undefined, 60_000)
  wake()
}

async function sample(target: Target, seq: number): Promise<void> {
  const { shared, clients, thresholdMs, sampleIntervalMs } = target
  const startedNs = shared.beatTimeNs()
  const elapsedMs = (): number => Number(process.hrtime.bigint() - startedNs) / 1e6
  const line = openLine(target)
  // Only for watchers that account CPU time (the `cpu` option), where the thread's kernel id is known.
  const tid = target.isWorker ? target.tid : process.pid
  if (tid !== undefined && clients.some((client) => client.cpu)) target.othersWait ??= new OtherThreadsWait(tid)
  const othersBefore = clients.some((client) => client.cpu) ? target.othersWait?.read() : undefined
  // Settles when a beat ends the stall, or when the thread exits.
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
  debug('thread %d: stall of seq %d: sampling', target.threadId, seq)

  const profile = new Map<string, ProfileEntry>()
  /** Samples a native call's wait stands for, by stack key, on top of the profile's (for the culprit only). */
  const heldWeight = new Map<string, number>()
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
  /** A worker's stall: how long its probes waited for the main thread to pass them on. */
  let routeHeldMs = 0
  /** The probe was answered (or the stall ended): records how long it waited to begin, and returns it. */
  const waited = (answered: boolean): number => {
    const startedMs = Number(shared.probeStartNs()) / 1e6
    const untilMs = answered && startedMs >= pendingSinceMs ? startedMs : hrtimeMs()
    // A worker's probe reached it only once the main thread passed it on:
    // until then the wait was the route's, not the worker's.
    const relayedMs = Math.min(untilMs, line.relayedAtMs() ?? (target.isWorker ? untilMs : pendingSinceMs))
    if (relayedMs - pendingSinceMs > kUnresponsiveMs) routeHeldMs += relayedMs - pendingSinceMs
    // Its answer comes back the same way: a main thread blocked after passing
    // the probe on holds the answer, and with it every later sample (seen:
    // one sample of a 500 ms block, its answer 600 ms late, behind an execSync).
    const backMs = answered && target.isWorker ? hrtimeMs() - untilMs : 0
    if (backMs > kUnresponsiveMs) routeHeldMs += backMs
    pendingSinceMs = Math.max(pendingSinceMs, relayedMs)
    const waitMs = untilMs - pendingSinceMs
    if (waitMs <= kUnresponsiveMs) return waitMs
    // A first probe that waited half a threshold or more found the main
    // thread unable to run JavaScript from the block's start, as far as we
    // can tell: count the stretch from the last heartbeat (the main thread
    // clips it to the block).
    const first = samples === 0 && unresponsive.length === 0
    const fromMs = first && waitMs >= thresholdMs / 2 ? Number(startedNs) / 1e6 : pendingSinceMs
    unresponsive.push([fromMs, untilMs])
    return waitMs
  }
  try {
    for (;;) {
      mail.alive()
      if (target.gone) break
      // Never wait on the probe past a due hang report: inside a long native
      // call the probe cannot run, and the report must still go out.
      if (pending === undefined) {
        pendingSinceMs = hrtimeMs()
        pending = line.evaluate(seq)
      }
      let raw = await withTimeout<RawFrame[] | null | typeof kEnded | typeof kSealed>([pending, ended, sealed], nextHangMs() - elapsedMs())
      let last = false
      if (raw === kEnded) {
        // A worker's answer comes back through the main thread too: one
        // taken within the stall may still be on its way, held up by a
        // main thread that is blocked itself. It is the stall's, so wait a
        // while for it (the thread waits kCaptureWaitMs for the capture).
        const late = target.isWorker ? await withTimeout([pending], kLateAnswerMs) : kTimedOut
        if (late === kTimedOut || late === null || late.length === 0) {
          waited(false)
          break
        }
        raw = late
        last = true
      }
      if (raw === kSealed) {
        sealedAtMs ??= elapsedMs()
        if (!(await onSealed())) continue
        // The seal says a probe ran in the stall, and its answer is on the
        // way: the watchdog can see the seal first (under load: loop turns
        // reported with no sample at all). Wait a little for it.
        const late = await withTimeout([pending], target.isWorker ? kLateAnswerMs : kSealedAnswerMs)
        if (late === kTimedOut || late === null || late.length === 0) {
          waited(false)
          break
        }
        raw = late
        last = true
      }
      if (raw !== kTimedOut) {
        const waitMs = waited(true)
        pending = undefined
        if (raw === null) break
        // A probe that finds no JavaScript landed between two callbacks of
        // the stall, or between the reactions of a microtask storm (`for (;;)
        // await null` has none of its own frames there): the stall goes on
        // until a heartbeat ends it, so sampling does too.
        const stack = raw.length > 0 ? resolver.resolve(raw) : []
        // In a worker, a probe that finds only Node's code there most often
        // ran as the blocking callback had just returned (`listOnTimeout`
        // calling the next timer, the dispatch of the channel's messages),
        // before the heartbeat that ends the stall: held up on its way by a
        // main thread starved of CPU (CI, 2 cores, 50 spinning workers: every
        // block of a run was blamed on Node's timers so), or answered after
        // the stall ended. It would blame Node for the block: it counts as
        // landing between callbacks. A worker's block in Node's code alone
        // (loading its modules) goes without a stack rather than one that
        // blames Node.
        const between = stack.length === 0 || (target.isWorker && stack.every((frame) => frame.internal))
        if (!between) {
          if (samples === 0) {
            const ranAtMs = Number(shared.probeStartNs() - startedNs) / 1e6
            firstSampleAtMs = ranAtMs > 0 && ranAtMs <= elapsedMs() ? ranAtMs : elapsedMs()
          }
          samples++
          const callback = shared.probeCallback()
          callbacks.set(callback, (callbacks.get(callback) ?? 0) + 1)
          addSample(profile, stack)
          // A native call held this probe off for its whole wait, which no
          // other probe could sample: the culprit it names gets the samples
          // the wait would have had (`return JSON.parse(big)` against the
          // short code that ran after it).
          if (shared.probeHeld()) {
            const id = stackKey(stack)
            heldWeight.set(id, (heldWeight.get(id) ?? 0) + Math.floor(waitMs / sampleIntervalMs))
          }
          // Hang reports name the app's code: a sample of Node's internals
          // alone (between microtasks) does not replace one that had it.
          if (latest === undefined || stack.some((frame) => !frame.internal) || !latest.some((frame) => !frame.internal)) latest = stack
        }
      }
      if (last) break
      for (const h of hangs) {
        const nowMs = elapsedMs()
        if (nowMs < h.nextMs) continue
        h.due = true
        const { thresholdMs: threshold, hangTimeoutMs, writeHangs, eventsFile } = h.client
        const key = latest && stackKey(latest)
        const same = key !== undefined && key === h.lastKey
        const thread = { id: target.threadId, name: target.name }
        if (writeHangs) writeStderr(`${same ? formatHangRepeat(nowMs, thread) : formatHang(nowMs, threshold, latest, process.cwd(), thread)}\n`)
        const eventsFd = eventsFile === undefined ? undefined : eventsFds.get(eventsFile)
        if (eventsFd !== undefined) writeHangRecord(eventsFd, nowMs, threshold, latest, thread)
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
    line.close()
  }
  debug('thread %d: seq %d: %d samples%s', target.threadId, seq, samples, routeHeldMs > 0 ? `, ${Math.round(routeHeldMs)} ms held up on the main thread` : '')
  const othersAfter = othersBefore && target.othersWait?.read()
  const message: CaptureMessage = {
    type: 'capture',
    seq,
    samples,
    stack: eventStack(profile, heldWeight) ?? [],
    profile: sortedProfile(profile),
    hangs: hangs.filter((h) => h.due).map((h) => h.client.id),
    unresponsive,
    callbacks: callbacks.size,
    topCallbackSamples: Math.max(0, ...callbacks.values()),
    ...(sealedAtMs === undefined ? {} : { sealedAtMs }),
    ...(firstSampleAtMs === undefined ? {} : { firstSampleAtMs }),
    // Said only when it cost the block samples: half a threshold or more.
    ...(routeHeldMs >= thresholdMs / 2 ? { routeHeldMs } : {}),
  }
  if (othersBefore !== undefined && othersAfter !== undefined) message.othersWaiting = waitedBetweenMs(othersBefore, othersAfter)
  if (!target.gone) target.send(message)
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

/** The way to one thread's probe, for one stall or one saturation window. */
interface Line {
  /**
   * Runs the probe on the thread: the raw stack, empty when no JavaScript
   * was running; `null` when the stall is over (or the thread gone). Never
   * settles without the inspector: hang reports still go out on their
   * schedule, without a stack.
   */
  evaluate(seq: number): Promise<RawFrame[] | null>
  /** A protocol call on the thread; rejects on an error. */
  post(method: string, params?: object): Promise<unknown>
  /** A worker's line: when (hrtime ms) the main thread passed the last message on. */
  relayedAtMs(): number | undefined
  close(): void
}

function openLine(target: Target): Line {
  if (!config.inspector) {
    return { evaluate: never, post: () => Promise.reject(new Error('no inspector')), relayedAtMs: () => undefined, close: () => undefined }
  }
  return target.isWorker ? workerLine(target) : mainLine(target)
}

/** A session to the main thread, for one stall: one left connected would be a debugger attached for good. */
function mainLine(target: Target): Line {
  const session = new Session()
  target.shared.setConnected(true)
  session.connectToMainThread()
  const post = (method: string, params?: object): Promise<unknown> => new Promise((resolve, reject) => {
    session.post(method, params, (error, result) => {
      if (error) reject(error)
      else resolve(result)
    })
  })
  return {
    evaluate: (seq) => {
      target.shared.setProbeSeq(seq)
      return post('Runtime.evaluate', { expression: target.probeSource, returnByValue: true, silent: true })
        .then((result) => probeValue((result as { result: { value?: unknown } }).result.value, seq), (error: unknown) => {
          debug('probe failed: %O', error)
          return null
        })
    },
    post,
    relayedAtMs: () => undefined,
    close: () => {
      session.disconnect()
      target.shared.setConnected(false)
    },
  }
}

/** A worker's line: the route's messages, through the main thread. */
function workerLine(target: Target): Line {
  let relayedAtMs: number | undefined
  const send = (method: string, params: object): Promise<unknown> => {
    relayedAtMs = undefined
    const sent = route.send(target.threadId, method, params, kAttachWaitMs)
    void sent.relayed.then((atMs) => {
      relayedAtMs = atMs
    })
    return sent.reply.then((reply) => {
      if (reply === undefined) throw new Error(`thread ${target.threadId} is gone`)
      if (reply.error) throw new Error(reply.error.message)
      return reply.result
    })
  }
  return {
    evaluate: (seq) => {
      target.shared.setProbeSeq(seq)
      return send('Runtime.evaluate', { expression: target.probeSource, returnByValue: true, silent: true })
        .then((result) => probeValue((result as { result: { value?: unknown } }).result.value, seq), (error: unknown) => {
          debug('probe failed: %O', error)
          return null
        })
    },
    post: (method, params = {}) => send(method, params),
    relayedAtMs: () => relayedAtMs,
    close: () => undefined,
  }
}

function probeValue(value: unknown, seq: number): RawFrame[] | null {
  if (Array.isArray(value)) return value as RawFrame[]
  debug('stale probe for seq %d dropped', seq)
  return null
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
async function sampleSaturation(target: Target, { id, durationMs, intervalMs }: SaturationRequest): Promise<void> {
  if (!config.inspector) {
    target.send({ type: 'saturation', id, samples: 0, hot: [] } satisfies SaturationMessage)
    return
  }
  const line = openLine(target)
  const exiting = target.shared.exitingWithin(durationMs).then((exited) => (exited ? kEnded : kTimedOut))
  let profile: ProfileEntry[] = []
  try {
    await line.post('Profiler.enable')
    await line.post('Profiler.setSamplingInterval', { interval: Math.round(intervalMs * 1000) })
    await line.post('Profiler.start')
    const stopped = (await withTimeout([exiting], durationMs)) === kEnded
    const result = await line.post('Profiler.stop') as { profile: Profiler.Profile }
    if (!stopped) profile = profileEntries(result.profile)
    if (target.isWorker) await line.post('Profiler.disable')
  } catch (error) {
    debug('saturation profile failed: %O', error)
  } finally {
    line.close()
  }
  // Summed up here: loopwatch's own work stays off the thread it watches.
  const { samples, hot } = summarizeHot(profile)
  debug('thread %d: saturation %d: %d samples', target.threadId, id, samples)
  const message: SaturationMessage = { type: 'saturation', id, samples, hot }
  target.send(message)
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

function addSample(profile: Map<string, ProfileEntry>, stack: StackFrame[], count = 1): void {
  const key = stackKey(stack)
  const entry = profile.get(key)
  if (entry) entry.count += count
  else profile.set(key, { stack, count })
}

function sortedProfile(profile: Map<string, ProfileEntry>): ProfileEntry[] {
  return [...profile.values()].sort((a, b) => b.count - a.count)
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

/** Serves a thread's request: its watchers changed, or it wants its saturation sampled. */
function handle(target: Target, request: ToWatchdog): void {
  if (target.gone) return
  if (request.type === 'clients') {
    target.serve(request)
    return
  }
  if (request.type === 'retire') {
    target.lastSeq = request.lastSeq
    wake()
    return
  }
  saturationSamplings++
  sampleSaturation(target, request).catch((error: unknown) => {
    debug('saturation sampling failed: %O', error)
  }).finally(() => {
    saturationSamplings--
  })
}

/** Stops serving a thread that yields to another watchdog, its last stall sampled; the thread terminates this one. */
function retire(target: Target): void {
  target.end()
  target.send({ type: 'retired' } satisfies RetiredMessage)
}

/**
 * The other threads' messages, on the channel every thread's loopwatch
 * shares (see host.ts): they join, change their watchers, leave.
 */
function onChannel(data: ChannelMessage, channel: BroadcastChannel): void {
  if (data.type === 'join' && data.owner === config.owner.threadId) {
    const { threadId } = data.target
    targets.get(threadId)?.end()
    const target: Target = new Target(data.target, (message) => {
      channel.postMessage({ type: 'to-host', owner: config.owner.threadId, threadId, message } satisfies ChannelMessage)
    })
    targets.set(threadId, target)
    debug('thread %d (%s) joined', threadId, target.name)
  } else if (data.type === 'to-watchdog' && data.owner === config.owner.threadId) {
    const target = targets.get(data.threadId)
    if (target !== undefined) handle(target, data.message)
  } else if (data.type === 'leave' && data.owner === config.owner.threadId) {
    targets.get(data.threadId)?.end()
  }
}

/** Starts the watchdog in this thread (the worker's entry point). */
export function runWatchdog(): void {
  config = workerData as WatchdogConfig
  mail = new Mailbox(config.mail)
  mail.alive()
  resolver = new FrameResolver(config.ownDir)
  // A served worker that ends takes its stalls with it.
  route = new WorkerRoute((threadId) => targets.get(threadId)?.end(), () => targets.get(0)?.shared)
  const owner = new Target(config.owner, (message) => {
    parentPort?.postMessage(message)
  })
  targets.set(owner.threadId, owner)
  parentPort?.on('message', (request: ToWatchdog) => {
    handle(owner, request)
  })
  // The listener must not keep this thread alive on its own.
  parentPort?.unref()
  const channel = new BroadcastChannel(kChannelName)
  channel.onmessage = (event) => {
    onChannel((event as { data: ChannelMessage }).data, channel)
  }
  channel.unref()
  setImmediate(watch)
}
