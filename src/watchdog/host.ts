import { executionAsyncId } from 'node:async_hooks'
import { clearTimeout, setImmediate, setTimeout } from 'node:timers'
import { readlinkSync } from 'node:fs'
import * as threads from 'node:worker_threads'
import { createDebug } from '../core/debug-log.js'
import { currentThread } from '../core/thread.js'

const { BroadcastChannel, isMainThread, threadId, Worker } = threads
import { codes, warn } from '../core/errors.js'
import { captureRawStack, installProbe, removeProbe } from './probe.js'
import { NativeCallWatch } from './native-calls.js'
import type { RawFrame } from './frames.js'
import { kOwnDir } from './own-dir.js'
import { kModuleUrl } from '../core/module-url.js'
import { inspectorAllowed } from '../core/permission.js'
import {
  kChannelName, Mailbox, SharedBeat, type Capture, type CaptureMessage, type ChannelMessage, type ClientConfig, type ClientsMessage,
  type FromWatchdog, type RetireRequest, type SaturationMessage, type SaturationRequest, type TargetInit, type ToWatchdog, type WatchdogConfig,
} from './protocol.js'

const debug = createDebug('loopwatch')

/**
 * How long the main thread waits for the samples of a block it has measured.
 * The wait keeps the process alive (the samples are a message away, usually
 * well under a millisecond): a program that blocks and then ends still gets
 * its report. The bound caps that delay if the worker is stuck.
 */
const kCaptureWaitMs = 1000
/** How long a watchdog that yields to another thread's may take to sample its last stall. */
const kRetireWaitMs = 2000
/** At exit, how long the main thread waits for the watchdog to disconnect its session. */
const kExitWaitMs = 200
/**
 * Captures kept after they arrive: each watcher claims a block's capture at
 * its own next heartbeat, and the samples may arrive before the first of them.
 * Those of stalls under every threshold age out.
 */
const kKeptCaptures = 8
/**
 * A worker thread looks for a watchdog to join this long before it starts
 * one of its own (plus a little per thread id: when a watchdog's thread
 * ends, the thread with the lowest id takes over before the others try).
 */
const kDiscoverMs = 100
const kDiscoverPerThreadMs = 10
const kDiscoverMaxMs = 600
/** How long a worker thread waits for a watchdog another thread is starting (seen: 50-400 ms on a busy machine). */
const kStartingWaitMs = 2000
/**
 * A watchdog that has not woken up for this long is gone (it wakes up at
 * least every 250 ms): its thread was terminated without a word.
 */
const kSilentMs = 1500

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
   * finished with them. Call it only for a sequence the probe ran in, or
   * one {@link heldProbe} gave.
   */
  samplesOf(seq: number): Promise<Capture | undefined>
  /**
   * A worker thread's stall the watchdog sent a probe for that has not run
   * yet (the main thread, which passes it on, is blocked): its sequence, for
   * {@link samplesOf}. Call it before {@link beat}.
   */
  heldProbe(): number | undefined
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

/** Hosts whose thread is served: one 'exit' listener serves them all. */
const liveHosts = new Set<WatchdogHost>()

