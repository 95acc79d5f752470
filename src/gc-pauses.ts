import { PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks'
import type { GcPause } from './cause.js'

/** GC pauses kept for classifying blocks: the most recent ones only. */
const kMaxPauses = 64

/**
 * Records recent GC pauses from `PerformanceObserver` `gc` entries. Node
 * creates an entry in the check phase after the pause and delivers it to
 * observers later still: read them a check phase after the heartbeat that
 * measured the block, and take the undelivered ones with `takeRecords()`.
 */
export class GcPauses {
  readonly #pauses: GcPause[] = []
  readonly #observer: PerformanceObserver

  constructor() {
    this.#observer = new PerformanceObserver((list) => {
      this.#add(list.getEntries())
    })
    this.#observer.observe({ entryTypes: ['gc'] })
  }

  #add(entries: readonly PerformanceEntry[]): void {
    for (const entry of entries) this.#pauses.push({ startMs: entry.startTime, durationMs: entry.duration })
    if (this.#pauses.length > kMaxPauses) this.#pauses.splice(0, this.#pauses.length - kMaxPauses)
  }

  recent(): readonly GcPause[] {
    this.#add(this.#observer.takeRecords())
    return this.#pauses
  }

  stop(): void {
    this.#observer.disconnect()
  }
}
