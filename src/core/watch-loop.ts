import { EventEmitter } from 'node:events'
import { isMainThread } from 'node:worker_threads'
// From node:timers, not the globals: test runners' fake timers (vitest,
// jest) replace the globals, and a faked setImmediate would hold every event.
import { clearInterval, setInterval } from 'node:timers'
import { createHistogram, performance, type EventLoopUtilization, type RecordableHistogram } from 'node:perf_hooks'
import { createDebug } from './debug-log.js'
import { loopClock, type Clock } from './clock.js'
import { createDetector, heartbeatInterval, type Detector, type Stall } from './detector.js'
import { codes, warn } from './errors.js'
import type { BlockEvent, LoopStats } from './events.js'
import { currentThread } from './thread.js'
import { classifyCause, isStarved } from './cause.js'
import { acquireCpuMeter, cpuBetween, releaseCpuMeter, type CpuMeter, type CpuReading } from './cpu-time.js'
import { DebugMode, type DebugWindow, type ProbedCallbacks } from '../debug/debug-mode.js'
import { FullGcSentinel, inferGcPauses } from './gc.js'
import { formatSaturation } from '../report/format.js'
import { createBlockLogger, type BlockLogger } from '../report/log.js'
import { SaturationMonitor, type SaturationEvent, type Stretch } from '../saturation/saturation.js'
import { dispatchOwn, inOwnWork, ownWork, ownWorkMs } from './own-work.js'
import { validateOptions, type ResolvedOptions, type WatchLoopOptions } from './options.js'
import { OtelExtension } from '../otel/otel.js'
import { FrameResolver, memoryMaps, type RawFrame } from '../watchdog/frames.js'
import { kOwnDir } from '../watchdog/own-dir.js'
import { BlockSummary, summaryExtension, type CulpritSummary } from '../report/summary.js'
import { workerEventsExtension } from '../report/events-file.js'
import { joinWatchdog, type WatchdogClient } from '../watchdog/host.js'
import type { WatcherExtension } from './extension.js'
import type { Capture } from '../watchdog/protocol.js'

const debug = createDebug('loopwatch')

/** The watched thread. */
const kThread = currentThread()

/** A measured block on its way to being emitted. */
interface Pending<C> {
  event: BlockEvent<C>
  stall: Stall
  capture: Capture | undefined
  probed: Probed<C> | undefined
  window: DebugWindow | undefined
  /** A full GC ran during the heartbeat interval that measured the block. */
  fullGc: boolean
}

interface Probed<C> {
  seq: number
  /** The first probe's stack, kept for a block measured at exit (no time left for the watchdog's samples). */
  frames: RawFrame[]
  /** The `context` option's store. */
  store: C | undefined
  /** Debug mode: the callbacks the probes found running. */
  debug: ProbedCallbacks | undefined
  /** What each extension's `probe()` returned, by index. */
  extensions: unknown[]
}

/** Events a {@link LoopWatcher} emits. */
export interface LoopWatcherEvents<C> {
  /** A block is over; emitted on the main thread. */
  block: [event: BlockEvent<C>]
  /** The loop stayed busy without a single long block; its hottest code. */
  saturation: [event: SaturationEvent]
}

/** Timer lateness allowed for when deciding whether a probe is early (ms). */
const kProbeSlackMs = 5

/**
 * A heartbeat reads the thread's CPU counters once the loop has been busy or
 * late (a wait for a CPU on waking) for this share of the threshold since the
 * last reading, within {@link kCpuSlackMinMs}..{@link kCpuSlackMaxMs}: the most a
 * stall's split can hold of what came before the stall (see `#readCpu`).
 */
const kCpuSlackShare = 1 / 20
const kCpuSlackMinMs = 0.5
const kCpuSlackMaxMs = 5

/** Time between the CPU profiler's samples of a saturated loop (ms). */
const kSaturationSampleMs = 10

/** Watchers that measure the loop one last time at exit: one 'exit' listener serves them all. */
const exitWatchers = new Set<{ atExit(): void }>()

function measureAtExit(): void {
  for (const watcher of exitWatchers) watcher.atExit()
}

/** Resolves the probe's frames on this thread, at exit only (the watchdog resolves them otherwise). */
let exitResolver: FrameResolver | undefined

/**
 * Watches the event loop of the thread that created it. Create one with
 * {@link watchLoop}.
 */
