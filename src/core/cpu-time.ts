// Where a stall's time went, for the thread that stalled: on a CPU, waiting
// for one (runnable, descheduled: a busy machine or a container at its CPU
// limit), or off CPU (a syscall, a sleep, a lock).
import { closeSync, openSync, readFileSync, readSync } from 'node:fs'
import { isMainThread } from 'node:worker_threads'
import { createDebug } from './debug-log.js'

const debug = createDebug('loopwatch')

/** How a block's time split, for the blocked thread. Milliseconds. */
export interface BlockCpu {
  /** Time the thread ran on a CPU. */
  onCpu: number
  /**
   * Time it was runnable and waited for a CPU (the machine was busy, or the
   * container's CPU limit throttled it). Linux only: absent elsewhere, where
   * `offCpu` includes it.
   */
  waiting?: number
  /** The rest of the block: a syscall, a sleep, a lock (`readFileSync`, `execSync`, `Atomics.wait`). */
  offCpu: number
  /**
   * Time the container's cgroup was throttled at its CPU limit during the
   * block (cgroup `cpu.stat`), when it has a limit. Part of `waiting`.
   */
  throttled?: number
  /**
   * Part of `offCpu` the machine is to blame for: while the thread was off
   * CPU, the process's other threads (V8's GC helpers, which a scavenge
   * waits for) waited this long for a CPU. Counted, with `waiting`, against
   * the machine, not the code. Linux; set only on stalls of JavaScript (not
   * a `*Sync` call or `Atomics.wait`) when it is 0.5 ms or more.
   */
  othersWaiting?: number
}

/** Cumulative counters of the thread, in nanoseconds. */
export interface CpuReading {
  onCpuNs: number
  /** Run-queue wait; `undefined` where it cannot be measured. */
  waitingNs: number | undefined
  /** The cgroup's throttled time; `undefined` without a CPU limit. */
  throttledNs: number | undefined
}

/** Reads the calling thread's counters. */
export interface CpuMeter {
  /** The counters now; `undefined` once reading failed. */
  read(): CpuReading | undefined
}

/**
 * Parses `schedstat` ("<on-CPU ns> <run-queue ns> <timeslices>\n") from
 * bytes, without making a string: it runs at every heartbeat. `undefined`
 * when the bytes are not in that form.
 */
export function parseSchedstat(bytes: Uint8Array, length: number): [number, number] | undefined {
  const values: number[] = []
  let value = 0
  let digits = 0
  for (let i = 0; i < length && values.length < 2; i++) {
    const c = bytes[i] ?? 0
    if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48)
      digits++
    } else if ((c === 32 || c === 10) && digits > 0) {
      values.push(value)
      value = 0
      digits = 0
    } else {
      return undefined
    }
  }
  const [onCpuNs, waitingNs] = values
  return onCpuNs === undefined || waitingNs === undefined ? undefined : [onCpuNs, waitingNs]
}

/** Where the cgroup's throttled time is, when the cgroup has a CPU limit. */
export interface ThrottleSource {
  path: string
  /** `throttled_usec` (cgroup v2) or `throttled_time` (v1, ns). */
  field: 'throttled_usec' | 'throttled_time'
}

/**
 * The `cpu.stat` of the process's cgroup, when that cgroup has a CPU limit
 * (a quota): v2 `cpu.max` other than `max`, v1 `cpu.cfs_quota_us` > 0.
 * `procCgroup` is `/proc/self/cgroup`; `read` reads a file or throws.
 */
export function findThrottleSource(procCgroup: string, read: (path: string) => string,
  root = '/sys/fs/cgroup'): ThrottleSource | undefined {
  for (const line of procCgroup.split('\n')) {
    const [id, controllers, path] = line.split(':', 3)
    if (path === undefined) continue
    const at = path === '/' ? '' : path
    try {
      if (id === '0' && controllers === '') {
        const max = read(`${root}${at}/cpu.max`).trim().split(/\s+/)[0]
        if (max !== undefined && max !== 'max') return { path: `${root}${at}/cpu.stat`, field: 'throttled_usec' }
      } else if (controllers?.split(',').includes('cpu')) {
        const dir = `${root}/${controllers}${at}`
        if (Number(read(`${dir}/cpu.cfs_quota_us`).trim()) > 0) return { path: `${dir}/cpu.stat`, field: 'throttled_time' }
      }
    } catch {
      // No such controller file here: try the next line.
    }
  }
  return undefined
}

/** The throttled time in a `cpu.stat`'s text, in ns; `undefined` without the field. */
export function parseThrottledNs(text: string, field: ThrottleSource['field']): number | undefined {
  const match = new RegExp(`^${field} (\\d+)$`, 'm').exec(text)
  if (match?.[1] === undefined) return undefined
  const value = Number(match[1])
  return field === 'throttled_usec' ? value * 1000 : value
}

/**
 * The split of a stall of `durationMs` between two readings taken at the
 * heartbeats around it. The span between the beats also holds the idle time
 * in poll before the stall, which is off CPU and asleep: the thread neither
 * ran nor waited for a CPU then, so on-CPU and waiting belong to the stall.
 */
