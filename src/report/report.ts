import { culpritLabel } from './culprit.js'
import type { BlockThread, ProfileEntry } from '../core/events.js'
import type { StackFrame } from '../watchdog/frames.js'
import { percentile, type BlockSummary } from './summary.js'
import type { BlockCpu } from '../core/cpu-time.js'
import type { HotCode, SaturationEvent } from '../saturation/saturation.js'

/**
 * The report `--json` writes and the HTML report embeds. Its JSON Schema is
 * `docs/report.schema.json`; times are milliseconds, `startTime` epoch ms.
 */
export interface Report {
  /** Names this format and its version. */
  format: 'loopwatch-report/1'
  /** The command that ran (argv). */
  command: string[]
  /** When the run began, epoch ms. */
  startTime: number
  /** How long the run lasted, ms. */
  duration: number
  /** The app's exit code; `null` if a signal ended it. */
  exitCode: number | null
  /** The signal that ended the app, or `null`. */
  signal: string | null
  /** The block threshold, ms. */
  threshold: number
  /** Processes that reported (an app may start node processes of its own). */
  processes: number
  blocks: number
  /** Milliseconds blocked, all blocks together. */
  blockedTime: number
  /** Most blocked time first. */
  culprits: ReportCulprit[]
  /** Every block in time order (up to 100,000). */
  events: ReportEvent[]
  /** Blocks counted in `culprits` but left out of `events`. */
  eventsDropped: number
  /**
   * Stretches when the loop was saturated (busy at or above
   * `saturation.utilization` for `saturation.window`) without any one block
   * to blame, in time order, each with its hottest code.
   */
  saturations: ReportSaturation[]
}

/** A saturated stretch of the loop: how busy, for how long, and its hottest code. */
export interface ReportSaturation {
  /** When it began, ms after the report's `startTime`. */
  time: number
  /** How long it had lasted when reported, ms. */
  duration: number
  /** Event-loop utilization over it, 0..1. */
  utilization: number
  /** Blocks over the threshold within it. */
  blocks: number
  /** CPU profiler samples taken. */
  samples: number
  /** The hottest code, hottest first (as in the `'saturation'` event). */
  hot: HotCode[]
  /** How the sampled stretch's time split for the thread (as in the `'saturation'` event), where measured. */
  cpu?: BlockCpu
  pid: number | null
}

/** One culprit's blocks. */
export interface ReportCulprit {
  /** `parseReport (src/report.ts:12)`, `loadSettings (src/settings.ts:12) via js-yaml load`. */
  culprit: string
  /**
   * The function blamed, the app's own first frame (a library's only when no
   * app frame was on the stack); `null` when no stack was sampled.
   */
  function: string | null
  file: string | null
  line: number | null
  /** The npm package of the culprit's file, if under node_modules. */
  package: string | null
  /** The library frame the culprit called into, running during its longest block; `null` if none. */
  via: StackFrame | null
  /** The blocks began before the event loop started. */
  startup: boolean
  count: number
  total: number
  max: number
  p95: number
  /** Blocks that outlasted the hang timeout. */
  hangs: number
  /** Blocks still running when the app ended (it hung and was killed). */
  unfinished: number
  /** Blocks per cause (`cpu`, `sync-io`, `gc`, `wait`, `unknown`). */
  causes: Record<string, number>
  /** The longest block's stack, innermost first. */
  stack: StackFrame[]
  /** Sampled stacks, merged over the culprit's blocks, most samples first. */
  profile: ProfileEntry[]
  /**
   * The worker thread the blocks were in (`BlockEvent#thread`); absent for
   * the main thread's. A function that blocked two threads is two culprits.
   */
  thread?: BlockThread
}

/** One block on the timeline. */
export interface ReportEvent {
  /** When it began, ms after the report's `startTime`. */
  time: number
  duration: number
  /** Index into `culprits`. */
  culprit: number
  cause: string
  hang: boolean
  unfinished: boolean
  pid: number | null
}

/** What a report knows besides the blocks. */
export type ReportMeta = Pick<Report, 'command' | 'startTime' | 'duration' | 'exitCode' | 'signal' | 'threshold' | 'processes'>

const round = (ms: number) => Math.round(ms * 100) / 100

/** Builds a {@link Report} from a summary that kept a timeline and profiles, and the saturations seen. */
export function buildReport(summary: BlockSummary, meta: ReportMeta, cwd = process.cwd(),
  saturations: readonly { event: SaturationEvent; pid?: number | undefined }[] = []): Report {
  const groups = summary.groups()
  const index = new Map(groups.map((group, i) => [group, i]))
  const culprits = groups.map((group): ReportCulprit => ({
    culprit: group.label ?? culpritLabel(group, cwd),
    function: group.frame?.functionName ?? null,
    file: group.frame?.file ?? null,
    line: group.frame?.line ?? null,
    package: group.frame?.package ?? null,
    via: group.via ?? null,
    startup: group.startup,
    count: group.count,
    total: round(group.total),
    max: round(group.max),
    p95: round(percentile(group.durations, 95)),
    hangs: group.hangs,
    unfinished: group.unfinished,
    causes: Object.fromEntries(group.causes),
    stack: group.stack,
    profile: [...group.profile.values()].sort((a, b) => b.count - a.count),
    ...(group.thread.id === 0 ? {} : { thread: group.thread }),
  }))
  const { entries, dropped } = summary.timeline()
  const events = entries.map((entry): ReportEvent => ({
    time: round(entry.startTime - meta.startTime),
    duration: round(entry.duration),
    culprit: index.get(entry.group) ?? 0,
    cause: entry.cause,
    hang: entry.hang,
    unfinished: entry.unfinished,
    pid: entry.pid ?? null,
  })).sort((a, b) => a.time - b.time)
  return {
    format: 'loopwatch-report/1',
    ...meta,
    duration: round(meta.duration),
    blocks: groups.reduce((n, group) => n + group.count, 0),
    blockedTime: round(groups.reduce((n, group) => n + group.total, 0)),
    culprits,
    events,
    eventsDropped: dropped,
    saturations: saturations.map(({ event, pid }): ReportSaturation => ({
      time: round(event.startTime - meta.startTime),
      duration: round(event.duration),
      utilization: Math.round(event.utilization * 1000) / 1000,
      blocks: event.blocks,
      samples: event.samples,
      hot: event.hot,
      ...(event.cpu === undefined ? {} : { cpu: event.cpu }),
      pid: pid ?? null,
    })).sort((a, b) => a.time - b.time),
  }
}
