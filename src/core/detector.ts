import type { Clock } from './clock.js'

/** A stall measured between two heartbeats. */
export interface Stall {
  /** When the stall began, on the clock's timeline (ms). */
  startMs: number
  /** How long the loop was busy between the two beats (ms). */
  durationMs: number
}

/** One heartbeat's reading. */
export interface Beat {
  /** How late this beat ran compared with its schedule (ms, >= 0). */
  delayMs: number
  /** Set when the loop was busy for longer than the threshold since the previous beat. */
  stall: Stall | undefined
  /** When this beat ran, on the clock's timeline (ms). */
  nowMs: number
  /** Time since the previous beat (ms). */
  elapsedMs: number
  /** How much of it the loop was busy (ms). */
  busyMs: number
}

/** Pure block detection: heartbeats in, stalls out. No timers, no I/O. */
export interface Detector {
  /** Records a heartbeat, reading the clock once. */
  beat(): Beat
  /** The busy time since the last beat, without recording a beat: a stall in progress. */
  peek(): Stall
}

export interface DetectorOptions {
  /** Stalls longer than this are blocks (ms). */
  thresholdMs: number
  /** The heartbeat's period (ms), to turn beat gaps into delays. */
  intervalMs: number
  clock: Clock
  /**
   * Milliseconds of loopwatch's own work on the loop so far (only grows):
   * busy time, but not the app's, so left out of every stall.
   */
  ownMs?: () => number
}

/**
 * Measures each stall as the time the loop was *busy* between two beats:
 * the wall time between them minus the time libuv spent idle in poll. A
 * timer's lateness alone would undercount a block that began part-way through
 * the heartbeat period; busy time does not, and needs no finer heartbeat.
 */
export function createDetector({ thresholdMs, intervalMs, clock, ownMs = () => 0 }: DetectorOptions): Detector {
  let lastMs = clock.now()
  let lastIdleMs = clock.idle()
  let lastOwnMs = ownMs()
  return {
    peek() {
      const nowMs = clock.now()
      const busyMs = Math.max(0, nowMs - lastMs - (clock.idle() - lastIdleMs) - (ownMs() - lastOwnMs))
      return { startMs: nowMs - busyMs, durationMs: busyMs }
    },
    beat() {
      const nowMs = clock.now()
      const idleMs = clock.idle()
      const ownNowMs = ownMs()
      const elapsedMs = nowMs - lastMs
      const busyMs = Math.max(0, elapsedMs - (idleMs - lastIdleMs) - (ownNowMs - lastOwnMs))
      lastMs = nowMs
      lastIdleMs = idleMs
      lastOwnMs = ownNowMs
      const delayMs = Math.max(0, elapsedMs - intervalMs)
      const stall = busyMs > thresholdMs ? { startMs: nowMs - busyMs, durationMs: busyMs } : undefined
      return { delayMs, stall, nowMs, elapsedMs, busyMs }
    },
  }
}

/**
 * The heartbeat period for a threshold: half of it, so that an idle loop,
 * timer jitter included, never looks stalled to the watchdog (which acts when
 * no beat came for `threshold` ms); capped at 50 ms because each wake-up of an
 * idle process costs CPU (40-100 us each on the reference machine).
 */
export function heartbeatInterval(thresholdMs: number): number {
  return Math.min(50, Math.max(1, Math.floor(thresholdMs / 2)))
}
