import { clearTimeout, setTimeout } from 'node:timers'
import { Worker } from 'node:worker_threads'
import createDebug from 'debug'
import { codes, warn } from '../errors.js'
import {
  SharedBeat, type CaptureMessage, type ReadyMessage, type SaturationMessage, type SaturationRequest, type WatchdogConfig,
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
/** Captures kept for a heartbeat that has not asked for them yet. */
const kMaxUnclaimed = 8

interface Waiter {
  resolve: (capture: CaptureMessage | undefined) => void
  timer: NodeJS.Timeout
}

/** Hosts whose worker runs: one 'exit' listener serves them all, however many watchers. */
const liveHosts = new Set<WatchdogHost>()

function releaseSessions(): void {
  for (const host of liveHosts) host.releaseSession()
}

/**
 * Owns the watchdog worker and the shared heartbeat. If the worker fails,
 * blocks are still measured on the main thread, without stacks.
 */
export class WatchdogHost {
  readonly #shared = new SharedBeat()
  readonly #waiters = new Map<number, Waiter>()
  readonly #unclaimed = new Map<number, CaptureMessage>()
  readonly #saturation = new Map<number, (message: SaturationMessage | undefined) => void>()
  #nextSaturationId = 1
  #worker: Worker | undefined
  #markReady!: () => void
  /** Settles once the worker is watching, or has failed or stopped: never rejects. */
  readonly ready = new Promise<void>((resolve) => {
    this.#markReady = resolve
  })

  constructor(config: Omit<WatchdogConfig, 'buffer'>) {
    this.#shared.beat()
    const worker = new Worker(new URL('./watchdog-worker.js', import.meta.url), {
      workerData: { ...config, buffer: this.#shared.buffer } satisfies WatchdogConfig,
      // When loopwatch is preloaded (--import/--require, directly or through
      // NODE_OPTIONS), a worker inheriting those flags would load it again and
      // start a watchdog of its own, and so on without end.
      execArgv: [],
      env: { ...process.env, NODE_OPTIONS: cleanNodeOptions(process.env['NODE_OPTIONS']) },
      name: 'loopwatch watchdog',
    })
    worker.on('message', (message: CaptureMessage | SaturationMessage | ReadyMessage | { type: 'failed'; message: string }) => {
      if (message.type === 'capture') this.#settle(message.seq, message)
      else if (message.type === 'saturation') this.#saturation.get(message.id)?.(message)
      else if (message.type === 'ready') this.#markReady()
      else this.#fail(message.message)
    })
    worker.on('error', (error) => {
      this.#fail(error.message)
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

  /** Records a heartbeat; returns the sequence that just ended. */
  beat(): number {
    return this.#shared.beat()
  }

  currentSeq(): number {
    return this.#shared.seq()
  }

  /** Called first thing by the probe: the watchdog measures how long it waited to run. */
  probeStarted(): void {
    this.#shared.probeStarted()
  }

  /** The samples of `seq` if they have arrived already (at exit, where there is no waiting). */
  takeArrived(seq: number): CaptureMessage | undefined {
    const capture = this.#unclaimed.get(seq)
    this.#unclaimed.delete(seq)
    return capture
  }

  /** The sequence the watchdog's current probe is for. */
  probeSeq(): number {
    return this.#shared.probeSeq()
  }

  /**
   * Ends sequence `seq` early, as a heartbeat would, without measuring
   * anything: the watchdog stops sampling at once.
   */
  seal(seq: number): void {
    if (this.#shared.seq() === seq) this.#shared.beat()
  }

  /**
   * The watchdog's samples of the stall during sequence `seq`, once it has
   * finished with them. Call it only for a sequence the probe ran in.
   */
  samplesOf(seq: number): Promise<CaptureMessage | undefined> {
    const early = this.#unclaimed.get(seq)
    if (early !== undefined) {
      this.#unclaimed.delete(seq)
      return Promise.resolve(early)
    }
    if (this.#worker === undefined) return Promise.resolve(undefined)
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#settle(seq, undefined)
      }, kCaptureWaitMs)
      this.#waiters.set(seq, { resolve, timer })
    })
  }

  #settle(seq: number, capture: CaptureMessage | undefined): void {
    const waiter = this.#waiters.get(seq)
    if (waiter === undefined) {
      // Samples may arrive before the heartbeat that measures their stall;
      // keep the last few. Those of stalls under the threshold age out.
      if (capture === undefined) return
      this.#unclaimed.set(seq, capture)
      for (const old of this.#unclaimed.keys()) {
        if (this.#unclaimed.size <= kMaxUnclaimed) break
        this.#unclaimed.delete(old)
      }
      return
    }
    this.#waiters.delete(seq)
    clearTimeout(waiter.timer)
    waiter.resolve(capture)
  }

  #fail(reason: string): void {
    this.#markReady()
    debug('watchdog failed: %s', reason)
    warn(`loopwatch: the watchdog thread failed (${reason}); blocks are still measured, without stacks`,
      codes.watchdogFailed, true)
    void this.stop()
  }

  /**
   * Has the watchdog sample the busy main thread for `durationMs`; resolves
   * with the samples (`undefined` if the worker is gone or does not answer).
   */
  sampleSaturation(durationMs: number, intervalMs: number): Promise<SaturationMessage | undefined> {
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

  /** Stops the worker; pending waits resolve without samples. Idempotent. */
  async stop(): Promise<void> {
    const worker = this.#worker
    this.#worker = undefined
    liveHosts.delete(this)
    if (liveHosts.size === 0) process.off('exit', releaseSessions)
    this.#markReady()
    for (const seq of [...this.#waiters.keys()]) this.#settle(seq, undefined)
    for (const settle of [...this.#saturation.values()]) settle(undefined)
    if (worker !== undefined) {
      await worker.terminate()
      debug('watchdog worker stopped')
    }
  }
}

/** NODE_OPTIONS without the preload flags (`--import`, `--require`, `-r`, `--loader`). */
export function cleanNodeOptions(value: string | undefined): string {
  if (!value) return ''
  const tokens = value.match(/(?:[^\s"']+|"[^"]*"|'[^']*')+/g) ?? []
  const kept: string[] = []
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] ?? ''
    if (/^(--import|--require|-r|--loader|--experimental-loader)$/.test(token)) {
      i++
      continue
    }
    if (/^(--import|--require|--loader|--experimental-loader)=/.test(token)) continue
    kept.push(token)
  }
  return kept.join(' ')
}
