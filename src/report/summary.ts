import type { BlockEvent, BlockThread, ProfileEntry } from '../core/events.js'
import { causeOf, culpritLabel, culpritOf, isStartupBlock } from './culprit.js'
import { codes, warn } from '../core/errors.js'
import { stackKey, type StackFrame } from '../watchdog/frames.js'

/** Blocks from one culprit, as `LoopWatcher#summary()` returns them. Times in milliseconds. */
export interface CulpritSummary {
  /**
   * `parseReport (src/report.ts:12)`: the function blamed, its file and line;
   * `loadSettings (src/settings.ts:12) via js-yaml load` when it was inside a library.
   */
  culprit: string
  /**
   * The frame blamed: the app's own first frame (outside `node_modules`, Node
   * and loopwatch), else the first frame outside Node and loopwatch; `undefined` without a stack.
   */
  frame: StackFrame | undefined
  /** The library frame `frame` called into (the longest block's), when the block was inside a library. */
  via: StackFrame | undefined
  /** The blocks began before the event loop started (top-level code, start-up work). */
  startup: boolean
  /** Blocks. */
  count: number
  /** Milliseconds blocked, in total. */
  total: number
  /** The longest block, ms. */
  max: number
  /** 95th percentile of the durations, ms (nearest rank; sampled past 1,024 blocks). */
  p95: number
  /**
   * Blocks per cause (`cpu`, `sync-io`, `gc`, `wait`, `unknown`: see
   * `BlockEvent#cause`). Stalls of cause `starved` are in a row of their own,
   * culprit `machine`, without a frame or stack.
   */
  causes: Record<string, number>
  /** Blocks that outlasted `hangTimeout`. */
  hangs: number
  /** The stack of the longest block, innermost first. */
  stack: StackFrame[]
  /**
   * The thread the blocks were in (`BlockEvent#thread`): culprits are counted
   * per thread, a function that blocked two threads is two culprits.
   */
  thread: BlockThread
}

/** @internal A culprit's running totals. */
export interface CulpritGroup {
  readonly key: string
  /** The culprit's frame in `stack`. */
  frame: StackFrame | undefined
  /** The library frame `frame` called into, in `stack`. */
  via: StackFrame | undefined
  /** Replaces the frame's label: the group of culprits past the limit. */
  readonly label?: string
  readonly startup: boolean
  /** The thread the blocks were in: the same function blocking two threads is two culprits. */
  readonly thread: BlockThread
  count: number
  total: number
  max: number
  hangs: number
  /** Blocks still running when the process ended (known only from outside it). */
  unfinished: number
  readonly causes: Map<string, number>
  stack: StackFrame[]
  /** Durations, all of them up to {@link kMaxDurations}, then a uniform sample. */
  readonly durations: number[]
  /** Sampled stacks, merged, when the summary keeps profiles. */
  readonly profile: Map<string, ProfileEntry>
  /** Samples of stacks past {@link kMaxProfileStacks} distinct ones. */
  otherSamples: number
}

/** @internal One block on the timeline. */
export interface TimelineEntry {
  startTime: number
  duration: number
  group: CulpritGroup
  cause: string
  hang: boolean
  unfinished: boolean
  pid: number | undefined
}

/** How a block is added to a summary. */
export interface AddOptions {
  /** The block began before the event loop started. */
  startup?: boolean
  /** The process ended while it was still blocked. */
  unfinished?: boolean
  /** The process the block happened in. */
  pid?: number
}

export interface BlockSummaryOptions {
  /** Keep every block (up to {@link kMaxTimeline}) for a timeline. */
  timeline?: boolean
  /** Merge each block's sampled stacks per culprit, for flame graphs. */
  profiles?: boolean
}

const kMaxDurations = 1024
/** Culprits kept apart; later ones share one group. */
export const kMaxCulprits = 500
/** Distinct stacks kept per culprit profile. */
const kMaxProfileStacks = 40
/** Blocks kept for the timeline. */
export const kMaxTimeline = 100_000
const kOtherKey = '(other culprits)'
/**
 * The row of `starved` stalls: the machine's (a busy host, a container at
 * its CPU limit), not the code's, so never under the function that happened
 * to be running.
 */
export const kMachineLabel = 'machine'
const kMachineKey = '\u0000machine'
/**
 * The row of blocks that several callbacks of one loop turn made together
 * (`kind: 'turn'`): not blamed on the one that happened to be sampled.
 */
export const kTurnLabel = '(several callbacks in one loop turn)'
const kTurnKey = '\u0000turn'

/**
 * Blocks grouped by culprit: count, total, max and p95 duration, causes and
 * the longest block's stack, sorted by total blocked time. Memory is bounded:
 * at most {@link kMaxCulprits} groups of at most {@link kMaxDurations} durations.
 */
export class BlockSummary {
  readonly #groups = new Map<string, CulpritGroup>()
  readonly #timeline: TimelineEntry[] | undefined
  readonly #profiles: boolean
  /** Blocks left off the timeline once it was full. */
  #timelineDropped = 0
  /** A fixed-seed generator: the sample of durations is the same on every run. */
  #seed = 0x2545f491

  constructor(options: BlockSummaryOptions = {}) {
    this.#timeline = options.timeline ? [] : undefined
    this.#profiles = options.profiles ?? false
  }

