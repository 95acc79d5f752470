import type { BlockEvent } from './events.js'

/**
 * @internal What a feature (OpenTelemetry, debug mode, summaries) hooks into.
 * Hooks run inside loopwatch's own callbacks: they must not throw, and what
 * they do between blocks is on the host's hot path.
 */
export interface WatcherExtension<C = unknown> {
  /**
   * Runs on the main thread, on top of the blocked code, at the first probe
   * of a stall. What it returns comes back with the event, in `block()`.
   * `stall` reads the stall so far (epoch ms start, ms duration) when called.
   */
  probe?(stall: () => { startTime: number; duration: number }): unknown
  /** Every block, before `log` and the listeners. `probed` is what `probe()` returned. */
  block?(event: BlockEvent<C>, probed: unknown): void
  /** Called once by `stop()`. */
  stop?(): void | Promise<void>
}
