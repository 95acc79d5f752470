import type { HotCode } from '../saturation/saturation.js'
import type { ProfileEntry } from '../core/events.js'
import type { StackFrame } from './frames.js'

// Layout of the buffer the main thread and the watchdog share:
//   Int32  [0]  beat sequence, +1 on every heartbeat
//   Int32  [1]  inspector sessions the watchdog has connected now
//   Int32  [2]  1 once the main thread is exiting
//   Int32  [3]  the sequence the watchdog's next probe is for
//   BigInt [2]  hrtime (ns) of the last heartbeat
//   Int32  [6]  1 if the last probe's answer is a stack a native call held it off at
//   Int32  [7]  seq + 1 once the probed callback of stall `seq` has returned (0: not yet)
//   BigInt [4]  hrtime (ns) at which the probe last began to run
//   Int32  [10] 1 while a probe is posted and has not begun to run
const kSeq = 0
const kConnected = 1
const kExiting = 2
const kProbeSeq = 3
const kBytes = 48

// Taken once, at load: fake timers replace `process.hrtime` on the real
// process object (vitest's do by default), and a fake heartbeat time would
// leave the watchdog sampling at the wrong moments.
// `bigint()` reads a native counter and never uses `this`.
// eslint-disable-next-line @typescript-eslint/unbound-method
const hrtimeNs = process.hrtime.bigint

/** A view over the shared heartbeat buffer; both threads use the same class. */
export class SharedBeat {
  readonly buffer: SharedArrayBuffer
  readonly #i32: Int32Array
  readonly #time: BigInt64Array
  readonly #sealed: Int32Array
  readonly #probeStart: BigInt64Array
  /** 1 while a probe waits to run (see native-calls.ts). */
  readonly probePending: Int32Array
  /** The async id of the callback the last probe ran in. */
  readonly #probeCallback: Int32Array
  readonly #probeHeld: Int32Array

  constructor(buffer = new SharedArrayBuffer(kBytes)) {
    this.buffer = buffer
    this.#i32 = new Int32Array(buffer, 0, 4)
    this.#time = new BigInt64Array(buffer, 16, 1)
    this.#sealed = new Int32Array(buffer, 28, 1)
    this.#probeStart = new BigInt64Array(buffer, 32, 1)
    this.probePending = new Int32Array(buffer, 40, 1)
    this.#probeCallback = new Int32Array(buffer, 44, 1)
    this.#probeHeld = new Int32Array(buffer, 24, 1)
  }

