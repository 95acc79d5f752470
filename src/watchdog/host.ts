import { executionAsyncId } from 'node:async_hooks'
import { clearTimeout, setTimeout } from 'node:timers'
import { Worker } from 'node:worker_threads'
import { createDebug } from '../core/debug-log.js'
import { codes, warn } from '../core/errors.js'
import { captureRawStack, installProbe, removeProbe } from './probe.js'
import { NativeCallWatch } from './native-calls.js'
import type { RawFrame } from './frames.js'
import { kOwnDir } from './own-dir.js'
import { kModuleUrl } from '../core/module-url.js'
import { inspectorAllowed } from '../core/permission.js'
import {
  SharedBeat, type Capture, type CaptureMessage, type ClientConfig, type ClientsMessage, type ReadyMessage,
  type SaturationMessage, type SaturationRequest, type WatchdogConfig,
} from './protocol.js'

const debug = createDebug('loopwatch')

/**
 * How long the main thread waits for the samples of a block it has measured.
 * The wait keeps the process alive (the samples are a message away, usually
 * well under a millisecond): a program that blocks and then ends still gets
 * its report. The bound caps that delay if the worker is stuck.
 */
const kCaptureWaitMs = 1000
/** At exit, how long the main thread waits for the watchdog to disconnect its session. */
const kExitWaitMs = 200
/**
 * Captures kept after they arrive: each watcher claims a block's capture at
 * its own next heartbeat, and the samples may arrive before the first of them.
 * Those of stalls under every threshold age out.
 */
const kKeptCaptures = 8

/** Called on the main thread, on top of the blocked code, for each probe of stall `seq` that found JavaScript running. */
export type ProbeListener = (seq: number, frames: RawFrame[]) => void

/** One watcher's use of the thread's watchdog. */
export interface WatchdogClient {
  /** Settles once the watchdog serves this watcher, or has failed or stopped: never rejects. */
  readonly ready: Promise<void>
  /** Records a heartbeat: the loop is alive, the current stall (if any) is over. */
  beat(): void
  /**
   * The watchdog's samples of the stall during sequence `seq`, once it has
   * finished with them. Call it only for a sequence the probe ran in.
   */
  samplesOf(seq: number): Promise<Capture | undefined>
  /** The samples of `seq` if they have arrived already (at exit, where there is no waiting). */
  takeArrived(seq: number): Capture | undefined
  /**
   * Has the watchdog sample the busy main thread for `durationMs`; resolves
   * with the samples (`undefined` if the worker is gone or does not answer).
   * Watchers asking at once share one sampling.
   */
  sampleSaturation(durationMs: number, intervalMs: number): Promise<SaturationMessage | undefined>
  /** Stops being served; the worker stops with its last watcher. Idempotent. */
  leave(): Promise<void>
}

interface Client {
  config: ClientConfig
  onProbe: ProbeListener
  /** The clients version that first included this one. */
  version: number
  markReady: () => void
}

/** The build's watchdog code (tsup.config.ts); absent when run from source. */
declare const __LOOPWATCH_WATCHDOG__: string | undefined

/**
 * What the watchdog worker runs: the build carries its code as a string, so
 * an app bundled with loopwatch inside keeps it. Run from source (the unit
 * tests), the built file.
 */
function watchdogScript(): { script: string | URL; eval: boolean } {
  return typeof __LOOPWATCH_WATCHDOG__ === 'string'
    ? { script: __LOOPWATCH_WATCHDOG__, eval: true }
    : { script: new URL('../entry/watchdog-worker.ts', kModuleUrl), eval: false }
}

/** Hosts whose worker runs: one 'exit' listener serves them all. */
const liveHosts = new Set<WatchdogHost>()

function releaseSessions(): void {
  for (const host of liveHosts) host.releaseSession()
}

/** The watchdog that serves this thread's watchers (one per copy of loopwatch). */
let threadHost: WatchdogHost | undefined

/**
 * Joins this thread's watchdog, starting it for the first watcher. One
 * worker serves every watcher of the thread: each more watcher costs no
 * thread, and one stall is sampled once, not once per watcher.
 * @throws when the worker cannot be started.
 */
export function joinWatchdog(config: ClientConfig, onProbe: ProbeListener): WatchdogClient {
  threadHost ??= new WatchdogHost()
  return threadHost.join(config, onProbe)
}