  /** Counts a block. */
  add(event: BlockEvent, options: AddOptions = {}): void {
    const startup = options.startup ?? false
    const cause = causeOf(event)
    const { thread } = event
    const group = cause === 'starved' ? this.#fixedGroup(kMachineKey, kMachineLabel, thread)
      : event.kind === 'turn' ? this.#fixedGroup(kTurnKey, kTurnLabel, thread) : this.#groupFor(event.stack, startup, thread)
    group.count++
    group.total += event.duration
    // Within a group every stack has the same culprit function: keep the
    // longest block's, the one most worth reading.
    // (Not for the rows of their own, which have a label instead of a frame.)
    if (event.duration >= group.max && event.stack.length > 0 && group.label === undefined) {
      const { frame, via } = culpritOf(event.stack)
      group.stack = event.stack
      group.frame = frame
      group.via = via
    }
    group.max = Math.max(group.max, event.duration)
    if (event.hang) group.hangs++
    if (options.unfinished) group.unfinished++
    group.causes.set(cause, (group.causes.get(cause) ?? 0) + 1)
    this.#record(group.durations, group.count, event.duration)
    if (this.#profiles && group.label !== kMachineLabel) addProfile(group, event)
    if (this.#timeline !== undefined) {
      if (this.#timeline.length < kMaxTimeline) {
        this.#timeline.push({ startTime: event.startTime, duration: event.duration, group, cause, hang: event.hang,
          unfinished: options.unfinished ?? false, pid: options.pid })
      } else {
        this.#timelineDropped++
      }
    }
  }

  /** The culprits, most blocked time first. */
  summary(cwd = process.cwd()): CulpritSummary[] {
    return this.groups().map((group) => ({
      culprit: group.label ?? culpritLabel(group, cwd),
      frame: group.frame,
      via: group.via,
      startup: group.startup,
      count: group.count,
      total: group.total,
      max: group.max,
      p95: percentile(group.durations, 95),
      causes: Object.fromEntries(group.causes),
      hangs: group.hangs,
      stack: group.stack,
      thread: group.thread,
    }))
  }

  /** @internal The groups, most blocked time first. */
  groups(): CulpritGroup[] {
    return [...this.#groups.values()].sort((a, b) => b.total - a.total || b.count - a.count)
  }

  /** @internal The blocks in the order they were added, and how many did not fit. */
  timeline(): { entries: readonly TimelineEntry[]; dropped: number } {
    return { entries: this.#timeline ?? [], dropped: this.#timelineDropped }
  }

  /** A row of its own, without a frame: the machine's stalls, the loop turns of several callbacks. */
  #fixedGroup(fixedKey: string, label: string, thread: BlockThread): CulpritGroup {
    const key = threadKey(thread) + fixedKey
    let group = this.#groups.get(key)
    if (group === undefined) {
      group = {
        key, frame: undefined, via: undefined, label, startup: false, thread, count: 0, total: 0, max: 0, hangs: 0,
        unfinished: 0, causes: new Map(), stack: [], durations: [], profile: new Map(), otherSamples: 0,
      }
      this.#groups.set(key, group)
    }
    return group
  }

  #groupFor(stack: readonly StackFrame[], startup: boolean, thread: BlockThread): CulpritGroup {
    const culprit = culpritOf(stack)
    let key = `${threadKey(thread)}${startup ? 'startup\u0000' : ''}${culprit.key}`
    let group = this.#groups.get(key)
    if (group !== undefined) return group
    const other = this.#groups.size >= kMaxCulprits
    if (other) {
      key = threadKey(thread) + kOtherKey
      group = this.#groups.get(key)
      if (group !== undefined) return group
    }
    group = {
      key, frame: other ? undefined : culprit.frame, via: other ? undefined : culprit.via, startup, thread, count: 0, total: 0, max: 0, hangs: 0, unfinished: 0,
      causes: new Map(), stack: [], durations: [], profile: new Map(), otherSamples: 0, ...(other ? { label: kOtherKey } : {}),
    }
    this.#groups.set(key, group)
    return group
  }

  /** Reservoir sampling (algorithm R): exact up to kMaxDurations, uniform after. */
  #record(durations: number[], seen: number, durationMs: number): void {
    if (durations.length < kMaxDurations) {
      durations.push(durationMs)
      return
    }
    const slot = Math.floor(this.#random() * seen)
    if (slot < kMaxDurations) durations[slot] = durationMs
  }

  #random(): number {
    // xorshift32
    let x = this.#seed
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    this.#seed = x >>> 0
    return this.#seed / 0x1_0000_0000
  }
}

/** Keys of a worker thread's groups begin with its id; the main thread's are as they always were. */
function threadKey(thread: BlockThread): string {
  return thread.id === 0 ? '' : `thread ${thread.id}\u0000`
}

/** The watcher's hook that counts every block into `summary` (for `LoopWatcher#summary()`). */
export function summaryExtension(summary: BlockSummary): { block(event: BlockEvent): void } {
  return {
    block(event) {
      try {
        summary.add(event, { startup: isStartupBlock(event) })
      } catch (error) {
        // Runs in loopwatch's own timer: never into the host.
        warn(`loopwatch: could not count a block in summary(): ${String(error)}`, codes.listenerFailed, true)
      }
    },
  }
}

function addProfile(group: CulpritGroup, event: BlockEvent): void {
  const entries = event.profile.length > 0 ? event.profile : event.stack.length > 0 ? [{ stack: event.stack, count: 1 }] : []
  for (const { stack, count } of entries) {
    const key = stackKey(stack)
    const entry = group.profile.get(key)
    if (entry !== undefined) entry.count += count
    else if (group.profile.size < kMaxProfileStacks) group.profile.set(key, { stack, count })
    else group.otherSamples += count
  }
}

/** Nearest-rank percentile; 0 for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length))
  return sorted[rank - 1] ?? 0
}
