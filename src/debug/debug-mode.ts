import { CallbackTimer, type CallbackWindow, type RunningCallback, type TimedCallback } from './async-timing.js'
import type { Clock } from '../core/clock.js'
import type { BlockCallback, BlockEvent } from '../core/events.js'
import { SyncCallTimer, type SlowCall } from './intercept.js'
import { FrameResolver, memoryMaps, type StackFrame } from '../watchdog/frames.js'
import { kOwnDir } from '../watchdog/own-dir.js'
import { inOwnDispatch } from '../core/own-work.js'

/** What debug mode saw between two heartbeats. */
export interface DebugWindow {
  callbacks: CallbackWindow
  /** The longest synchronous call over the threshold, if any. */
  slowCall: SlowCall | undefined
}

/** What the probe saw running, on top of the blocked code. */
export type ProbedCallback = RunningCallback | undefined

/** What a probe landing in an app's listener of a loopwatch event found running: loopwatch's callback. */
const kOwnCallback: RunningCallback = { callback: { type: 'loopwatch', asyncId: -1, triggerAsyncId: -1 }, timed: false, own: true }

/** The callbacks the probes of one stall found running, and how many probes found each. */
export class ProbedCallbacks {
  readonly #seen = new Map<string, { running: RunningCallback, count: number }>()

  add(running: ProbedCallback): void {
    if (running === undefined) return
    const key = `${running.callback.type}:${running.callback.asyncId}`
    const seen = this.#seen.get(key)
    if (seen === undefined) this.#seen.set(key, { running, count: 1 })
    else seen.count++
  }

  /** The callback most probes found running; the first found, on a tie. */
  mostSeen(): ProbedCallback {
    let best: { running: RunningCallback, count: number } | undefined
    for (const seen of this.#seen.values()) if (best === undefined || seen.count > best.count) best = seen
    return best?.running
  }
}

/**
 * Debug mode: the async hook's callback timing and the synchronous-API
 * call-site timing, joined with the watchdog's live stack into one event.
 */
export class DebugMode {
  readonly #callbacks: CallbackTimer
  readonly #syncCalls: SyncCallTimer
  #slowCall: SlowCall | undefined
  /** Maps the scheduling and call-site stacks taken on this thread. */
  readonly #resolver = new FrameResolver(kOwnDir, { memory: memoryMaps() })

  /** @param ownMs loopwatch's own work so far, on `clock`'s timeline (see core/own-work.ts). */
  constructor(clock: Clock, thresholdMs: number, scheduleStacks: boolean, beatIntervalMs: number, ownMs: () => number = () => 0) {
    this.#callbacks = new CallbackTimer(clock, scheduleStacks, this.#resolver, beatIntervalMs, ownMs)
    this.#syncCalls = new SyncCallTimer(clock, thresholdMs, (call) => {
      if (call.durationMs > (this.#slowCall?.durationMs ?? 0)) this.#slowCall = call
    })
  }

  /** Called by each probe, on top of the blocked code: adds what runs to the stall's tally. */
  probe(tally = new ProbedCallbacks()): ProbedCallbacks {
    this.#callbacks.arm()
    tally.add(inOwnDispatch() ? kOwnCallback : this.#callbacks.current())
    return tally
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
   */
  enrich(event: BlockEvent, window: DebugWindow, probed: ProbedCallbacks | undefined): void {
    this.#callbacks.arm()
    const made = whatMadeTheBlock(event.duration, event.threshold, window.callbacks, probed?.mostSeen())
    if (made?.kind === 'callback') {
      event.kind = 'callback'
      event.callback = this.#toBlockCallback(made.callback)
    } else if (made?.kind === 'turn') {
      event.kind = 'turn'
      event.callbacks = made.callbacks.map((callback) => this.#toBlockCallback(callback))
    }
    // The call's site replaces the live stack only when the call was most of
    // the block: a 25 ms rmSync after 2 s of GC is not what blocked.
    // A live stack that went on inside the call (a `JSON.parse` reviver) is
    // more exact than the call's site.
    const call = window.slowCall
    if (call !== undefined && call.durationMs >= event.duration / 2) {
      const site = this.#resolver.resolve(call.stack)
      if (!insideCall(event.stack, site)) {
        event.stack = [{ functionName: call.api, file: call.file, line: 0, column: 0, internal: true }, ...site]
      }
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

/**
 * The callback that made a block of `durationMs`, given the one the probes
 * most often found running: that one, when the hook timed it; else the
 * longest one the hook timed, or the probes' callback, which ran for the
 * stall less what the hook timed (a promise reaction, or any callback when
 * the stall switched the hook on), whichever ran longer. A short callback
 * that a descheduled process stretched past the threshold does not take
 * the place of the reaction that blocked. With no callback over the
 * threshold, two or more callbacks make a turn. loopwatch's own callback
 * (running the app's listener of a loopwatch event) is never the one: the
 * block is then the listener's, the app's code, with no callback of its own.
 */
export function whatMadeTheBlock(
  durationMs: number,
  thresholdMs: number,
  { top, count, totalMs }: CallbackWindow,
  probed: ProbedCallback,
): { kind: 'callback', callback: TimedCallback } | { kind: 'turn', callbacks: TimedCallback[] } | undefined {
  if (probed?.own === true) {
    const longest = top[0]
    return longest !== undefined && longest.duration > thresholdMs ? { kind: 'callback', callback: longest } : undefined
  }
  const sampled = probed?.timed === true ? top.find((callback) => callback.asyncId === probed.callback.asyncId) : undefined
  if (sampled !== undefined && sampled.duration > thresholdMs) return { kind: 'callback', callback: sampled }
  const longest = top[0]
  const untimed = probed !== undefined && !probed.timed ? { ...probed.callback, duration: durationMs - totalMs } : undefined
  const callback = [longest, untimed]
    .filter((candidate): candidate is TimedCallback => candidate !== undefined && candidate.duration > thresholdMs)
    .sort((a, b) => b.duration - a.duration)[0]
  if (callback !== undefined) return { kind: 'callback', callback }
  if (count >= 2) return { kind: 'turn', callbacks: top }
  if (probed !== undefined) return { kind: 'callback', callback: { ...probed.callback, duration: durationMs } }
  return undefined
}

/**
 * True when `live` ran inside the call made at `site`: it has the caller's
 * frame at the call's line, below frames of user code the call called back.
 */
function insideCall(live: readonly StackFrame[], site: readonly StackFrame[]): boolean {
  const caller = site.find((frame) => !frame.internal)
  if (caller === undefined) return false
  const at = live.findIndex((frame) => frame.functionName === caller.functionName && frame.file === caller.file && frame.line === caller.line)
  return at > 0 && live.slice(0, at).some((frame) => !frame.internal)
}

/** Drops internal frames, keeping at most 10 frames from the first user frame on. */
function trimInternals(stack: BlockCallback['scheduledAt'] & object): NonNullable<BlockCallback['scheduledAt']> {
  return stack.filter((frame) => !frame.internal).slice(0, 10)
}
