import type { AsyncLocalStorage } from 'node:async_hooks'
import { invalidType, invalidValue, withCode, codes } from './errors.js'

/** Options for {@link watchLoop}. Every time is in milliseconds. */
export interface WatchLoopOptions<C = unknown> {
  /**
   * A stall of the event loop longer than this many milliseconds is a block
   * (asyncio's `slow_callback_duration`).
   * @default 100 (ms)
   */
  threshold?: number
  /**
   * A block still running after this many milliseconds is reported while it
   * runs, by the watchdog thread (the main thread cannot), then again at most
   * every `hangTimeout` while it lasts. Must be at least `threshold`.
   * @default 1000 (ms)
   */
  hangTimeout?: number
  /**
   * `true` writes a readable report of each block to stderr; `false` writes
   * nothing; a function receives each formatted report instead (hang reports
   * written while the loop is still stuck go to stderr only when `true`).
   * @default true
   */
  log?: boolean | ((report: string) => void)
  /**
   * An `AsyncLocalStorage` whose store, read on top of the blocked code, is
   * attached to the event as `context`: which request or job was stalled.
   */
  context?: AsyncLocalStorage<C>
}

/** Options after validation, with every default filled in. */
export interface ResolvedOptions<C = unknown> {
  readonly threshold: number
  readonly hangTimeout: number
  readonly log: boolean | ((report: string) => void)
  readonly context: AsyncLocalStorage<C> | undefined
}

/** Default block threshold, in milliseconds. */
export const kDefaultThreshold = 100
/** Default hang timeout, in milliseconds. */
export const kDefaultHangTimeout = 1000

const kKnownOptions = new Set(['threshold', 'hangTimeout', 'log', 'context'])

/** Checks a time option: a finite, positive number of milliseconds. */
export function expectPositiveMs(name: string, value: unknown): number {
  if (typeof value !== 'number') throw invalidType(name, 'a positive number of milliseconds', value)
  if (!Number.isFinite(value) || value <= 0) {
    throw invalidValue(name, 'a positive, finite number of milliseconds', value)
  }
  return value
}

/**
 * Validates `watchLoop()` options once, synchronously, and returns them
 * frozen with defaults applied. Throws `TypeError` for a wrong type and
 * `RangeError` for a bad value, both with code `ERR_LOOPWATCH_INVALID_OPTION`.
 */
export function validateOptions<C>(options: WatchLoopOptions<C> | undefined): ResolvedOptions<C> {
  const raw: unknown = options ?? {}
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw invalidType('options', 'an object', raw)
  }
  options = raw
  for (const key of Object.keys(options)) {
    if (!kKnownOptions.has(key)) {
      throw withCode(
        new TypeError(`Unknown option \`${key}\`; known options are ${[...kKnownOptions].map((k) => `\`${k}\``).join(', ')}`),
        codes.invalidOption,
      )
    }
  }
  const threshold = expectPositiveMs('threshold', options.threshold ?? kDefaultThreshold)
  const hangTimeout = expectPositiveMs('hangTimeout', options.hangTimeout ?? Math.max(kDefaultHangTimeout, threshold))
  if (hangTimeout < threshold) {
    throw invalidValue('hangTimeout', `at least \`threshold\` (${threshold} ms)`, hangTimeout,
      '; raise `hangTimeout` or lower `threshold`')
  }
  const log = options.log ?? true
  if (typeof log !== 'boolean' && typeof log !== 'function') {
    throw invalidType('log', 'a boolean or a function', log)
  }
  const context = options.context
  if (context !== undefined && typeof (context as { getStore?: unknown } | null)?.getStore !== 'function') {
    throw invalidType('context', 'an AsyncLocalStorage', context)
  }
  return Object.freeze({ threshold, hangTimeout, log, context })
}
