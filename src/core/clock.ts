import { performance } from 'node:perf_hooks'

/**
 * Time source for the detector. Both readings are milliseconds on the same
 * monotonic clock; unit tests inject a fake one.
 */
export interface Clock {
  /** Monotonic time, in milliseconds. */
  now(): number
  /**
   * Milliseconds the event loop has spent idle in its poll phase since it
   * started (0 before the loop starts, e.g. during top-level module code).
   */
  idle(): number
}

/** The real clock: `performance.now()` and libuv's idle-time counter. */
export const loopClock: Clock = {
  now: () => performance.now(),
  idle: () => performance.nodeTiming.idleTime,
}
