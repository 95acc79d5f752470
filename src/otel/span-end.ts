import { performance } from 'node:perf_hooks'
import type { Span } from '@opentelemetry/api'

/** Reads the stall in progress: epoch ms start, ms busy so far. */
export type StallReader = () => { startTime: number; duration: number }

/** A span whose `end()` loopwatch intercepted during a block. */
export interface Intercepted {
  /** `performance.now()` when intercepted. */
  readonly createdMs: number
  /** The span's `end()` was called before the block was published, and is held until it is. */
  readonly held: boolean
  /**
   * Adds the block's event to the span whose `end()` is held, then ends it
   * at the time `end()` was called. Idempotent; a no-op once released.
   */
  finish(record: (span: Span) => void): void
  /** Puts the span's own `end()` back, ending the span if its `end()` is held. Idempotent. */
  release(): void
}

export interface InterceptOptions {
  thresholdMs: number
  onError: (error: unknown) => void
  /** Called once, when released. */
  done: (intercepted: Intercepted) => void
}

/** Two readings of one stall agree on its start to well within this (ms). */
const kSameStallMs = 0.5

/**
 * Runs in the probe, on top of the blocked code. The blocked span often ends
 * before the main thread learns that the block is over: a synchronous
 * handler calls `res.end()` right after the slow work, or the HTTP
 * instrumentation ends the server span on the response's `'close'`, a tick
 * later. So the span's `end()` is wrapped: if it is called while a block is
 * under way (the stall so far is over the threshold), the end is held, with
 * the time it was called, until the block is published; then the block's
 * event is added, with the same attributes as the block span and the log
 * record (the stack the watchdog sampled and source-mapped), and the span
 * ends at that time. Nothing heavy runs on the main thread meanwhile.
 *
 * The wrapper is an own property of that one span, put back when the block
 * is published, when the stall turns out to be no block, or on `stop()`.
 */
export function interceptEnd(span: Span, stall: StallReader, options: InterceptOptions): Intercepted {
  const atProbe = stall()
  // The blocked callback returns before the next microtask checkpoint: the
  // stall so far is then the whole block, unless other callbacks of the same
  // loop turn add to it. Read after that, stall() would measure a later stall.
  let afterCallback: { startTime: number; duration: number } | undefined
  queueMicrotask(() => {
    const now = stall()
    if (Math.abs(now.startTime - atProbe.startTime) < kSameStallMs) afterCallback = now
  })

  // eslint-disable-next-line @typescript-eslint/unbound-method -- called with the span as `this`
  const original = span.end
  const hadOwn = Object.hasOwn(span, 'end')
  let released = false
  /** The held `end()`'s arguments, its end time filled in. */
  let heldArgs: unknown[] | undefined

  const isBlock = () => {
    const now = stall()
    const current = Math.abs(now.startTime - atProbe.startTime) < kSameStallMs ? now : afterCallback
    return current !== undefined && current.duration > options.thresholdMs
  }
  const endNow = (args: unknown[]) => {
    try {
      Reflect.apply(original, span, args)
    } catch (error) {
      options.onError(error)
    }
  }

  const intercepted: Intercepted = {
    createdMs: performance.now(),
    get held() {
      return heldArgs !== undefined
    },
    finish(record) {
      if (released) return
      if (heldArgs !== undefined) {
        try {
          record(span)
        } catch (error) {
          options.onError(error)
        }
      }
      intercepted.release()
    },
    release() {
      if (released) return
      released = true
      // Someone wrapped end() after us: leave ours in their chain, inert.
      if (span.end === wrapper) {
        if (hadOwn) span.end = original
        else Reflect.deleteProperty(span, 'end')
      }
      const args = heldArgs
      heldArgs = undefined
      if (args !== undefined) endNow(args)
      options.done(intercepted)
    },
  }

  function wrapper(this: unknown, ...args: unknown[]): void {
    if (released || this !== span) {
      Reflect.apply(original, this, args)
      return
    }
    // A second end() of a held span: the SDK ignores it too.
    if (heldArgs !== undefined) return
    let block = false
    try {
      block = isBlock()
    } catch (error) {
      options.onError(error)
    }
    if (!block) {
      intercepted.release()
      Reflect.apply(original, this, args)
      return
    }
    // The end time, epoch ms, as the SDK takes it: the span ends when it was told to.
    heldArgs = [args[0] ?? performance.timeOrigin + performance.now(), ...args.slice(1)]
  }

  span.end = wrapper
  return intercepted
}