export class LoopWatcher<C = unknown> extends EventEmitter<LoopWatcherEvents<C>> {
  /** The validated options, defaults filled in. */
  readonly options: ResolvedOptions<C>
  readonly #detector: Detector
  readonly #timer: NodeJS.Timeout
  readonly #delays: RecordableHistogram = createHistogram()
  readonly #host: WatchdogClient | undefined
  readonly #logger: BlockLogger
  readonly #extensions: WatcherExtension<C>[] = []
  readonly #fullGc = new FullGcSentinel()
  readonly #debugMode: DebugMode | undefined
  readonly #saturation: SaturationMonitor | undefined
  #samplingSaturation = false
  readonly #summary = new BlockSummary()
  #nextId = 1
  #blocks = 0
  #blockedMs = 0
  #starvedMs = 0
  /** The thread's CPU counters (schedstat on Linux); `undefined` where unmeasured. */
  readonly #cpuMeter: CpuMeter | undefined
  /** The counters at the last heartbeat that read them: the start of any stall measured later. */
  #cpuAtRead: CpuReading | undefined
  /** Busy and late time of the loop since that reading (ms): what the next stall's counters may hold besides the stall. */
  #sinceReadMs = 0
  /** Read the counters once {@link #sinceReadMs} reaches this (ms). */
  readonly #cpuSlackMs: number
  #longestMs = 0
  #longestSinceStatsMs = 0
  #elu: EventLoopUtilization = performance.eventLoopUtilization()
  /** Set when the probe ran since the last heartbeat. */
  #probed: Probed<C> | undefined
  #stopped: Promise<void> | undefined
  /** Stalls shorter than this are not this watcher's to probe (see `#probe`). */
  readonly #probeBarMs: number
  /** Set once `stop()` has emitted what was measured: nothing is emitted after. */
  #closed = false
  /** Blocks waiting for the watchdog's samples before they are emitted. */
  readonly #publishing = new Set<Promise<void>>()
  /** Blocks measured but not yet emitted (waiting for the watchdog's samples). */
  readonly #unpublished = new Set<Pending<C>>()

  /**
   * @internal Use {@link watchLoop}. `internals.eventsFile`: the watchdog
   * appends a JSON line there for each hang report (the CLI's record).
   */
  constructor(options: ResolvedOptions<C>, clock: Clock = loopClock, internals: { eventsFile?: string } = {}) {
    super()
    this.options = options
    if (options.otel) this.#extensions.push(new OtelExtension(options))
    const intervalMs = heartbeatInterval(options.threshold)
    this.#probeBarMs = Math.max(0, options.threshold - intervalMs - kProbeSlackMs)
    this.#logger = createBlockLogger(options.log)
    // loopwatch's own work is timed on the real clock: a clock a test injects has its own timeline.
    const ownMs = clock === loopClock ? ownWorkMs : () => 0
    if (options.debug) this.#debugMode = new DebugMode(clock, options.threshold, options.scheduleStacks, intervalMs, ownMs)
    if (options.saturation !== false) {
      this.#saturation = new SaturationMonitor(options.saturation.utilization, options.saturation.window)
    }
    this.#extensions.push(summaryExtension(this.#summary))
    // Under the CLI a worker thread's watcher records its blocks and hangs
    // too: register.ts watches the main thread only.
    const workerEvents = isMainThread ? undefined : process.env['LOOPWATCH_EVENTS'] || undefined
    const eventsFile = internals.eventsFile ?? workerEvents
    const writer = workerEvents === undefined ? undefined : workerEventsExtension(workerEvents)
    if (writer !== undefined) this.#extensions.push(writer)
    // One watchdog serves every watched thread of the process (watchdog/host.ts).
    this.#host = startWatchdog(options, eventsFile, this.#probe)
    // Measure from here: starting the worker above is loopwatch's own work.
    this.#detector = createDetector({ thresholdMs: options.threshold, intervalMs, clock, ownMs })
    this.#cpuMeter = options.cpu ? acquireCpuMeter() : undefined
    this.#cpuAtRead = this.#cpuMeter?.read()
    this.#cpuSlackMs = Math.min(kCpuSlackMaxMs, Math.max(kCpuSlackMinMs, options.threshold * kCpuSlackShare))
    this.#timer = setInterval(this.#beat, intervalMs).unref()
    // First among 'exit' listeners: before the watchdog host's, whose wait for
    // the worker to disconnect would count as part of the last block.
    if (exitWatchers.size === 0) process.prependListener('exit', measureAtExit)
    exitWatchers.add(this)
    debug('watching: threshold %d ms, heartbeat %d ms', options.threshold, intervalMs)
  }