/**
 * Owns the watchdog worker, the shared heartbeat and the probe. If the
 * worker fails, blocks are still measured on the main thread, without stacks.
 */
class WatchdogHost {
  readonly #shared = new SharedBeat()
  readonly #clients = new Map<number, Client>()
  #nextClientId = 1
  #version = 0
  /** Changes not yet posted to the worker: joins and leaves travel as deltas, coalesced per tick. */
  readonly #added = new Map<number, ClientConfig>()
  readonly #removed = new Set<number>()
  #postQueued = false
  /** Clients whose `ready` has not settled yet. */
  readonly #unready = new Set<number>()
  readonly #waiters = new Map<number, Set<(capture: CaptureMessage | undefined) => void>>()
  readonly #arrived = new Map<number, CaptureMessage>()
  readonly #saturation = new Map<number, (message: SaturationMessage | undefined) => void>()
  #nextSaturationId = 1
  /** The saturation sampling under way, shared by the watchers that ask during it. */
  #sampling: Promise<SaturationMessage | undefined> | undefined
  readonly #probeId: number
  readonly #natives: NativeCallWatch
  /** A native call's stack, taken where it held the probe off: the probe's next answer. */
  #held: { seq: number; frames: RawFrame[] } | undefined
  /** The probe's sealing microtask is queued (see `#probe`). */
  #sealQueued = false
  #worker: Worker | undefined

