import { performance } from 'node:perf_hooks'
import type { GcPause } from './cause.js'

/**
 * Tells whether a full (mark-compact) GC ran between two heartbeats, for
 * the price of one object: a `WeakRef`'s target is cleared by full GCs only
 * (scavenges keep it). This replaced a `PerformanceObserver` on `gc`
 * entries, which cost 9 % on an allocation-heavy workload (1e6 awaits:
 * half as many scavenges, each longer; see benchmarks/RESULTS.md).
 */
export class FullGcSentinel {
  #ref = new WeakRef({})

  /** True when a full GC ran since the previous call. */
  check(): boolean {
    if (this.#ref.deref() !== undefined) return false
    this.#ref = new WeakRef({})
    return true
  }
}

// Taken once, at load (fake timers may replace both later): `performance.now()`
// is `process.hrtime()` less the time origin.
const kHrtimeToNowMs = performance.now() - Number(process.hrtime.bigint()) / 1e6

/**
 * The GC pauses of a block, as far as they can be told without observing
 * every GC: when a full GC ran during it, the stretches in which the main
 * thread could not run the watchdog's probe ([from, to] in hrtime ms). A
 * GC pause runs no JavaScript, and so no probe; nor does a long native call,
 * which `classifyCause` tells apart by the stack the probe found after it.
 */
export function inferGcPauses(fullGc: boolean, unresponsive: readonly (readonly [number, number])[] | undefined): GcPause[] {
  if (!fullGc || unresponsive === undefined) return []
  return unresponsive.map(([fromMs, toMs]) => ({ startMs: fromMs + kHrtimeToNowMs, durationMs: toMs - fromMs }))
}
