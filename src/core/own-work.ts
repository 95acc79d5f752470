import { performance } from 'node:perf_hooks'

/**
 * loopwatch's own work on this thread's loop: publishing a block (mapping
 * its frames through the source maps a loader registered in memory,
 * classifying it, its OpenTelemetry records), formatting and printing
 * reports. It runs after the block it reports, on the loop it measures;
 * {@link ownWorkMs} lets every watcher of the thread (and debug mode's
 * callback timing) leave it out, so that it is never reported as a block
 * nor counted into another one. Shared by the thread's watchers: one
 * watcher's report is another's busy loop too.
 */
let totalMs = 0
let depth = 0
let dispatching = 0

/** Runs `fn` as loopwatch's own work. Nested calls count once. */
export function ownWork<T>(fn: () => T): T {
  if (depth > 0) return fn()
  depth++
  const startMs = performance.now()
  try {
    return fn()
  } finally {
    depth--
    totalMs += performance.now() - startMs
  }
}

/** Milliseconds of own work done on this thread so far (only grows). */
export function ownWorkMs(): number {
  return totalMs
}

/** True while own work runs (a probe landing now found loopwatch, not the app). */
export function inOwnWork(): boolean {
  return depth > 0
}

/**
 * Runs `fn`, which calls the app's listeners of loopwatch's events, from
 * loopwatch's own callback (the watchdog's message, the heartbeat): a block
 * in a listener is the app's code, but the callback running it is not.
 */
export function dispatchOwn(fn: () => void): void {
  dispatching++
  try {
    fn()
  } finally {
    dispatching--
  }
}

/** True while loopwatch's own callback runs the app's listeners. */
export function inOwnDispatch(): boolean {
  return dispatching > 0
}
