import type { BlockCause } from './cause.js'
import type { StackFrame } from '../watchdog/frames.js'
import type { BlockCpu } from './cpu-time.js'

export type { BlockCause, BlockCpu }

/** A callback that ran during a block (debug mode). */
export interface BlockCallback {
  /** Node's async resource type: `Timeout`, `Immediate`, `TickObject`, `PROMISE`, `FSREQCALLBACK`, `HTTPINCOMINGMESSAGE`... */
  type: string
  asyncId: number
  triggerAsyncId: number
  /** How long it ran, in milliseconds. */
  duration: number
  /**
   * Where it was scheduled (its resource created), innermost first, Node
   * internals trimmed: with `scheduleStacks: true` only.
   */
  scheduledAt?: StackFrame[]
}

/** A distinct stack seen while sampling a block, and how many samples saw it. */
export interface ProfileEntry {
  /** Innermost frame first. */
  stack: StackFrame[]
  /** Samples that saw exactly this stack. */
  count: number
}

/** A completed block of the event loop, emitted as `'block'` on the main thread. */
export interface BlockEvent<C = unknown> {
  /** Increasing per watcher, from 1. */
  id: number
  /** When the block began, as epoch milliseconds (`Date.now()` scale). */
  startTime: number
  /** How long the loop was blocked, in milliseconds, measured on the main thread. */
  duration: number
  /** The watcher's threshold, in milliseconds. */
  threshold: number
  /** `true` when the block outlasted `hangTimeout` and was reported while still running. */
  hang: boolean
  /**
   * The live stack of the code that was running during the block, innermost
   * first: of the function most samples blamed, the most sampled stack along
   * its hottest path (a flame graph's widest tower: a recursion's samples,
   * spread over its depths, count together). For a one-sample block, the
   * sample taken when the stall crossed the threshold.
   * Empty when no sample could be taken.
   */
  stack: StackFrame[]
  /** Stack samples taken during the block. */
  samples: number
  /** The distinct sampled stacks with their counts, most frequent first. */
  profile: ProfileEntry[]
  /** The `context` store of the blocked code, when the `context` option is set. */
  context?: C
  /**
   * Why the loop was blocked: `cpu` (JavaScript running), `sync-io` (a
   * synchronous I/O or native call such as `readFileSync`, `execSync`,
   * `pbkdf2Sync`), `wait` (`Atomics.wait`), `gc` (garbage collection pauses
   * cover most of the block), `unknown` (no stack and no GC), `starved`
   * (the thread spent all but less than `threshold` of the stall waiting for
   * a CPU: the machine or the container's CPU limit, not the code; its
   * `stack` is what was running at the time, not a culprit; Linux only).
   */
  cause: BlockCause
  /**
   * Where the blocked thread's time went during the block: on a CPU, waiting
   * for one, or off CPU. Absent where nothing can be measured.
   */
  cpu?: BlockCpu
  /**
   * `turn` when several shorter callbacks in one loop turn made the block
   * together, none of them alone (always-on: see `callbacksSampled`); such a
   * block is not blamed on the one its `stack` was sampled in. Debug mode
   * also sets `callback` when one callback made the block.
   */
  kind?: 'callback' | 'turn'
  /**
   * Always-on, `kind: 'turn'`: how many distinct callbacks the stack samples
   * landed in (at least 1; the turn ran at least that many, often more).
   */
  callbacksSampled?: number
  /** Debug mode, `kind: 'callback'`: the callback that blocked. */
  callback?: BlockCallback
  /** Debug mode, `kind: 'turn'`: the longest callbacks of the turn, longest first. */
  callbacks?: BlockCallback[]
  /** The thread that was blocked: the main thread is `{ id: 0, name: '' }`. */
  thread: BlockThread
  /**
   * A worker thread's block: milliseconds its stack samples waited for the
   * main thread, through whose inspector they travel both ways (the main
   * thread was in a long native call itself). The samples are the worker's,
   * taken once they arrived: fewer, or none if the block had ended by then.
   */
  samplesDelayed?: number
}

/** Which thread a block was in. */
export interface BlockThread {
  /** `worker_threads.threadId`: 0 for the main thread. */
  id: number
  /** The `Worker`'s `name` option; '' for the main thread, and on Node 20 (which does not tell a worker its name). */
  name: string
}

/** Loop delay figures in milliseconds, since the previous `stats()` call. */
export interface DelayStats {
  min: number
  max: number
  mean: number
  stddev: number
  p50: number
  p90: number
  p99: number
}

/** Returned by `LoopWatcher#stats()`. */
export interface LoopStats {
  /** Blocks seen since the watcher started. */
  blocks: number
  /** Total milliseconds blocked since the watcher started. */
  blockedTime: number
  /**
   * Milliseconds of `blockedTime` in stalls of cause `starved` (the machine's,
   * not the code's).
   */
  starvedTime: number
  /** The longest block since the watcher started, in milliseconds (0 if none). */
  longest: number
  /**
   * How late the heartbeat ran, in milliseconds, since the previous `stats()`
   * call: the event-loop delay. `max` includes every block in that window.
   */
  delay: DelayStats
  /** Event-loop utilization (0..1) since the previous `stats()` call. */
  utilization: number
  /**
   * Reports that could not be written to stderr since the watcher started
   * (stderr closed, or a pipe whose reader is gone): dropped, never thrown.
   */
  droppedReports: number
}