  constructor() {
    this.#shared.beat()
    this.#probeId = installProbe(this.#probe)
    this.#natives = new NativeCallWatch(this.#shared.probePending, (frames) => {
      this.#held = { seq: this.#shared.seq(), frames }
    })
    const inspector = inspectorAllowed()
    if (!inspector) {
      warn('loopwatch: the permission model does not allow the inspector, so blocks and hangs are reported without stacks; '
        + 'allow it (Node >= 24: --allow-inspector) for stacks', codes.noInspector, true)
    }
    let worker: Worker
    try {
      const { script, eval: isCode } = watchdogScript()
      worker = new Worker(script, {
        eval: isCode,
        workerData: { buffer: this.#shared.buffer, probeId: this.#probeId, ownDir: kOwnDir, inspector } satisfies WatchdogConfig,
        // When loopwatch is preloaded (--import/--require, directly or through
        // NODE_OPTIONS), a worker inheriting those flags would load it again and
        // start a watchdog of its own, and so on without end.
        execArgv: [],
        // No NODE_OPTIONS at all: a worker refuses per-process options there
        // (--openssl-legacy-provider, --use-openssl-ca, --title...:
        // ERR_WORKER_INVALID_EXEC_ARGV), and the watchdog needs none.
        env: workerEnv(),
        name: 'loopwatch watchdog',
        // Not piped to this thread's process.stdout / process.stderr: the
        // watchdog writes with fs.writeSync to fd 2 (a relay through a
        // blocked main thread would arrive too late), and piping creates
        // those streams here, 1.4 MB of resident memory in a process that
        // has not used them (a daemon logging to a file, pino to fd 1).
        stdout: true,
        stderr: true,
        // No resourceLimits: a lower old-space bound makes V8 size the
        // thread's heap smaller (0.7 MB of RSS), but a single allocation
        // past it (the string of a 40 MB source map under a 12 MB bound)
        // aborts the whole process on Node 20-24, where a heap that grows
        // past it only ends the worker (ERR_WORKER_OUT_OF_MEMORY).
      })
    } catch (error) {
      removeProbe(this.#probeId)
      this.#natives.stop()
      throw error
    }
    worker.on('message', (message: CaptureMessage | SaturationMessage | ReadyMessage | { type: 'failed'; message: string }) => {
      // Stopped: what the worker still had on its way is of no use, and its
      // failure is no news.
      if (this.#worker === undefined) return
      if (message.type === 'capture') this.#arrive(message)
      else if (message.type === 'saturation') this.#saturation.get(message.id)?.(message)
      else if (message.type === 'ready') this.#ready(message.version)
      else this.#fail(message.message)
    })
    worker.on('error', (error) => {
      if (this.#worker !== undefined) this.#fail(error.message)
    })
    worker.on('exit', (code) => {
      if (this.#worker !== undefined) this.#fail(`exited with code ${code}`)
    })
    // After the listeners: adding a 'message' listener refs the port again.
    worker.unref()
    if (liveHosts.size === 0) process.on('exit', releaseSessions)
    liveHosts.add(this)
    this.#worker = worker
    debug('watchdog worker started (thread %d)', worker.threadId)
  }

  /**
   * Runs on the main thread, on top of the blocked code, when the watchdog
   * asks: the live stack once, handed to every watcher.
   */
  readonly #probe = (): RawFrame[] | null => {
    this.#shared.probeStarted()
    const seq = this.#shared.probeSeq()
    if (this.#shared.seq() !== seq) return null
    // A native call held this probe off: its caller's stack, taken as the
    // call returned, is where the time went; the live stack has moved on.
    const held = this.#held
    this.#held = undefined
    const inCheck = this.#natives.inCheck
    const frames = inCheck !== undefined
      ? [inCheck.frame, ...captureRawStack(inCheck.wrapped)]
      : held !== undefined && held.seq === seq ? held.frames : captureRawStack(this.#probe)
    // No JavaScript below: the probe ran between callbacks, within the stall.
    if (frames.length === 0) return frames
    // Which callback it landed in: samples in several make a loop turn, not one culprit.
    this.#shared.setProbeCallback(executionAsyncId())
    if (!this.#sealQueued && !this.#shared.sealed(seq)) {
      this.#sealQueued = true
      // Runs as soon as the blocked callback returns, before any other
      // callback: sampling stops there, so no later sample lands in unrelated
      // code that runs before the next heartbeat. Not a heartbeat: in an
      // endless microtask chain it runs while the loop is still stuck, and
      // the watchdog, seeing no heartbeat follow, samples on.
      queueMicrotask(() => {
        this.#sealQueued = false
        if (this.#shared.seq() === seq) this.#shared.seal(seq)
      })
    }
    for (const client of this.#clients.values()) {
      try {
        client.onProbe(seq, frames)
      } catch (error) {
        debug('a probe listener threw: %O', error)
      }
    }
    return frames
  }

  join(config: ClientConfig, onProbe: ProbeListener): WatchdogClient {
    const id = this.#nextClientId++
    let markReady!: () => void
    const ready = new Promise<void>((resolve) => {
      markReady = resolve
    })
    this.#clients.set(id, { config, onProbe, version: this.#version + 1, markReady })
    this.#added.set(id, config)
    this.#unready.add(id)
    this.#postClients()
    if (this.#worker === undefined) markReady()
    let left: Promise<void> | undefined
    return {
      ready,
      beat: () => {
        this.#shared.beat()
        // A module loaded by `import` since: its natives are wrapped now.
        this.#natives.refresh()
      },
      samplesOf: async (seq) => this.#viewOf(id, await this.#samplesOf(seq)),
      takeArrived: (seq) => this.#viewOf(id, this.#arrived.get(seq)),
      sampleSaturation: (durationMs, intervalMs) => (this.#sampling ??= this.#sampleSaturation(durationMs, intervalMs)
        .finally(() => {
          this.#sampling = undefined
        })),
      leave: () => (left ??= this.#leave(id)),
    }
  }

  async #leave(id: number): Promise<void> {
    this.#clients.get(id)?.markReady()
    this.#clients.delete(id)
    this.#unready.delete(id)
    if (!this.#added.delete(id)) this.#removed.add(id)
    if (this.#clients.size > 0) {
      this.#postClients()
      return
    }
    await this.#stop()
  }

  /**
   * Tells the worker which watchers joined and left. The first change of a
   * tick goes at once (a block right after watchLoop() is then sampled for
   * it); the rest of the tick's changes follow in one message: 1,000
   * watchers created in a loop cost two messages, not 1,000 growing lists.
   */
  #postClients(): void {
    if (this.#postQueued) return
    this.#postChanges()
    this.#postQueued = true
    queueMicrotask(() => {
      this.#postQueued = false
      if (this.#added.size > 0 || this.#removed.size > 0) this.#postChanges()
    })
  }

  #postChanges(): void {
    const worker = this.#worker
    if (worker === undefined) return
    const version = ++this.#version
    const added = [...this.#added].map(([id, config]) => ({ id, ...config }))
    const removed = [...this.#removed]
    this.#added.clear()
    this.#removed.clear()
    worker.postMessage({ type: 'clients', version, added, removed } satisfies ClientsMessage)
    this.#shared.postedMessage()
  }

  #ready(version: number): void {
    for (const id of this.#unready) {
      const client = this.#clients.get(id)
      if (client !== undefined && client.version > version) continue
      this.#unready.delete(id)
      client?.markReady()
    }
  }

  /** One watcher's copy: listeners of one watcher's event must not change another's. */
  #viewOf(id: number, capture: CaptureMessage | undefined): Capture | undefined {
    if (capture === undefined) return undefined
    const { seq, samples, stack, profile, hangs, unresponsive, callbacks, topCallbackSamples, sealedAtMs, firstSampleAtMs, othersWaiting } = capture
    const view: Capture = { ...structuredClone({ seq, samples, stack, profile, unresponsive }), callbacks, topCallbackSamples, hang: hangs.includes(id) }
    if (sealedAtMs !== undefined) view.sealedAtMs = sealedAtMs
    if (firstSampleAtMs !== undefined) view.firstSampleAtMs = firstSampleAtMs
    if (othersWaiting !== undefined) view.othersWaiting = othersWaiting
    return view
  }

  #samplesOf(seq: number): Promise<CaptureMessage | undefined> {
    const arrived = this.#arrived.get(seq)
    if (arrived !== undefined) return Promise.resolve(arrived)
    if (this.#worker === undefined) return Promise.resolve(undefined)
    return new Promise((resolve) => {
      const waiters = this.#waiters.get(seq) ?? new Set()
      this.#waiters.set(seq, waiters)
      const settle = (capture: CaptureMessage | undefined) => {
        clearTimeout(timer)
        waiters.delete(settle)
        if (waiters.size === 0) this.#waiters.delete(seq)
        resolve(capture)
      }
      const timer = setTimeout(settle, kCaptureWaitMs, undefined)
      waiters.add(settle)
    })
  }

  #arrive(capture: CaptureMessage): void {
    this.#arrived.set(capture.seq, capture)
    for (const old of this.#arrived.keys()) {
      if (this.#arrived.size <= kKeptCaptures) break
      this.#arrived.delete(old)
    }
    for (const settle of [...this.#waiters.get(capture.seq) ?? []]) settle(capture)
  }

  #fail(reason: string): void {
    debug('watchdog failed: %s', reason)
    warn(`loopwatch: the watchdog thread failed (${reason}); blocks are still measured, without stacks`,
      codes.watchdogFailed, true)
    void this.#stop()
  }

  #sampleSaturation(durationMs: number, intervalMs: number): Promise<SaturationMessage | undefined> {
    const worker = this.#worker
    if (worker === undefined) return Promise.resolve(undefined)
    const id = this.#nextSaturationId++
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        settle(undefined)
      }, durationMs + kCaptureWaitMs).unref()
      const settle = (message: SaturationMessage | undefined) => {
        clearTimeout(timer)
        this.#saturation.delete(id)
        resolve(message)
      }
      this.#saturation.set(id, settle)
      worker.postMessage({ type: 'saturation', id, durationMs, intervalMs } satisfies SaturationRequest)
      this.#shared.postedMessage()
    })
  }

  /** At process exit: makes the watchdog disconnect its session now. */
  releaseSession(): void {
    this.#shared.releaseSession(kExitWaitMs)
  }

  /**
   * Stops the worker (on failure, or when its last watcher leaves); pending
   * waits resolve without samples, and the next watcher starts a new one.
   */
  async #stop(): Promise<void> {
    if (threadHost === this) threadHost = undefined
    const worker = this.#worker
    this.#worker = undefined
    liveHosts.delete(this)
    if (liveHosts.size === 0) process.off('exit', releaseSessions)
    removeProbe(this.#probeId)
    this.#natives.stop()
    for (const client of this.#clients.values()) client.markReady()
    for (const waiters of [...this.#waiters.values()]) for (const settle of [...waiters]) settle(undefined)
    for (const settle of [...this.#saturation.values()]) settle(undefined)
    if (worker !== undefined) {
      await worker.terminate()
      debug('watchdog worker stopped')
    }
  }
}

/** The watchdog's environment: the process's, without `NODE_OPTIONS` (see the constructor). */
function workerEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env }
  delete env['NODE_OPTIONS']
  return env
}
