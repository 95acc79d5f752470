import type { Clock } from '../../src/core/clock.js'

/** A clock the test moves by hand: `advance()` is busy time, `idle()` idle time. */
export interface FakeClock extends Clock {
  /** The loop runs code for `ms`. */
  advance(ms: number): void
  /** The loop waits in poll for `ms`. */
  sleep(ms: number): void
}

export function fakeClock(): FakeClock {
  let nowMs = 1000
  let idleMs = 0
  return {
    now: () => nowMs,
    idle: () => idleMs,
    advance(ms) {
      nowMs += ms
    },
    sleep(ms) {
      nowMs += ms
      idleMs += ms
    },
  }
}
