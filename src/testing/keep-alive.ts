import type { LoopWatcher } from '../core/watch-loop.js'

/** The longest a test waits for the watchdog thread to start. */
const kReadyTimeoutMs = 5000

/**
 * Keeps the event loop alive while `promise` is pending. `flush()` may wait
 * for the watchdog thread's samples, whose port is unref'd: with nothing else
 * to do, a test runner's process would exit mid-hook (node:test: "Promise
 * resolution is still pending but the event loop has already resolved").
 */
export async function keepingAlive<T>(promise: Promise<T>): Promise<T> {
  // Longer than the watcher waits for samples before it gives up.
  const timer = setTimeout(() => undefined, 10_000)
  try {
    return await promise
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Waits until the watcher's watchdog thread is up, so that a block at the
 * very start of a test gets its stack; gives up after 5 s (then blocks are
 * still measured, and sampled once the thread is up).
 */
export async function watchdogReady(watcher: LoopWatcher): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, kReadyTimeoutMs)
  })
  try {
    await Promise.race([watcher.ready(), timeout])
  } finally {
    clearTimeout(timer)
  }
}