export function cpuBetween(before: CpuReading, after: CpuReading, durationMs: number): BlockCpu {
  const onCpu = Math.min(durationMs, Math.max(0, (after.onCpuNs - before.onCpuNs) / 1e6))
  const cpu: BlockCpu = { onCpu, offCpu: 0 }
  let waitingMs = 0
  if (before.waitingNs !== undefined && after.waitingNs !== undefined) {
    waitingMs = Math.min(durationMs - onCpu, Math.max(0, (after.waitingNs - before.waitingNs) / 1e6))
    cpu.waiting = waitingMs
  }
  cpu.offCpu = Math.max(0, durationMs - onCpu - waitingMs)
  if (before.throttledNs !== undefined && after.throttledNs !== undefined) {
    cpu.throttled = Math.max(0, (after.throttledNs - before.throttledNs) / 1e6)
  }
  return cpu
}

/**
 * The stall's own time: what it would have lasted had a CPU been free
 * (wall time minus run-queue wait). `undefined` when the wait is not measured.
 */
export function ownTimeMs(duration: number, cpu: BlockCpu | undefined): number | undefined {
  return cpu?.waiting === undefined ? undefined : duration - cpu.waiting
}

/** Reads `schedstat` through a file kept open: one `pread` (~1 us) per heartbeat. */
class SchedstatMeter implements CpuMeter {
  #fd: number | undefined
  readonly #bytes = Buffer.alloc(64)
  readonly #throttle: ThrottleSource | undefined
  #throttleFd: number | undefined
  readonly #throttleBytes: Buffer | undefined

  constructor(fd: number, throttle: ThrottleSource | undefined) {
    this.#fd = fd
    this.#throttle = throttle
    if (throttle !== undefined) {
      try {
        this.#throttleFd = openSync(throttle.path, 'r')
        this.#throttleBytes = Buffer.alloc(1024)
      } catch {
        this.#throttleFd = undefined
      }
    }
  }

  read(): CpuReading | undefined {
    if (this.#fd === undefined) return undefined
    try {
      const length = readSync(this.#fd, this.#bytes, 0, this.#bytes.length, 0)
      const parsed = parseSchedstat(this.#bytes, length)
      if (parsed === undefined) throw new Error(`unexpected schedstat: ${this.#bytes.toString('latin1', 0, length)}`)
      return { onCpuNs: parsed[0], waitingNs: parsed[1], throttledNs: this.#readThrottled() }
    } catch (error) {
      debug('cannot read schedstat: %O', error)
      this.close()
      return undefined
    }
  }

  #readThrottled(): number | undefined {
    if (this.#throttleFd === undefined || this.#throttleBytes === undefined || this.#throttle === undefined) return undefined
    try {
      const length = readSync(this.#throttleFd, this.#throttleBytes, 0, this.#throttleBytes.length, 0)
      return parseThrottledNs(this.#throttleBytes.toString('latin1', 0, length), this.#throttle.field)
    } catch {
      return undefined
    }
  }

  close(): void {
    for (const fd of [this.#fd, this.#throttleFd]) {
      if (fd === undefined) continue
      try {
        closeSync(fd)
      } catch {
        // Already closed: nothing to release.
      }
    }
    this.#fd = undefined
    this.#throttleFd = undefined
  }
}

type ThreadCpuUsage = () => { user: number; system: number }

/**
 * Elsewhere: the thread's CPU time (`process.threadCpuUsage()`, Node 23.9+),
 * else the process's (`process.cpuUsage()`), without the wait.
 */
class ThreadUsageMeter implements CpuMeter {
  readonly #usage: ThreadCpuUsage
  constructor(usage: ThreadCpuUsage) {
    this.#usage = usage
  }

  read(): CpuReading | undefined {
    const { user, system } = this.#usage()
    return { onCpuNs: (user + system) * 1000, waitingNs: undefined, throttledNs: undefined }
  }

  close(): void {
    // Nothing held.
  }
}

function openMeter(): (CpuMeter & { close(): void }) | undefined {
  if (process.platform === 'linux') {
    // The main thread's tid is the pid; a worker thread's own file is
    // thread-self's, resolved when it is opened, by the thread that opens it.
    const path = isMainThread ? `/proc/self/task/${process.pid}/schedstat` : '/proc/thread-self/schedstat'
    try {
      const fd = openSync(path, 'r')
      let throttle: ThrottleSource | undefined
      try {
        throttle = findThrottleSource(readFileSync('/proc/self/cgroup', 'latin1'), (file) => readFileSync(file, 'latin1'))
      } catch {
        throttle = undefined
      }
      const meter = new SchedstatMeter(fd, throttle)
      if (meter.read() !== undefined) return meter
    } catch (error) {
      debug('no schedstat (%s): %O', path, error)
    }
  }
  const usage = (process as { threadCpuUsage?: ThreadCpuUsage }).threadCpuUsage
  if (typeof usage === 'function') return new ThreadUsageMeter(usage.bind(process))
  // The whole process's CPU time: the watchdog's and other threads' are
  // counted as this thread's, so `onCpu` may be high (never above the block).
  return new ThreadUsageMeter(() => process.cpuUsage())
}

let shared: (CpuMeter & { close(): void }) | undefined
let users = 0

/**
 * The thread's meter, shared by its watchers (one open file per thread);
 * `undefined` where nothing can be measured. Pair with {@link releaseCpuMeter}.
 */
export function acquireCpuMeter(): CpuMeter | undefined {
  if (users++ === 0) shared = openMeter()
  return shared
}

/** One watcher is done with the meter: the last one closes it. */
export function releaseCpuMeter(): void {
  if (users === 0) return
  if (--users === 0) {
    shared?.close()
    shared = undefined
  }
}
