import type { BlockCpu } from '../core/cpu-time.js'
import type { ProfileEntry } from '../core/events.js'
import { firstUserFrame, type StackFrame } from '../watchdog/frames.js'

/** A hot spot of a saturated loop: where the samples landed. */
export interface HotCode {
  /**
   * The stack, innermost first, from the API the code called (a Node
   * internal such as `readFileSync`, folded into its user caller) or the
   * user frame that was running, out to two callers.
   */
  frames: StackFrame[]
  /** Share of the samples (0..1) that landed exactly here. */
  selfShare: number
  /** Share of the samples (0..1) with this code's first user frame anywhere on the stack. */
  totalShare: number
}

/** Emitted as `'saturation'`: the loop was busy without any single long block. */
export interface SaturationEvent {
  /** When the saturated stretch began, epoch ms. */
  startTime: number
  /** How long it had lasted when reported (ms). */
  duration: number
  /** Event-loop utilization over that stretch (0..1). */
  utilization: number
  /** Stack samples taken. */
  samples: number
  /** Blocks over the threshold during the stretch. */
  blocks: number
  /** The hottest code, hottest first. */
  hot: HotCode[]
  /**
   * How the sampled stretch's time split for the thread, ms (the same split
   * as `BlockEvent.cpu`): a loop "100 % busy" while it mostly waited
   * for a CPU is a busy machine or a container at its CPU limit more than
   * hot code. Absent where nothing could be measured.
   */
  cpu?: BlockCpu
}

/** Hot entries reported. */
const kMaxHot = 10

/**
 * Groups sampled stacks by where they landed: the first user frame and the
 * Node internal it called, if any. `readFileSync <- getVersion` and
 * `JSON.parse <- getVersion` stay apart; the twenty internal frames under
 * `readFileSync` do not.
 */
export function summarizeHot(profile: readonly ProfileEntry[]): { samples: number; hot: HotCode[] } {
  let samples = 0
  const groups = new Map<string, { frames: StackFrame[]; count: number; user: StackFrame | undefined }>()
  for (const { stack, count } of profile) {
    samples += count
    const frames = foldInternals(stack)
    const key = frames.map((f) => `${f.functionName}@${f.file}:${f.line}`).join('<')
    const group = groups.get(key)
    if (group) group.count += count
    else groups.set(key, { frames, count, user: firstUserFrame(stack) })
  }
  const hot = [...groups.values()].map(({ frames, count, user }) => {
    let total = 0
    if (user === undefined) total = count
    else {
      for (const entry of profile) {
        if (entry.stack.some((f) => f.functionName === user.functionName && f.file === user.file)) total += entry.count
      }
    }
    return { frames, selfShare: count / samples, totalShare: total / samples }
  })
  hot.sort((a, b) => b.selfShare - a.selfShare)
  return { samples, hot: hot.slice(0, kMaxHot) }
}

/** The API frame (the outermost internal frame above the first user frame), then three user frames. */
function foldInternals(stack: readonly StackFrame[]): StackFrame[] {
  const userAt = stack.findIndex((frame) => !frame.internal)
  if (userAt === -1) return stack.slice(0, 1)
  const api = userAt > 0 ? [stack[userAt - 1] as StackFrame] : []
  return [...api, ...stack.slice(userAt).filter((frame) => !frame.internal).slice(0, 3)]
}

/**
 * A stretch of unbroken saturation, on the clock's timeline (ms). Its busy
 * and elapsed times leave out the heartbeat periods that held a block.
 */
export interface Stretch {
  startMs: number
  busyMs: number
  elapsedMs: number
  /** Blocks over the threshold within it. */
  blocks: number
}

/** Decides when the loop is saturated, from the heartbeat's busy and elapsed times. */
export class SaturationMonitor {
  readonly #level: number
  readonly #windowMs: number
  readonly #coolDownMs: number
  /** Busy and elapsed ms of the current saturated stretch. */
  #busyMs = 0
  #elapsedMs = 0
  #startMs = 0
  #blocks = 0
  /** Set after a report: no new one until the loop recovers or the cool-down passes. */
  #reportedAtMs: number | undefined
  /**
   * Utilization is judged per bucket (a quarter of the window, at most 1 s),
   * not per heartbeat: a 50 ms beat with a few idle ms in it does not end a
   * saturated stretch.
   */
  readonly #bucketMs: number
  #bucket: Stretch = { startMs: 0, busyMs: 0, elapsedMs: 0, blocks: 0 }

  constructor(level: number, windowMs: number, coolDownMs = 60_000) {
    this.#level = level
    this.#windowMs = windowMs
    this.#coolDownMs = coolDownMs
    this.#bucketMs = Math.min(1000, windowMs / 4)
  }

  /**
   * Records one heartbeat period. Returns the stretch when it has just
   * become a saturation worth reporting.
   */
  beat(nowMs: number, busyMs: number, elapsedMs: number, block: boolean): Stretch | undefined {
    if (elapsedMs <= 0) return undefined
    // A period that held a block is the block's, reported as a block: it
    // neither makes nor breaks a saturated stretch. (One long block, such
    // as an app's start-up, is not saturation.)
    if (block) {
      this.#bucket.blocks++
      return undefined
    }
    if (this.#bucket.elapsedMs === 0) this.#bucket.startMs = nowMs - elapsedMs
    this.#bucket.busyMs += busyMs
    this.#bucket.elapsedMs += elapsedMs
    if (this.#bucket.elapsedMs < this.#bucketMs) return undefined
    const bucket = this.#bucket
    this.#bucket = { startMs: 0, busyMs: 0, elapsedMs: 0, blocks: 0 }
    // One bucket under the level ends the stretch: a stretch is unbroken
    // saturation, not an average that hides idle seconds.
    if (bucket.busyMs / bucket.elapsedMs < this.#level) {
      this.#busyMs = 0
      this.#elapsedMs = 0
      this.#blocks = 0
      this.#reportedAtMs = undefined
      return undefined
    }
    if (this.#elapsedMs === 0) this.#startMs = bucket.startMs
    this.#busyMs += bucket.busyMs
    this.#elapsedMs += bucket.elapsedMs
    this.#blocks += bucket.blocks
    if (this.#elapsedMs < this.#windowMs) return undefined
    if (this.#reportedAtMs !== undefined && nowMs - this.#reportedAtMs < this.#coolDownMs) return undefined
    this.#reportedAtMs = nowMs
    return this.current()
  }

  /** The saturated stretch in progress, if the loop is saturated now. */
  current(): Stretch | undefined {
    if (this.#elapsedMs === 0) return undefined
    return { startMs: this.#startMs, busyMs: this.#busyMs, elapsedMs: this.#elapsedMs, blocks: this.#blocks }
  }
}