  /** Main thread, in the probe: its answer is the stack a native call held it off at (native-calls.ts). */
  setProbeHeld(held: boolean): void {
    Atomics.store(this.#probeHeld, 0, held ? 1 : 0)
  }

  /** Watchdog: the last probe waited out a native call, whose caller's stack it answered. */
  probeHeld(): boolean {
    return Atomics.load(this.#probeHeld, 0) === 1
  }

  /** Main thread, in the probe: the callback it landed in (`executionAsyncId()`). */
  setProbeCallback(asyncId: number): void {
    Atomics.store(this.#probeCallback, 0, asyncId)
  }

  /** Watchdog: the callback the last probe landed in. */
  probeCallback(): number {
    return Atomics.load(this.#probeCallback, 0)
  }

  /** Main thread, first thing in the probe: when it began to run. */
  probeStarted(): void {
    Atomics.store(this.probePending, 0, 0)
    Atomics.store(this.#probeStart, 0, hrtimeNs())
  }

  /** hrtime (ns) at which the probe last began to run. */
  probeStartNs(): bigint {
    return Atomics.load(this.#probeStart, 0)
  }

  /** Main thread: records a heartbeat; returns the sequence that just ended. */
  beat(): number {
    Atomics.store(this.#time, 0, hrtimeNs())
    const ended = Atomics.add(this.#i32, kSeq, 1)
    // Wakes a watchdog that is sampling a block, so it stops at once.
    Atomics.notify(this.#i32, kSeq)
    return ended
  }

  /**
   * Main thread, in a microtask the probe queued: the callback the probe
   * landed in has returned. Not a heartbeat (only the event loop's turns
   * beat): in an endless microtask chain this runs while the loop is still
   * stuck, and the watchdog must keep the stall open.
   */
  seal(seq: number): void {
    Atomics.store(this.#sealed, 0, seq + 1)
    Atomics.notify(this.#sealed, 0)
  }

  /** Whether the probed callback of stall `seq` has returned (see {@link seal}). */
  sealed(seq: number): boolean {
    return Atomics.load(this.#sealed, 0) === seq + 1
  }

  /** Watchdog: the stall went on after its seal; the next probe seals it again. */
  unseal(): void {
    Atomics.store(this.#sealed, 0, 0)
  }

  /**
   * Watchdog: resolves once stall `seq` is sealed (never keeps the thread
   * alive). A stall that ended unsealed never resolves it; its waiter goes
   * at the next seal of any stall, rather than waiting on for good (one left
   * per such stall, each holding its stall's promise reactions, was a leak).
   */
  async whenSealed(seq: number): Promise<void> {
    for (let value = Atomics.load(this.#sealed, 0); value !== seq + 1; value = Atomics.load(this.#sealed, 0)) {
      if (this.seq() !== seq) return never()
      const wait = Atomics.waitAsync(this.#sealed, 0, value)
      if (wait.async) await wait.value
    }
  }

  seq(): number {
    return Atomics.load(this.#i32, kSeq)
  }

  /** hrtime of the last heartbeat, in nanoseconds. */
  beatTimeNs(): bigint {
    return Atomics.load(this.#time, 0)
  }

  /** Watchdog: resolves once a beat has ended `seq` (never keeps the thread alive). */
  async ended(seq: number): Promise<void> {
    const { async, value } = Atomics.waitAsync(this.#i32, kSeq, seq)
    if (async) await value
  }

  /**
   * Watchdog: the sequence the next probe is for. It travels in shared
   * memory, not in the evaluated expression: a constant expression is
   * compiled once, while one that changes leaves a script (~1 KB of the main
   * thread's heap) behind per probe.
   */
  setProbeSeq(seq: number): void {
    Atomics.store(this.#i32, kProbeSeq, seq)
    Atomics.store(this.probePending, 0, 1)
  }

  /** Whether a probe of stall `seq` was sent and has not begun to run (a worker's, held up on its way). */
  probeOnItsWay(seq: number): boolean {
    return Atomics.load(this.probePending, 0) === 1 && this.probeSeq() === seq
  }

  probeSeq(): number {
    return Atomics.load(this.#i32, kProbeSeq)
  }

  /** Watchdog: counts its connected sessions, and wakes a main thread waiting for none. */
  setConnected(connected: boolean): void {
    if (!connected) Atomics.store(this.probePending, 0, 0)
    Atomics.add(this.#i32, kConnected, connected ? 1 : -1)
    Atomics.notify(this.#i32, kConnected)
  }

  /**
   * Watchdog: waits at most `timeoutMs` for the main thread to start
   * exiting; true if it has. Bounded, so that no waiter is left behind per
   * call (the saturation sampling asks once per window).
   */
  /** Watchdog: the thread has begun to exit (its stall then is its exit, not a block). */
  exiting(): boolean {
    return Atomics.load(this.#i32, kExiting) === 1
  }

  async exitingWithin(timeoutMs: number): Promise<boolean> {
    const { async, value } = Atomics.waitAsync(this.#i32, kExiting, 0, timeoutMs)
    return (async ? await value : value) !== 'timed-out'
  }

  /**
   * Main thread, exiting: ends the current sequence and waits (synchronously,
   * at most `timeoutMs`) for the watchdog to disconnect its session. An
   * in-process session still connected at exit makes Node print "Waiting for
   * the debugger to disconnect...", and `NodeRuntime.notifyWhenWaitingForDisconnect`
   * does not cover sessions from `connectToMainThread()` (Node 20-24).
   */
  releaseSession(timeoutMs: number, wake: () => void): void {
    Atomics.store(this.#i32, kExiting, 1)
    Atomics.notify(this.#i32, kExiting)
    if (Atomics.load(this.#i32, kConnected) === 0) return
    // The watchdog may sleep in its mailbox: the notice above reaches it once it wakes.
    wake()
    this.beat()
    const deadline = performance.now() + timeoutMs
    for (let n = Atomics.load(this.#i32, kConnected); n > 0; n = Atomics.load(this.#i32, kConnected)) {
      const leftMs = deadline - performance.now()
      if (leftMs <= 0) return
      Atomics.wait(this.#i32, kConnected, n, leftMs)
    }
  }
}

/**
 * The watchdog's own word of shared memory, which every thread it serves
 * notifies when it has posted the watchdog a message, and where the watchdog
 * shows it is alive (a thread served from another thread's watchdog sees
 * that watchdog go with its thread: see host.ts).
 */
export class Mailbox {
  readonly buffer: SharedArrayBuffer
  readonly #mail: Int32Array
  readonly #alive: BigInt64Array

  constructor(buffer = new SharedArrayBuffer(16)) {
    this.buffer = buffer
    this.#mail = new Int32Array(buffer, 0, 1)
    this.#alive = new BigInt64Array(buffer, 8, 1)
  }

  /**
   * Watchdog: sleeps up to `ms` (synchronously), or until a host posts a
   * message. A blocking wait wakes the thread for a fraction of what a timer
   * costs (measured: 0.8 against 3-4 ms of CPU a second at 13 wake-ups a
   * second): the watchdog waits this way whenever it has nothing else to do.
   */
  sleep(ms: number): void {
    Atomics.wait(this.#mail, 0, 0, ms)
  }

  /** Host: tells a sleeping watchdog that a message waits for it. */
  post(): void {
    Atomics.store(this.#mail, 0, 1)
    Atomics.notify(this.#mail, 0)
  }

  /** Watchdog: true (once) when a host has posted a message since the last call. */
  take(): boolean {
    return Atomics.exchange(this.#mail, 0, 0) === 1
  }

  /** Watchdog, at each wake-up: it is alive. */
  alive(): void {
    Atomics.store(this.#alive, 0, hrtimeNs())
  }

  /** How long ago the watchdog last woke up, in ms (`Infinity` before its first wake-up). */
  silentMs(): number {
    const at = Atomics.load(this.#alive, 0)
    return at === 0n ? Number.POSITIVE_INFINITY : Number(hrtimeNs() - at) / 1e6
  }
}

/** Data the watchdog starts with. */
export interface WatchdogConfig {
  /** The thread that started the watchdog: served first, and the one its life is bound to. */
  owner: TargetInit
  /** The watchdog's {@link Mailbox}. */
  mail: SharedArrayBuffer
  /** loopwatch's own directory (see own-dir.ts): the watchdog's code runs from a string and cannot tell. */
  ownDir: string | undefined
  /**
   * The permission model allows the inspector. Without it the watchdog never
   * connects a session (Node aborts the whole process in
   * `Agent::ConnectToMainThread` if it tries) and reports hangs without stacks.
   */
  inspector: boolean
}

/** A thread the watchdog serves: its heartbeat, its probe and who it is. */
export interface TargetInit {
  /** `worker_threads.threadId` (0: the main thread). */
  threadId: number
  /** The `Worker`'s `name` option ('' for the main thread, and on Node 20). */
  name: string
  /** The thread's {@link SharedBeat} buffer. */
  buffer: SharedArrayBuffer
  /** The id of the probe the thread installed (see probe.ts). */
  probeId: number
  /** The thread's kernel thread id, where it can be read (Linux): for the `cpu` option. */
  tid?: number
  /** Stalls from this sequence on are the watchdog's: the one the thread yields from samples those before. */
  fromSeq?: number
}

/** What one watcher asks of the thread's watchdog. */
export interface ClientConfig {
  thresholdMs: number
  hangTimeoutMs: number
  /** Write hang reports to stderr (the `log: true` option). */
  writeHangs: boolean
  /** Read the other threads' run-queue wait over each sampled stall (the `cpu` option). */
  cpu: boolean
  /** Append a JSON line per hang report to this file (the CLI reads it). */
  eventsFile?: string
}

/**
 * Main thread to watchdog: the watchers that joined and left (deltas, so a
 * join costs the same with 1 watcher or 1,000). The watchdog samples
 * stalls past the lowest threshold and keeps each watcher's hang reports.
 */
export interface ClientsMessage {
  type: 'clients'
  /** Goes up with each change; the watchdog answers with a {@link ReadyMessage} of it. */
  version: number
  /** Watchers that joined since the last message. */
  added: (ClientConfig & { id: number })[]
  /** Ids of watchers that left since the last message. */
  removed: number[]
}

/** Main thread to watchdog: sample the busy loop (saturation). */
export interface SaturationRequest {
  type: 'saturation'
  id: number
  durationMs: number
  intervalMs: number
}

/** Watchdog to main thread: what the saturation sampling saw. */
export interface SaturationMessage {
  type: 'saturation'
  id: number
  samples: number
  /** The profile summed up here, in the watchdog: the main thread gets only the result. */
  hot: HotCode[]
}

/** What the watchdog sampled during one stall. */
export interface CaptureMessage {
  type: 'capture'
  seq: number
  samples: number
  stack: StackFrame[]
  profile: ProfileEntry[]
  /** The watchers (client ids) whose `hangTimeout` the stall outlasted. */
  hangs: number[]
  /**
   * When the main thread could not run the probe for a while (a GC pause or
   * a native call): [from, to] in `process.hrtime` milliseconds.
   */
  unresponsive: [number, number][]
  /** Distinct callbacks (async ids) the samples landed in: more than one, the stall was a loop turn of several. */
  callbacks: number
  /** Samples of the callback most samples landed in. */
  topCallbackSamples: number
  /**
   * When the first probed callback returned (its sealing microtask ran), in
   * ms after the heartbeat that began the stall: at most how long that one
   * callback ran. Absent when the stall ended first.
   */
  sealedAtMs?: number
  /**
   * When the first sample was taken (its probe ran), in ms after the same
   * heartbeat: that callback ran at least from then until `sealedAtMs`.
   */
  firstSampleAtMs?: number
  /**
   * Milliseconds the process's other threads (V8's GC helpers...) waited
   * for a CPU while the stall was sampled; absent where not measured.
   */
  othersWaiting?: number
  /**
   * A worker thread's stall: milliseconds its probes and their answers
   * waited for the main thread to pass them on (they travel through its
   * inspector; a main thread inside a long native call holds them up).
   * Absent when none waited.
   */
  routeHeldMs?: number
}

/** One watcher's copy of a capture. */
export interface Capture extends Omit<CaptureMessage, 'type' | 'hangs'> {
  /** A hang report was due for this watcher (the block outlasted its `hangTimeout`). */
  hang: boolean
}

/** Posted once the watchdog serves the watchers of `version`: from then on a block gets their stack. */
export interface ReadyMessage {
  type: 'ready'
  version: number
}

/** Watchdog to host: it can no longer serve that thread (blocks are still measured, without stacks). */
export interface FailedMessage {
  type: 'failed'
  message: string
}

/**
 * Host to the watchdog it started: another thread's watchdog serves the
 * host from the stall after `lastSeq` on. This one still samples stalls up
 * to `lastSeq`, then answers with a {@link RetiredMessage}.
 */
export interface RetireRequest {
  type: 'retire'
  lastSeq: number
}

/** Watchdog to host: it posted the samples of its last stall of the host, and serves it no more. */
export interface RetiredMessage {
  type: 'retired'
}

/** What the watchdog posts to a thread it serves. */
export type FromWatchdog = CaptureMessage | SaturationMessage | ReadyMessage | FailedMessage | RetiredMessage

/** What a thread posts to the watchdog that serves it. */
export type ToWatchdog = ClientsMessage | SaturationRequest | RetireRequest

/**
 * The channel (`BroadcastChannel`) that the loopwatch of every thread of the
 * process and every watchdog share: one watchdog serves them all (host.ts).
 * The version is in the name: two copies of loopwatch that speak differently
 * never meet.
 */
export const kChannelName = 'loopwatch:watchdog:1'

/** The messages on {@link kChannelName}. `owner` is the thread whose watchdog a message is for, or from. */
export type ChannelMessage =
  /** A thread with watchers looks for a watchdog. */
  | { type: 'who'; from: number }
  /** A thread is starting its watchdog: the threads looking for one wait for its `here`. */
  | { type: 'starting'; owner: number }
  /** A thread whose watchdog serves others, answering `who` or announcing itself. */
  | { type: 'here'; owner: number; mail: SharedArrayBuffer }
  /** That thread's watchdog stops (the thread exits, or yields to a lower one). */
  | { type: 'gone'; owner: number }
  /** A thread asks `owner`'s watchdog to serve it. */
  | { type: 'join'; owner: number; target: TargetInit }
  /** A thread served by `owner`'s watchdog stops watching. */
  | { type: 'leave'; owner: number; threadId: number }
  | { type: 'to-watchdog'; owner: number; threadId: number; message: ToWatchdog }
  | { type: 'to-host'; owner: number; threadId: number; message: FromWatchdog }

/** A promise that never settles, one per caller: nothing holds it, so it and what waits on it can be collected. */
function never(): Promise<never> {
  return new Promise<never>(() => undefined)
}
