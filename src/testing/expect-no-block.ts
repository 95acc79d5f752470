import { isMainThread } from 'node:worker_threads'
import type { BlockEvent } from '../events.js'
import { invalidType } from '../errors.js'
import { watchLoop } from '../watch-loop.js'
import { LoopBlockedError } from './errors.js'
import { keepingAlive } from './keep-alive.js'
import { kStallFloor, resolveLimits, validateTestingOptions, type FailOnBlockOptions } from './options.js'
import { hostModule } from './realm.js'
import { formatVerdict } from './report.js'
import { judge } from './verdict.js'

/**
 * Runs `fn` (sync or async) under a watcher of its own and resolves with its
 * result, or rejects with a {@link LoopBlockedError} if the event loop was
 * blocked past the limits while it ran (by default: a block longer than
 * 50 ms). If `fn` throws, rejects with that error. The watcher is stopped
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
  const host = hostModule()
  if (host !== undefined) return host.expectNoBlock(fn, resolved)
  const watcher = watchLoop({ threshold: kStallFloor, log: false, saturation: false })
  const blocks: BlockEvent[] = []
  watcher.on('block', (event) => blocks.push(event))
  try {
    const result = await fn()
    await keepingAlive(watcher.flush())
    const verdict = judge(blocks, resolveLimits(resolved))
    if (verdict !== undefined) {
      const failing = [...new Set([...verdict.long, ...verdict.stalls])].sort((a, b) => a.id - b.id)
      throw new LoopBlockedError(
formatVerdict(verdict, { workerThread: !isMainThread, during: 'while the function ran' }), failing)
    }
    return result
  } finally {
    await watcher.stop()
  }
}
