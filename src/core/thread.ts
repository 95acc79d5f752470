import * as threads from 'node:worker_threads'
import type { BlockThread } from './events.js'

/**
 * The calling thread, as events name it: its `threadId`, and the `Worker`'s
 * `name` option as Node >= 22 tells a worker (`threadName`); '' for the main
 * thread, and on Node 20.
 */
export function currentThread(): BlockThread {
  const name = (threads as { threadName?: unknown }).threadName
  return { id: threads.threadId, name: threads.isMainThread || typeof name !== 'string' ? '' : name }
}
