import { invalidType } from '../core/errors.js'
import type { BlockEvent } from '../core/events.js'
import { watchLoop } from '../core/watch-loop.js'
import { keepingAlive, watchdogReady } from './keep-alive.js'
import { resolveLimits, validateTestingOptions, watchFloor, type FailOnBlockOptions } from './options.js'
import { hostModule } from './realm.js'
import { startStretch } from './tracker.js'
import { blockedError } from './report.js'
import { judge, type Verdict } from './verdict.js'

/**
 * Runs `fn` (sync or async) under a watcher of its own and resolves with its
 * result, or rejects with a {@link LoopBlockedError} if the event loop was
 * blocked past the limits while it ran (by default: a block longer than
 * 200 ms). If `fn` throws, rejects with that error. The watcher is stopped
 * either way. Works in any runner, or in none.
 *
 * @example
 * ```js
 * import { expectNoBlock } from 'loopwatch/testing'
 * const rows = await expectNoBlock(() => db.query('select 1'), { threshold: 100 })
 * ```
 */
export async function expectNoBlock<T>(fn: () => T | PromiseLike<T>, options?: FailOnBlockOptions): Promise<Awaited<T>> {
  // Checked in the caller's realm, so the caller's TypeError is the one thrown.
  if (typeof fn !== 'function') throw invalidType('fn', 'a function', fn)
  const resolved = validateTestingOptions(options)
  const { value, verdict } = await (hostModule<{ watchCall: typeof watchCall }>() ?? { watchCall }).watchCall(fn, resolved)
  if (verdict !== undefined) throw blockedError(verdict, 'while the function ran')
  return value
}

/** Runs `fn` under a new watcher; the verdict is set when the limits were broken. */
export async function watchCall<T>(fn: () => T | PromiseLike<T>, options: FailOnBlockOptions):
Promise<{ value: Awaited<T>; verdict: Verdict | undefined }> {
  const watcher = watchLoop({ threshold: watchFloor(options), log: false, saturation: false })
  const blocks: BlockEvent[] = []
  watcher.on('block', (event) => blocks.push(event))
  try {
    // A block at the very start of `fn` must get its stack too: wait for the
    // watchdog, then start a fresh heartbeat sequence right before `fn`, one
    // the watchdog cannot have sampled (and found idle) already.
    await watchdogReady(watcher)
    const startTime = startStretch(watcher)
    const value = await fn()
    await keepingAlive(watcher.flush())
    const own = blocks.filter((block) => block.startTime >= startTime)
    return { value, verdict: judge(own, resolveLimits(options)) }
  } finally {
    await watcher.stop()
  }
}
