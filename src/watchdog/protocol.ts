import type { ProfileEntry } from '../events.js'
import type { StackFrame } from '../stack.js'

// Layout of the buffer the main thread and the watchdog share:
//   Int32  [0]  beat sequence, +1 on every heartbeat
//   BigInt [1]  hrtime (ns) of the last heartbeat
const kSeq = 0
const kBytes = 16

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

  constructor(buffer = new SharedArrayBuffer(kBytes)) {
    this.buffer = buffer
    this.#i32 = new Int32Array(buffer, 0, 1)
    this.#time = new BigInt64Array(buffer, 8, 1)
  }

  /** Main thread: records a heartbeat; returns the sequence that just ended. */
  beat(): number {
    Atomics.store(this.#time, 0, hrtimeNs())
    const ended = Atomics.add(this.#i32, kSeq, 1)
    // Wakes a watchdog that is sampling a block, so it stops at once.
    Atomics.notify(this.#i32, kSeq)
    return ended
  }

  seq(): number {
    return Atomics.load(this.#i32, kSeq)
  }

  /** hrtime of the last heartbeat, in nanoseconds. */
  beatTimeNs(): bigint {
    return Atomics.load(this.#time, 0)
  }

  /** Watchdog: resolves `true` as soon as a beat ends `seq`, `false` after `timeoutMs`. */
  async waitForBeat(seq: number, timeoutMs: number): Promise<boolean> {
    const { async, value } = Atomics.waitAsync(this.#i32, kSeq, seq, timeoutMs)
    if (!async) return value !== 'timed-out'
    // A pending waitAsync does not keep a thread's event loop alive.
    const keepAlive = setTimeout(() => undefined, timeoutMs + 1000)
    try {
      return (await value) !== 'timed-out'
    } finally {
      clearTimeout(keepAlive)
    }
  }
}

/** Data the watchdog starts with. */
export interface WatchdogConfig {
  buffer: SharedArrayBuffer
  probeId: number
  thresholdMs: number
  hangTimeoutMs: number
  /** Write hang reports to stderr (the `log: true` option). */
  writeHangs: boolean
}

/** What the watchdog sampled during one stall. */
export interface CaptureMessage {
  type: 'capture'
  seq: number
  samples: number
  stack: StackFrame[]
  profile: ProfileEntry[]
  /** A hang report was due (the block outlasted `hangTimeout`). */
  hang: boolean
}

/** Posted once the watchdog is watching: from then on a block gets its stack. */
export interface ReadyMessage {
  type: 'ready'
}