  /**
   * Runs on the main thread, on top of the blocked code, for each probe of
   * the watchdog that found JavaScript running. The watchdog serves every
   * watcher of the thread and probes stalls past the lowest threshold: one
   * well under this watcher's threshold is not its business (yet). The bar
   * leaves room for the heartbeat period, since the watchdog's first probe
   * can come when only `threshold - heartbeat` of the stall has passed, and
   * for timer lateness.
   */
  readonly #probe = (seq: number, frames: RawFrame[]): void => {
    // loopwatch's own work (a report of the previous block) is not the app's stall.
    if (this.#stopped !== undefined || inOwnWork()) return
    if (this.#probed?.seq !== seq) {
      if (this.#detector.peek().durationMs < this.#probeBarMs) return
      this.#probed = {
        seq,
        frames,
        store: this.options.context?.getStore(),
        debug: this.#debugMode?.probe(),
        extensions: this.#extensions.map((extension) => extension.probe?.(this.#stallSoFar)),
      }
    } else if (this.#probed.debug !== undefined) {
      this.#debugMode?.probe(this.#probed.debug)
    }
  }

  readonly #stallSoFar = () => {
    const { startMs, durationMs } = this.#detector.peek()
    return { startTime: performance.timeOrigin + startMs, duration: durationMs }
  }

  /** `atExit`: the last measurement, which starts nothing (no saturation sampling). */
  readonly #beat = (atExit = false) => {
    const { delayMs, stall, nowMs, busyMs, elapsedMs } = this.#detector.beat()
    // A worker's stall whose probe the blocked main thread still holds: its
    // capture says how long, though it has no sample.
    const heldSeq = stall !== undefined && this.#probed === undefined ? this.#host?.heldProbe() : undefined
    this.#host?.beat()
    const cpu = this.#readCpu(busyMs + delayMs, stall)
    const saturated = this.#saturation?.beat(nowMs, busyMs, elapsedMs, stall !== undefined)
    if (saturated !== undefined && !atExit) void this.#sampleSaturation(saturated)
    const probed = this.#probed
    this.#probed = undefined
    const window = this.#debugMode?.takeWindow()
    const fullGc = this.#fullGc.check()
    // createHistogram() records integers >= 1.
    this.#delays.record(Math.max(1, Math.round(delayMs * 1e6)))
    if (stall !== undefined) {
      this.#onStall(stall, probed, window, fullGc, cpu, heldSeq)
    }
  }

  /**
   * The stall's split, when it ended with this beat. The counters are read
   * at beats that end a stall, and at others once the loop has been busy or
   * late for `#cpuSlackMs` since the last reading: an idle loop sleeps between
   * its beats, neither running nor waiting for a CPU, except while busy and
   * when it wakes late, so an older reading is as good a start within that
   * slack. A read costs ~2 us in a busy process but ~40 us in an idle one,
   * whose caches have gone cold between beats (measured: +1.1 ms of CPU a
   * second, +27%, for a read at every beat of an idle process at threshold 100).
   */
  #readCpu(unaccountedMs: number, stall: Stall | undefined): BlockEvent['cpu'] {
    if (this.#cpuMeter === undefined) return undefined
    if (stall === undefined) {
      this.#sinceReadMs += unaccountedMs
      if (this.#sinceReadMs < this.#cpuSlackMs) return undefined
    }
    const before = this.#cpuAtRead
    const now = this.#cpuMeter.read()
    this.#cpuAtRead = now
    this.#sinceReadMs = 0
    return stall !== undefined && before !== undefined && now !== undefined ? cpuBetween(before, now, stall.durationMs) : undefined
  }

  #onStall(stall: Stall, probed: Probed<C> | undefined, window: DebugWindow | undefined, fullGc: boolean,
    cpu: BlockEvent['cpu'], heldSeq: number | undefined): void {
    const { threshold, hangTimeout } = this.options
    this.#blocks++
    this.#blockedMs += stall.durationMs
    this.#longestMs = Math.max(this.#longestMs, stall.durationMs)
    this.#longestSinceStatsMs = Math.max(this.#longestSinceStatsMs, stall.durationMs)
    const event: BlockEvent<C> = {
      id: this.#nextId++,
      startTime: performance.timeOrigin + stall.startMs,
      duration: stall.durationMs,
      threshold,
      hang: stall.durationMs >= hangTimeout,
      stack: [],
      samples: 0,
      profile: [],
      cause: 'unknown',
      thread: { ...kThread },
    }
    if (cpu !== undefined) event.cpu = cpu
    if (probed !== undefined && this.options.context !== undefined) event.context = probed.store as C
    debug('block %d: %d ms', event.id, Math.round(stall.durationMs))
    const pending: Pending<C> = { event, stall, capture: undefined, probed, window, fullGc }
    this.#unpublished.add(pending)
    const published = (async () => {
      const seq = probed?.seq ?? heldSeq
      const capture = seq === undefined ? undefined : await this.#host?.samplesOf(seq)
      // Emitted at exit already, if the process exited meanwhile.
      if (!this.#unpublished.delete(pending)) return
      this.#publish({ ...pending, capture })
    })()
    this.#publishing.add(published)
    void published.finally(() => this.#publishing.delete(published))
  }

  /**
   * @internal Called by loopwatch's one 'exit' listener.
   * At process (or worker thread) exit: measures the loop one last time,
   * so that a block right before the exit is not lost, and emits every
   * block measured, synchronously. The watchdog's samples cannot arrive
   * now: a block the probe reached has the probe's first stack.
   */
  atExit(): void {
    try {
      this.#beat(true)
      for (const pending of this.#unpublished) {
        this.#unpublished.delete(pending)
        const { probed } = pending
        this.#publish({ ...pending, capture: probed && (this.#host?.takeArrived(probed.seq) ?? captureOf(probed)) })
      }
      this.#logger.flush()
    } catch (error) {
      debug('measuring at exit failed: %O', error)
    }
  }

  /** Samples the saturated loop through the watchdog, then reports its hottest code. */
  async #sampleSaturation(detected: Stretch): Promise<void> {
    const saturation = this.options.saturation
    if (this.#samplingSaturation || this.#host === undefined || saturation === false) return
    this.#samplingSaturation = true
    debug('saturated: %d%% busy for %d ms; sampling', Math.round(100 * detected.busyMs / detected.elapsedMs), Math.round(detected.elapsedMs))
    try {
      // Watchers of one thread share one sampling of the loop. The thread's
      // counters around it tell how much of "busy" was waiting for a CPU.
      const cpuBefore = this.#cpuMeter?.read()
      const sampledFromMs = performance.now()
      const result = await this.#host.sampleSaturation(saturation.window, kSaturationSampleMs)
      if (result === undefined || result.samples === 0 || this.#closed) return
      const cpuAfter = cpuBefore === undefined ? undefined : this.#cpuMeter?.read()
      // The stretch as it stands now, if the loop stayed saturated through the sampling.
      const current = this.#saturation?.current()
      const stretch = current?.startMs === detected.startMs ? current : detected
      const event: SaturationEvent = {
        startTime: performance.timeOrigin + stretch.startMs,
        duration: stretch.elapsedMs,
        utilization: stretch.busyMs / stretch.elapsedMs,
        blocks: stretch.blocks,
        samples: result.samples,
        hot: result.hot,
      }
      if (cpuBefore !== undefined && cpuAfter !== undefined) event.cpu = cpuBetween(cpuBefore, cpuAfter, performance.now() - sampledFromMs)
      this.#ownWork(() => {
        this.#logger.write(formatSaturation(event, this.options.threshold))
      })
      this.#emitSafely('saturation', event)
    } finally {
      this.#samplingSaturation = false
    }
  }

  /**
   * Resolves once the watchdog thread is watching for this watcher, so that a
   * block from then on gets its stack (the thread takes tens of milliseconds
   * to start; a later watcher joins it in about a millisecond);
   * at once where there is no watchdog. Never rejects.
   */
  ready(): Promise<void> {
    const host = this.#host
    if (host === undefined) return Promise.resolve()
    // The worker is unref'd: hold the loop open while someone waits for it.
    const keepAlive = setInterval(() => undefined, 1000)
    return host.ready.finally(() => {
      clearInterval(keepAlive)
    })
  }

  /**
   * Measures the loop now, as a heartbeat would, and resolves once every
   * block seen so far has been emitted. For test integrations, which must
   * learn of a block before the next test starts.
   */
  async flush(): Promise<void> {
    if (this.#stopped !== undefined) return
    this.#beat()
    await Promise.all(this.#publishing)
  }

  #publish(pending: Pending<C>): void {
    if (this.#closed) return
    this.#ownWork(() => {
      this.#complete(pending)
      this.#logger.log(pending.event)
    })
    this.#emitSafely('block', pending.event)
  }

  /**
   * loopwatch's own work: left out of every stall measured (by each watcher of
   * the thread), and the watchdog's stall it made, if any, ends with it: a
   * block of the app's right after it is a stall of its own.
   */
  #ownWork(fn: () => void): void {
    ownWork(fn)
    this.#host?.beat()
  }

  /** The event from what the watchdog and debug mode saw. */
  #complete({ event, stall, capture, probed, window, fullGc }: Pending<C>): void {
    if (capture !== undefined) {
      // The block is over: map what only this thread's loaders know (tsx).
      const maps = memoryMaps()
      event.stack = maps.remap(capture.stack)
      event.samples = capture.samples
      event.profile = capture.profile.map((entry) => ({ stack: maps.remap(entry.stack), count: entry.count }))
      event.hang ||= capture.hang
      if (capture.routeHeldMs !== undefined) event.samplesDelayed = capture.routeHeldMs
    }
    if (window !== undefined) this.#debugMode?.enrich(event, window, probed?.debug)
    if (capture !== undefined && event.kind === undefined && isTurn(capture, event)) {
      event.kind = 'turn'
      event.callbacksSampled = capture.callbacks
    }
    const cause = classifyCause(event.stack, stall, inferGcPauses(fullGc, capture?.unresponsive))
    // JavaScript does not leave the CPU: while its thread was off CPU, it
    // waited for the process's other threads (a scavenge joining its GC
    // helpers), and their wait for a CPU is the machine's, as its own is.
    if (event.cpu !== undefined && capture?.othersWaiting !== undefined && cause !== 'sync-io' && cause !== 'wait') {
      const othersWaiting = Math.min(event.cpu.offCpu, capture.othersWaiting)
      if (othersWaiting >= 0.5) event.cpu.othersWaiting = othersWaiting
    }
    event.cause = isStarved(event.duration, event.threshold, event.cpu) ? 'starved' : cause
    if (event.cause === 'starved') this.#starvedMs += event.duration
    this.#extensions.forEach((extension, i) => {
      extension.block?.(event, probed?.extensions[i])
    })
  }

  /**
   * Calls each listener on its own: one that throws must neither reach the
   * host (we run in a timer) nor keep the other listeners from their event.
   */
  #emitSafely<K extends keyof LoopWatcherEvents<C>>(name: K, ...args: LoopWatcherEvents<C>[K]): void {
    dispatchOwn(() => {
      for (const listener of this.rawListeners(name) as ((...args: LoopWatcherEvents<C>[K]) => unknown)[]) {
        try {
          // An async listener's rejection would reach the host as an unhandled rejection.
          const result: unknown = listener.apply(this, args)
          if (result instanceof Promise) {
            result.catch((error: unknown) => {
              warn(`loopwatch: a '${name}' listener rejected: ${String(error)}`, codes.listenerFailed)
            })
          }
        } catch (error) {
          warn(`loopwatch: a '${name}' listener threw: ${String(error)}`, codes.listenerFailed)
        }
      }
    })
  }

  /**
   * Blocks since start, and the loop's delay and utilization since the
   * previous call (or since start). Times in milliseconds.
   */
  stats(): LoopStats {
    const h = this.#delays
    const count = h.count
    const ms = (ns: number) => (count === 0 ? 0 : ns / 1e6)
    const delay = {
      min: ms(h.min),
      // The heartbeat cannot beat during a block, so its delay already spans
      // the block; the longest block is folded in all the same, so that a
      // block that ended after the last beat still shows.
      max: Math.max(ms(h.max), this.#longestSinceStatsMs),
      mean: ms(h.mean),
      stddev: ms(h.stddev),
      p50: ms(h.percentile(50)),
      p90: ms(h.percentile(90)),
      p99: ms(h.percentile(99)),
    }
    h.reset()
    this.#longestSinceStatsMs = 0
    const elu = performance.eventLoopUtilization(this.#elu)
    this.#elu = performance.eventLoopUtilization()
    return {
      blocks: this.#blocks,
      blockedTime: this.#blockedMs,
      starvedTime: this.#starvedMs,
      longest: this.#longestMs,
      delay,
      utilization: elu.utilization,
      droppedReports: this.#logger.dropped(),
    }
  }

  /**
   * Blocks since start grouped by culprit (the first frame outside Node and
   * loopwatch), most blocked time first: count, total, max and p95 duration
   * (ms), causes, and the longest block's stack.
   */
  summary(): CulpritSummary[] {
    return this.#summary.summary()
  }

  /**
   * Stops watching: releases the timer, the hooks and the watchdog thread
   * (shared by the thread's watchers, it stops with the last of them).
   * Blocks already measured are emitted first; a block in progress is not.
   * Idempotent: every call returns the same promise.
   */
  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      clearInterval(this.#timer)
      if (this.options.cpu) releaseCpuMeter()
      exitWatchers.delete(this)
      if (exitWatchers.size === 0) process.off('exit', measureAtExit)
      this.#debugMode?.stop()
      // Blocks already measured are still emitted; one in progress is not.
      await Promise.all(this.#publishing)
      this.#closed = true
      this.#logger.flush()
      await Promise.all([this.#host?.leave(), ...this.#extensions.map((extension) => extension.stop?.())])
      debug('stopped')
    })()
    return this.#stopped
  }
}

function startWatchdog(
  options: ResolvedOptions, eventsFile: string | undefined, onProbe: (seq: number, frames: RawFrame[]) => void,
): WatchdogClient | undefined {
  try {
    return joinWatchdog({
      thresholdMs: options.threshold,
      hangTimeoutMs: options.hangTimeout,
      writeHangs: options.log === true,
      cpu: options.cpu,
      ...(eventsFile === undefined ? {} : { eventsFile }),
    }, onProbe)
  } catch (error) {
    warn(`loopwatch: could not start the watchdog thread (${String(error)}); blocks are measured without stacks`,
      codes.watchdogFailed, true)
    return undefined
  }
}

/**
 * Starts watching the event loop of the calling thread. Blocks longer than
 * `threshold` ms are reported on stderr and emitted as `'block'` events,
 * with the live stack of the code that blocked.
 *
 * @example
 * ```js
 * import { watchLoop } from 'loopwatch'
 * const watcher = watchLoop({ threshold: 100 })
 * watcher.on('block', (event) => metrics.observe(event.duration))
 * ```
 * @throws {TypeError | RangeError} on bad options, with code `ERR_LOOPWATCH_INVALID_OPTION`.
 */
export function watchLoop<C = unknown>(options?: WatchLoopOptions<C>): LoopWatcher<C> {
  return new LoopWatcher(validateOptions(options))
}

/**
 * Always-on: whether several callbacks of one loop turn made the block
 * together, none of them long enough to block alone: the callback the first
 * probe landed in returned before the stall was `threshold` old (it cannot
 * have run longer); or the loop stayed busy after it returned for longer
 * than it was seen running, and for over half a threshold (a loaded server:
 * the probe lands late, in one ~5 ms request of the dozens its turn serves);
 * or the samples landed in several callbacks, none with two thirds of them.
 * (A long callback followed by a few samples of the short ones after it, on
 * a busy machine, is still that callback's block.)
 */
export function isTurn(capture: Pick<Capture, 'sealedAtMs' | 'firstSampleAtMs' | 'callbacks' | 'topCallbackSamples' | 'samples'>,
  event: Pick<BlockEvent, 'duration' | 'threshold'>): boolean {
  const { sealedAtMs, firstSampleAtMs } = capture
  if (sealedAtMs !== undefined && event.duration > event.threshold) {
    if (sealedAtMs < event.threshold) return true
    // Both are measured from the heartbeat before the stall, the duration
    // from the stall's start: the time after the callback is, if anything, short.
    const seenMs = firstSampleAtMs === undefined ? sealedAtMs : sealedAtMs - firstSampleAtMs
    const afterMs = event.duration - sealedAtMs
    if (afterMs > event.threshold / 2 && afterMs > seenMs) return true
  }
  return capture.callbacks > 1 && capture.topCallbackSamples * 3 < capture.samples * 2
}

/** The probe's first stack of a block, as a one-sample capture. */
function captureOf(probed: { seq: number; frames: RawFrame[] } | undefined): Capture | undefined {
  if (probed === undefined) return undefined
  exitResolver ??= new FrameResolver(kOwnDir, { memory: memoryMaps() })
  const stack = exitResolver.resolve(probed.frames)
  return { seq: probed.seq, samples: 1, stack, profile: [{ stack, count: 1 }], hang: false, unresponsive: [], callbacks: 1, topCallbackSamples: 1 }
}
