/**
 * Keeps the event loop alive while `promise` is pending. `flush()` may wait
 * for the watchdog thread's samples, and the worker's port is unref'd: with
 * nothing else to do, a test runner's process would exit mid-hook (node:test:
 * "Promise resolution is still pending but the event loop has already
 * resolved").
 */
export async function keepingAlive<T>(promise: Promise<T>): Promise<T> {
  // Longer than the watcher waits for samples (2 s) before it gives up.
  const timer = setTimeout(() => undefined, 10_000)
  try {
    return await promise
  } finally {
    clearTimeout(timer)
  }
}
