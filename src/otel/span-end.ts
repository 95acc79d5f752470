import { fileURLToPath } from 'node:url'
import { sep } from 'node:path'
import { performance } from 'node:perf_hooks'
import type { Span } from '@opentelemetry/api'
import type { BlockFacts } from './attributes.js'
import { captureRawStack } from '../watchdog/probe.js'
import type { RawFrame, StackFrame } from '../watchdog/frames.js'
import { kOwnDir } from '../watchdog/own-dir.js'

/** Reads the stall in progress: epoch ms start, ms busy so far. */
export type StallReader = () => { startTime: number; duration: number }

/** A span whose `end()` loopwatch intercepted during a block. */
export interface Intercepted {
  /** `performance.now()` when intercepted. */
  readonly createdMs: number
  /** The span's `end()` was called before the block was published. */
  readonly ended: boolean
  /** The intercepted `end()` added the block's event to the span. */
  readonly recorded: boolean
  /** Puts the span's own `end()` back. Idempotent. */
  release(): void
}

export interface InterceptOptions {
  thresholdMs: number
  hangTimeoutMs: number
  /** Resolves the raw frames (source maps) when the event is recorded. */
  resolve: (raw: readonly RawFrame[]) => StackFrame[]
  /** Adds the event to the span. */
  record: (facts: BlockFacts) => void
  onError: (error: unknown) => void
  /** Called once, when released. */
  done: (intercepted: Intercepted) => void
}

const kOwnDirSep = kOwnDir === undefined ? undefined : kOwnDir.endsWith(sep) ? kOwnDir : kOwnDir + sep
/** Two readings of one stall agree on its start to well within this (ms). */
const kSameStallMs = 0.5

/**
 * Runs in the probe, on top of the blocked code. The blocked span often ends
 * before the main thread learns that the block is over: a synchronous
 * handler calls `res.end()` right after the slow work, or the HTTP
 * instrumentation ends the server span on the response's `'close'`, a tick
 * later. So the span's `end()` is wrapped: if it is called before the block
 * is published, the event is added there and then, with the block's duration
 * at that moment and the stack taken now, before the span is closed.
 *
 * The wrapper is an own property of that one span, put back at the first
 * call, when the block is published, or on `stop()`.
 */
export function interceptEnd(span: Span, stall: StallReader, options: InterceptOptions): Intercepted {
  const atProbe = stall()
  const raw = withoutOwnFrames(captureRawStack(interceptEnd))
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
  let ended = false
  let recorded = false

  const record = () => {
    const now = stall()
    const current = Math.abs(now.startTime - atProbe.startTime) < kSameStallMs ? now : afterCallback
    // Under the threshold no block will be published: not a block (yet).
    if (current === undefined || current.duration <= options.thresholdMs) return
    options.record({
      startTime: current.startTime,
      duration: current.duration,
      threshold: options.thresholdMs,
      hang: current.duration >= options.hangTimeoutMs,
      stack: options.resolve(raw),
    })
    recorded = true
  }

  const intercepted: Intercepted = {
    createdMs: performance.now(),
    get ended() {
      return ended
    },
    get recorded() {
      return recorded
    },
    release() {
      if (released) return
      released = true
      // Someone wrapped end() after us: leave ours in their chain, inert.
      if (span.end === wrapper) {
        if (hadOwn) span.end = original
        else Reflect.deleteProperty(span, 'end')
      }
      options.done(intercepted)
    },
  }

  function wrapper(this: unknown, ...args: unknown[]): void {
    if (!released) {
      ended = true
      intercepted.release()
      try {
        record()
      } catch (error) {
        options.onError(error)
      }
    }
    Reflect.apply(original, this, args)
  }

  span.end = wrapper
  return intercepted
}

/**
 * Drops the frames of loopwatch's own probe (and the built-ins between them)
 * from the top of a stack captured inside it.
 */
function withoutOwnFrames(raw: RawFrame[]): RawFrame[] {
  let cut = 0
  for (let i = 0; i < raw.length; i++) {
    const fileName = raw[i]?.[1] ?? ''
    const file = fileName.startsWith('file://') ? fileURLToPath(fileName) : fileName
    if (kOwnDirSep !== undefined && file.startsWith(kOwnDirSep)) cut = i + 1
    else if (file !== '') break
  }
  return raw.slice(cut)
}