function atExit(): void {
  for (const host of liveHosts) host.atExit()
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
 * How this thread reaches the watchdog that serves it: its own worker, or
 * the worker another thread started (through the shared channel).
 */
interface Link {
  /** The thread whose watchdog this is. */
  readonly owner: number
  readonly mail: Mailbox
  post(message: ToWatchdog): void
  /** Stops being served; an own worker is terminated. */
  stop(): Promise<void>
}


/** This thread's kernel thread id (Linux), for the `cpu` option's reading of the other threads. */
function kernelTid(): number | undefined {
  try {
    return Number(/\/task\/(\d+)$/.exec(readlinkSync('/proc/thread-self'))?.[1] ?? Number.NaN) || undefined
  } catch {
    return undefined
  }
}

/**
 * Owns this thread's heartbeat and probe, and its place at the process's
 * one watchdog. The main thread starts a watchdog worker of its own; a
 * worker thread first asks on the shared channel whether one runs, and
 * joins it, or starts one if none answers. Where two run, the one of the
 * lower thread id serves all: the other ends it and joins (the main
 * thread's, id 0, always wins). If the watchdog fails, blocks are still
 * measured, without stacks.
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
  readonly #inspector: boolean
  readonly #target: TargetInit
  /** The watchdog serving this thread; undefined while looking for one, and once stopped. */
  #link: Link | undefined
  /** The watchdog this thread started, while it runs. */
  #own: threads.Worker | undefined
  #stopped = false
  /** The own watchdog has answered once: it listens on the channel. */
  #ownListening = false
  readonly #channel: threads.BroadcastChannel | undefined
  #discovery: NodeJS.Timeout | undefined
  /** Own watchdogs that yielded to another thread's, still sampling the stalls before it took over. */
  readonly #retiring = new Set<threads.Worker>()

  constructor() {
    this.#shared.beat()
    this.#probeId = installProbe(this.#probe)
    this.#natives = new NativeCallWatch(this.#shared.probePending, (frames) => {
      this.#held = { seq: this.#shared.seq(), frames }
    })
    this.#target = { threadId, name: currentThread().name, buffer: this.#shared.buffer, probeId: this.#probeId }
    const tid = isMainThread ? undefined : kernelTid()
    if (tid !== undefined) this.#target.tid = tid
    this.#inspector = inspectorAllowed()
    if (!this.#inspector) {
      warn('loopwatch: the permission model does not allow the inspector, so blocks and hangs are reported without stacks; '
        + 'allow it (Node >= 24: --allow-inspector) for stacks', codes.noInspector, true)
    }
    try {
      this.#channel = new BroadcastChannel(kChannelName)
      this.#channel.onmessage = (event: unknown) => {
        this.#onChannel((event as { data: ChannelMessage }).data)
      }
      // Never keeps the thread alive.
      this.#channel.unref()
    } catch (error) {
      debug('no channel to other threads: %O', error)
    }
    if (liveHosts.size === 0) process.on('exit', atExit)
    liveHosts.add(this)
    try {
      if (isMainThread || this.#channel === undefined) this.#startOwn()
      else this.#discover()
    } catch (error) {
      this.#teardown()
      throw error
    }
  }

  /** Asks the other threads for their watchdog; starts one if none answers in time. */
  #discover(waitMs = Math.min(kDiscoverMaxMs, kDiscoverMs + kDiscoverPerThreadMs * threadId), ask = true): void {
    if (ask) this.#channel?.postMessage({ type: 'who', from: threadId } satisfies ChannelMessage)
    clearTimeout(this.#discovery)
    const discovery = setTimeout(() => {
      // After the loop's poll phase: a thread blocked past the wait (a
      // module's loading) has the answer it got meanwhile delivered first,
      // rather than start a watchdog to end a moment later.
      setImmediate(() => {
        // Asked to wait longer meanwhile (another thread is starting one), or answered.
        if (this.#discovery !== discovery) return
        this.#discovery = undefined
        if (this.#link !== undefined || this.#stopped) return
        try {
          this.#startOwn()
        } catch (error) {
          this.#fail(`could not start: ${String(error)}`)
        }
      })
    }, waitMs)
    // The first watcher of a short-lived worker must not keep it alive.
    discovery.unref()
    this.#discovery = discovery
  }

  #onChannel(message: ChannelMessage): void {
    if (this.#stopped) return
    switch (message.type) {
      case 'who':
        if (this.#own !== undefined && this.#ownListening) this.#announce()
        else if (this.#own !== undefined) this.#channel?.postMessage({ type: 'starting', owner: threadId } satisfies ChannelMessage)
        break
      case 'starting':
        // Wait for that watchdog rather than start another.
        if (this.#link === undefined && this.#discovery !== undefined) this.#discover(kStartingWaitMs, false)
        break
      case 'here':
        this.#onHere(message.owner, message.mail)
        break
      case 'gone':
        if (this.#link !== undefined && this.#own === undefined && this.#link.owner === message.owner) this.#lost()
        break
      case 'to-host':
        if (message.threadId === threadId && message.owner === this.#link?.owner) this.#receive(message.message)
        break
      default:
        break
    }
  }

  /** A watchdog of thread `owner` serves others: join it if it is the lowest heard of. */
  #onHere(owner: number, mail: SharedArrayBuffer): void {
    const current = this.#link?.owner
    if (current !== undefined && owner >= current) {
      // Ours is lower: tell the other one, so that it yields.
      if (this.#own !== undefined && owner > current) this.#announce()
      return
    }
    if (owner === threadId) return
    const old = this.#link
    this.#link = undefined
    // The stall this message ran after may not have had its heartbeat yet:
    // its sequence is the last one the old watchdog samples, and the new one
    // takes over from the next. A worker terminated at once would take the
    // samples of that stall with it (seen with jest's two worker threads,
    // which start a watchdog each and settle on one a moment later, while
    // a test blocks).
    const lastSeq = this.#shared.seq()
    const own = old === undefined ? undefined : this.#own
    if (old !== undefined) {
      debug('thread %d: joining the watchdog of thread %d', threadId, owner)
      if (own === undefined) void old.stop()
      else this.#retire(own, old, lastSeq)
    }
    this.#own = undefined
    clearTimeout(this.#discovery)
    this.#discovery = undefined
    this.#useLink(this.#guestLink(owner, new Mailbox(mail), own === undefined ? undefined : lastSeq + 1))
  }

  /** The own watchdog samples the stalls up to `lastSeq`, then ends: it says so with a 'retired'. */
  #retire(worker: threads.Worker, link: Link, lastSeq: number): void {
    this.#retiring.add(worker)
    link.post({ type: 'retire', lastSeq } satisfies RetireRequest)
    // A watchdog stuck in a sampling is left behind all the same.
    const timer = setTimeout(() => {
      stop()
    }, kRetireWaitMs).unref()
    const stop = () => {
      clearTimeout(timer)
      if (this.#retiring.delete(worker)) void link.stop()
    }
    worker.on('message', (message: FromWatchdog) => {
      if (message.type === 'capture') this.#arrive(message)
      else if (message.type === 'retired') stop()
    })
    // The listener refs the worker again: a yielding watchdog keeps nothing alive.
    worker.unref()
  }

  /** The watchdog this thread used is gone without a word: look again. */
  #lost(): void {
    debug('thread %d: the watchdog of thread %d is gone', threadId, this.#link?.owner)
    this.#link = undefined
    this.#discover()
  }

  #announce(): void {
    // Only once the watchdog listens on the channel: a join sent before would be lost.
    if (this.#link === undefined || !this.#ownListening) return
    this.#channel?.postMessage({ type: 'here', owner: threadId, mail: this.#link.mail.buffer } satisfies ChannelMessage)
  }

  /** A new link serves every watcher there is, from scratch. */
  #useLink(link: Link): void {
    this.#link = link
    for (const [id, client] of this.#clients) {
      this.#added.set(id, client.config)
      client.version = this.#version + 1
    }
    this.#removed.clear()
    // None yet (the first watcher joins right after): its join goes at once,
    // not a microtask later, which a block right after watchLoop() would hold up.
    if (this.#added.size > 0) this.#postClients()
  }

  /** `fromSeq`: the stalls this link's watchdog samples begin there (see `#onHere`). */
  #guestLink(owner: number, mail: Mailbox, fromSeq?: number): Link {
    const channel = this.#channel as threads.BroadcastChannel
    const target = fromSeq === undefined ? this.#target : { ...this.#target, fromSeq }
    channel.postMessage({ type: 'join', owner, target } satisfies ChannelMessage)
    mail.post()
    return {
      owner,
      mail,
      post: (message) => {
        channel.postMessage({ type: 'to-watchdog', owner, threadId, message } satisfies ChannelMessage)
        mail.post()
      },
      stop: () => {
        channel.postMessage({ type: 'leave', owner, threadId } satisfies ChannelMessage)
        mail.post()
        return Promise.resolve()
      },
    }
  }

  /** Starts this thread's own watchdog worker and tells the other threads. */
  #startOwn(): void {
    const mail = new Mailbox()
    // Counts from now: the worker takes a while to start.
    mail.alive()
    const { script, eval: isCode } = watchdogScript()
    const worker = new Worker(script, {
      eval: isCode,
      workerData: { owner: this.#target, mail: mail.buffer, ownDir: kOwnDir, inspector: this.#inspector } satisfies WatchdogConfig,
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
    worker.on('message', (message: FromWatchdog) => {
      // Stopped or replaced: what the worker still had on its way is of no
      // use, and its failure is no news.
      if (this.#own !== worker) return
      this.#receive(message)
      if (message.type === 'ready' && !this.#ownListening) {
        this.#ownListening = true
        this.#announce()
      }
    })
    worker.on('error', (error) => {
      if (this.#own === worker) this.#fail(error.message)
    })
    worker.on('exit', (code) => {
      if (this.#own === worker) this.#fail(`exited with code ${code}`)
    })
    // After the listeners: adding a 'message' listener refs the port again.
    worker.unref()
    this.#own = worker
    this.#ownListening = false
    this.#channel?.postMessage({ type: 'starting', owner: threadId } satisfies ChannelMessage)
    const link: Link = {
      owner: threadId,
      mail,
      post: (message) => {
        worker.postMessage(message)
        mail.post()
      },
      stop: async () => {
        this.#channel?.postMessage({ type: 'gone', owner: threadId } satisfies ChannelMessage)
        if (this.#own === worker) this.#own = undefined
        await worker.terminate()
        debug('watchdog worker stopped')
      },
    }
    this.#useLink(link)
    debug('watchdog worker started (thread %d) for thread %d', worker.threadId, threadId)
  }

  #receive(message: FromWatchdog): void {
    if (message.type === 'capture') this.#arrive(message)
    else if (message.type === 'saturation') this.#saturation.get(message.id)?.(message)
    else if (message.type === 'ready') this.#ready(message.version)
    else if (message.type === 'failed') this.#fail(message.message)
  }

  /**
   * Runs on the watched thread, on top of the blocked code, when the
   * watchdog asks: the live stack once, handed to every watcher.
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
    const heldHere = held !== undefined && held.seq === seq
    this.#shared.setProbeHeld(inCheck !== undefined || heldHere)
    const frames = inCheck !== undefined
      ? [inCheck.frame, ...captureRawStack(inCheck.wrapped)]
      : heldHere ? held.frames : captureRawStack(this.#probe)
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
    if (this.#stopped) markReady()
    let left: Promise<void> | undefined
    return {
      ready,
      beat: () => {
        this.#shared.beat()
        // A module loaded by `import` since: its natives are wrapped now.
        this.#natives.refresh()
        // Served from another thread's watchdog, which ended with its thread.
        const link = this.#link
        if (link !== undefined && this.#own === undefined && link.mail.silentMs() > kSilentMs) this.#lost()
      },
      heldProbe: () => {
        const seq = this.#shared.seq()
        return !isMainThread && this.#shared.probeOnItsWay(seq) ? seq : undefined
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
    const link = this.#link
    if (link === undefined) return
    const version = ++this.#version
    const added = [...this.#added].map(([id, config]) => ({ id, ...config }))
    const removed = [...this.#removed]
    this.#added.clear()
    this.#removed.clear()
    link.post({ type: 'clients', version, added, removed } satisfies ClientsMessage)
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
    const {
      seq, samples, stack, profile, hangs, unresponsive, callbacks, topCallbackSamples, sealedAtMs, firstSampleAtMs, othersWaiting,
      routeHeldMs,
    } = capture
    const view: Capture = { ...structuredClone({ seq, samples, stack, profile, unresponsive }), callbacks, topCallbackSamples, hang: hangs.includes(id) }
    if (sealedAtMs !== undefined) view.sealedAtMs = sealedAtMs
    if (firstSampleAtMs !== undefined) view.firstSampleAtMs = firstSampleAtMs
    if (othersWaiting !== undefined) view.othersWaiting = othersWaiting
    if (routeHeldMs !== undefined) view.routeHeldMs = routeHeldMs
    return view
  }

  #samplesOf(seq: number): Promise<CaptureMessage | undefined> {
    const arrived = this.#arrived.get(seq)
    if (arrived !== undefined) return Promise.resolve(arrived)
    if (this.#link === undefined) return Promise.resolve(undefined)
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
    const link = this.#link
    if (link === undefined) return Promise.resolve(undefined)
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
      link.post({ type: 'saturation', id, durationMs, intervalMs } satisfies SaturationRequest)
    })
  }

  /**
   * At the thread's exit: the main thread makes the watchdog disconnect its
   * session now; a worker thread tells the threads it served that its
   * watchdog ends with it, and the watchdog that served it that it leaves.
   */
  atExit(): void {
    this.#shared.releaseSession(kExitWaitMs, () => this.#link?.mail.post())
    if (this.#link === undefined) return
    if (this.#own !== undefined) this.#channel?.postMessage({ type: 'gone', owner: threadId } satisfies ChannelMessage)
    else void this.#link.stop()
  }

  /**
   * Stops being served (on failure, or when the last watcher leaves);
   * pending waits resolve without samples, and the next watcher starts anew.
   */
  async #stop(): Promise<void> {
    if (this.#stopped) return
    this.#stopped = true
    const link = this.#link
    this.#link = undefined
    // Before the channel closes: a guest's goodbye travels on it.
    const stopped = link?.stop()
    this.#teardown()
    for (const client of this.#clients.values()) client.markReady()
    for (const waiters of [...this.#waiters.values()]) for (const settle of [...waiters]) settle(undefined)
    for (const settle of [...this.#saturation.values()]) settle(undefined)
    await stopped
  }

  #teardown(): void {
    this.#stopped = true
    if (threadHost === this) threadHost = undefined
    clearTimeout(this.#discovery)
    for (const worker of this.#retiring) void worker.terminate()
    this.#retiring.clear()
    this.#channel?.close()
    liveHosts.delete(this)
    if (liveHosts.size === 0) process.off('exit', atExit)
    removeProbe(this.#probeId)
    this.#natives.stop()
  }
}

/** The watchdog's environment: the process's, without `NODE_OPTIONS` (see the constructor). */
function workerEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env }
  delete env['NODE_OPTIONS']
  return env
}
