// How long the process's other threads waited for a CPU: read by the
// watchdog thread over a stall, at no cost to the stalled one. A stall of
// JavaScript whose thread went off CPU while V8's GC helpers waited for a
// CPU is the machine's doing: a scavenge joins its parallel helpers, and on
// a loaded machine they are descheduled (measured with 8 CPU hogs on 2
// cores: an 89 ms stall, 46 ms of it off CPU inside a 57 ms scavenge).
import { closeSync, openSync, readdirSync, readlinkSync, readSync } from 'node:fs'
import { parseSchedstat } from '../core/cpu-time.js'

const kTasks = '/proc/self/task'

/**
 * The most threads read per call. Each costs an open, a read and a close
 * (measured: 0.2 ms for 11 threads, 0.5 ms for 41, 1.0 ms for 111, per
 * read on an idle process; benchmarks/overhead-cpu-accounting), and the
 * first read comes before a stall's first probe. `/proc/self/task` lists
 * threads in creation order, so the cap keeps the ones started with the
 * process: V8's platform threads, the GC helpers this is about.
 */
export const kMaxThreads = 64

/**
 * Reads the run-queue wait (ns) of every thread of the process but the
 * watched one and the caller, at most {@link kMaxThreads} of them. About
 * 0.1-0.3 ms for a dozen threads, so only the watchdog calls it, twice per
 * sampled stall. `undefined` where it cannot be read (not Linux, no procfs).
 */
export class OtherThreadsWait {
  readonly #skip: Set<string>
  readonly #bytes = Buffer.alloc(128)
  #broken = process.platform !== 'linux'
  readonly #maxThreads: number

  /**
   * `watchedTid`: the stalled thread's id (the process id for the main
   * thread); `maxThreads`: read at most this many threads.
   */
  constructor(watchedTid: number, maxThreads = kMaxThreads) {
    this.#maxThreads = maxThreads
    this.#skip = new Set([String(watchedTid)])
    if (this.#broken) return
    try {
      // "<pid>/task/<tid>": the caller's own thread.
      const own = readlinkSync('/proc/thread-self').split('/').pop()
      if (own !== undefined) this.#skip.add(own)
    } catch {
      this.#broken = true
    }
  }

  /** Each thread's counter now, ns by thread id; `undefined` once reading failed. */
  read(): Map<string, number> | undefined {
    if (this.#broken) return undefined
    const waits = new Map<string, number>()
    let tids: string[]
    try {
      tids = readdirSync(kTasks)
    } catch {
      this.#broken = true
      return undefined
    }
    for (const tid of tids) {
      if (waits.size >= this.#maxThreads) break
      if (this.#skip.has(tid)) continue
      let fd: number | undefined
      try {
        fd = openSync(`${kTasks}/${tid}/schedstat`, 'r')
        const length = readSync(fd, this.#bytes, 0, this.#bytes.length, 0)
        const waitingNs = parseSchedstat(this.#bytes, length)?.[1]
        if (waitingNs !== undefined) waits.set(tid, waitingNs)
      } catch {
        // The thread ended meanwhile: its wait is gone with it.
      } finally {
        if (fd !== undefined) closeSync(fd)
      }
    }
    return waits
  }
}

/** Milliseconds the threads read both times waited in between (a thread that started or ended meanwhile is left out). */
export function waitedBetweenMs(before: Map<string, number>, after: Map<string, number>): number {
  let ns = 0
  for (const [tid, waitingNs] of after) {
    const from = before.get(tid)
    if (from !== undefined && waitingNs > from) ns += waitingNs - from
  }
  return ns / 1e6
}
