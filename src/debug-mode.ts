import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CallbackTimer, type CallbackWindow, type RunningCallback, type TimedCallback } from './async-timing.js'
import type { Clock } from './clock.js'
import type { BlockCallback, BlockEvent } from './events.js'
import { SyncCallTimer, type SlowCall } from './intercept.js'
import { FrameResolver } from './stack.js'

/** What debug mode saw between two heartbeats. */
export interface DebugWindow {
  callbacks: CallbackWindow
  /** The longest synchronous call over the threshold, if any. */
  slowCall: SlowCall | undefined
}

/** What the probe saw running, on top of the blocked code. */
export type ProbedCallback = RunningCallback | undefined

/**
 * Debug mode: the async hook's callback timing and the synchronous-API
 * call-site timing, joined with the watchdog's live stack into one event.
 */
export class DebugMode {
  readonly #callbacks: CallbackTimer
  readonly #syncCalls: SyncCallTimer
  #slowCall: SlowCall | undefined
  /** Maps the scheduling and call-site stacks taken on this thread. */
  readonly #resolver = new FrameResolver(dirname(fileURLToPath(import.meta.url)))

  constructor(clock: Clock, thresholdMs: number, scheduleStacks: boolean, beatIntervalMs: number) {
    this.#callbacks = new CallbackTimer(clock, scheduleStacks, this.#resolver, beatIntervalMs)
    this.#syncCalls = new SyncCallTimer(clock, thresholdMs, (call) => {
      if (call.durationMs > (this.#slowCall?.durationMs ?? 0)) this.#slowCall = call
    })
  }

  /** Called by the probe, on top of the blocked code. */
  probe(): ProbedCallback {
    this.#callbacks.arm()
    return this.#callbacks.current()
  }

  /** Called at every heartbeat: what ran since the previous one. */
  takeWindow(): DebugWindow {
    const window = { callbacks: this.#callbacks.takeWindow(), slowCall: this.#slowCall }
    this.#slowCall = undefined
    return window
  }

  /**
   * Adds what debug mode knows to a block: the callback that made it (or
   * the turn's callbacks), and, when a synchronous call over the threshold
   * made most of it, that call's site as the stack: the watchdog could only sample
   * once the call had returned, possibly one frame too high.
   *
   * A callback the hook did not see begin (a promise reaction, or any
   * callback when a stall switched the hook on) was running for the stall
   * less what the hook timed.
   */
  enrich(event: BlockEvent, window: DebugWindow, probed: ProbedCallback): void {
    this.#callbacks.arm()
    const { top, count, totalMs } = window.callbacks
    const longest = top[0]
    const untimedMs = event.duration - totalMs
    if (longest !== undefined && longest.duration > event.threshold) {
      event.kind = 'callback'
      event.callback = this.#toBlockCallback(longest)
    } else if (probed !== undefined && !probed.timed && untimedMs > event.threshold) {
      event.kind = 'callback'
      event.callback = this.#toBlockCallback({ ...probed.callback, duration: untimedMs })
    } else if (count >= 2) {
      event.kind = 'turn'
      event.callbacks = top.map((callback) => this.#toBlockCallback(callback))
    } else if (probed !== undefined) {
      event.kind = 'callback'
      event.callback = this.#toBlockCallback({ ...probed.callback, duration: event.duration })
    }
    // The call's site replaces the live stack only when the call was most of
    // the block: a 25 ms rmSync after 2 s of GC is not what blocked.
    const call = window.slowCall
    if (call !== undefined && call.durationMs >= event.duration / 2) {
      event.stack = [
        { functionName: call.api, file: call.file, line: 0, column: 0, internal: true },
        ...this.#resolver.resolve(call.stack),
      ]
    }
  }

  #toBlockCallback({ scheduledAt, ...timed }: TimedCallback): BlockCallback {
    const callback: BlockCallback = timed
    if (scheduledAt !== undefined) callback.scheduledAt = trimInternals(scheduledAt)
    return callback
  }

  stop(): void {
    this.#callbacks.stop()
    this.#syncCalls.stop()
  }
}

/** Drops internal frames, keeping at most 10 frames from the first user frame on. */
function trimInternals(stack: BlockCallback['scheduledAt'] & object): NonNullable<BlockCallback['scheduledAt']> {
  return stack.filter((frame) => !frame.internal).slice(0, 10)
}
