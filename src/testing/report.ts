import { isMainThread } from 'node:worker_threads'
import type { BlockEvent } from '../core/events.js'
import { inspectorAllowed } from '../core/permission.js'
import { foldedText, formatCpu, formatFrame, formatMs, formatStack, kNoInspectorNote, printableFrames } from '../report/format.js'
import { firstUserFrame, isAppFrame, stackKey, type StackFrame } from '../watchdog/frames.js'
import { LoopBlockedError } from './errors.js'
import { mapBlock } from './source-maps.js'
import { countedMs, isMachineryFrame, kRunnerPackages, passesThrough, userStacks, type Verdict } from './verdict.js'

/** Culprits listed in a report, each with its stack; the rest are counted. */
const kMaxGroups = 3


/**
 * The error a verdict fails the test with, built in the test file's realm
 * (where the runner's source maps are) from the main realm's verdict.
 */
export function blockedError(verdict: Verdict, during = 'during this test'): LoopBlockedError {
  const mapped = new Map<BlockEvent, BlockEvent>()
  const map = (block: BlockEvent): BlockEvent => {
    let copy = mapped.get(block)
    if (copy === undefined) mapped.set(block, copy = mapBlock(block))
    return copy
  }
  const view: Verdict = { ...verdict, long: verdict.long.map(map), stalls: verdict.stalls.map(map) }
  const failing = [...mapped.values()].sort((a, b) => a.id - b.id)
  return new LoopBlockedError(formatVerdict(view, { workerThread: !isMainThread, during }), failing)
}

/**
 * Fails the test with the verdict's error, or, with `reportOnly`, prints it
 * to stderr (one write, so parallel workers do not interleave) and lets the
 * test pass.
 */
export function failTest(verdict: Verdict): void {
  const error = blockedError(verdict)
  if (verdict.limits.reportOnly !== true) throw error
  process.stderr.write(`loopwatch/testing (report only, the test is not failed): ${error.message}\n`)
}

/** Where a block ran when it has no stack, to say why. */
export interface ReportContext {
  /** The blocks were measured in a worker thread (its stacks travel through the main thread). */
  workerThread: boolean
  /** What ran: `during this test` by default. */
  during?: string
  cwd?: string
}

/**
 * The failure message: what broke which limit, then the culprit's stack for
 * each long block, then the stalls behind a blown `totalBlocked`, grouped by
 * the code that ran them.
 */
export function formatVerdict(verdict: Verdict, context: ReportContext): string {
  const { long, stalls, totalMs, limits } = verdict
  const during = context.during ?? 'during this test'
  const report = { verdict, context }
  const lines: string[] = []
  const [only] = long
  if (only !== undefined && long.length === 1) {
    lines.push(`the event loop was blocked for ${durationOf(only, verdict)} ${during} (limit ${formatMs(limits.maxBlock)})`)
  } else if (long.length > 1) {
    lines.push(`the event loop was blocked ${long.length} times ${during} for longer than the ${formatMs(limits.maxBlock)} limit`)
  }
  if (stalls.length > 0) {
    lines.push(`the event loop was blocked for ${formatMs(totalMs)} in total ${during}, in ${stalls.length} ${
      stalls.length === 1 ? 'stall' : 'stalls'} of 10 ms or more (budget.totalBlocked ${formatMs(limits.totalBlocked)})`)
  }
  if (only !== undefined && long.length === 1 && stalls.length === 0) {
    const split = splitOf(only, verdict)
    if (split !== undefined) lines.push(split)
    lines.push(stackOf(only, report))
  } else {
    pushGroups(lines, groupByCulprit(long, verdict), 'block', report)
  }
  pushGroups(lines, groupByCulprit(stalls, verdict), 'stall', report)
  return lines.join('\n')
}

interface Report {
  verdict: Verdict
  context: ReportContext
}

/** `302 ms`, or `40 ms outside allowed code (of a 240 ms block)`: what counted (its own time, see `countedMs`). */
function durationOf(block: BlockEvent, verdict: Verdict): string {
  const counted = verdict.partlyAllowed[block.id]
  return counted === undefined
    ? formatMs(countedMs(block, verdict))
    : `${formatMs(counted)} outside allowed code (of a ${formatMs(block.duration)} block)`
}

/**
 * Where the block's time went, when measured: `  on CPU 254 ms, waiting for
 * a CPU 40 ms, off CPU 8 ms (302 ms wall; the wait for a CPU does not count)`.
 */
function splitOf(block: BlockEvent, verdict: Verdict): string | undefined {
  if (block.cpu === undefined) return undefined
  const waited = !(verdict.limits.wallTime ?? false) && block.cpu.waiting !== undefined && Math.round(block.cpu.waiting) > 0
  return `  ${formatCpu(block.cpu)} (${formatMs(block.duration)} wall${waited ? '; the wait for a CPU does not count' : ''})`
}

/** One stack per culprit: `blocked for 302 ms:` or `3 stalls, 95 ms in all (longest 33 ms):`. */
function pushGroups(lines: string[], groups: BlockEvent[][], noun: string, report: Report): void {
  const { verdict } = report
  const ms = (group: BlockEvent[]) => group.reduce((sum, block) => sum + countedMs(block, verdict), 0)
  for (const group of groups.slice(0, kMaxGroups)) {
    const [first] = group
    if (first === undefined) continue
    const longest = Math.max(...group.map((block) => countedMs(block, verdict)))
    lines.push(group.length === 1
      ? `${noun === 'block' ? 'blocked' : '1 stall'} for ${durationOf(first, verdict)}:`
      : `${group.length} ${noun}s, ${formatMs(ms(group))} in all (longest ${formatMs(longest)}):`)
    const split = group.length === 1 ? splitOf(first, verdict) : undefined
    if (split !== undefined) lines.push(split)
    lines.push(stackOf(first, report))
  }
  const rest = groups.slice(kMaxGroups).flat()
  if (rest.length > 0) {
    lines.push(`(${rest.length} more ${rest.length === 1 ? noun : `${noun}s`} elsewhere, ${formatMs(ms(rest))} in all)`)
  }
}

/**
 * The stack to show: the first sample in the test's code (of a block that
 * ran partly in allowed code, the first outside it); else the first sample.
 */
function shownStack(block: BlockEvent, verdict: Verdict): readonly StackFrame[] {
  const stacks = userStacks(block)
  const outside = verdict.partlyAllowed[block.id] === undefined ? undefined : stacks.find((stack) => !passesThrough(stack, verdict.limits.allow))
  return outside ?? stacks[0] ?? block.stack
}

function stackOf(block: BlockEvent, { verdict, context }: Report): string {
  const stack = shownStack(block, verdict)
  if (stack.length > 0) return formatTestStack(testFrames(stack), context.cwd)
  if (!inspectorAllowed()) return kNoInspectorNote
  if (context.workerThread) return '    (no stack: the watchdog could not sample this worker thread during the block)'
  return '    (no stack: the watchdog could not sample the main thread during the block)'
}

/** Frames a failure prints whole; a deeper stack is folded. */
const kMaxTestFrames = 12
/** Frames kept at the top of a folded stack: the native call and the library code around it. */
const kTopFrames = 5

/**
 * A failure's stack. One too deep to print whole (a schema compiler's
 * recursion) keeps its top, the first frame of the project's own code with
 * the library frame it called and its caller, and the test's own line (the
 * last frame: the runner's are cut off already); what lies between is
 * counted on a line of its own. The main report folds the same way, but
 * keeps only a few callers of the app's frame: the test's line is often
 * further down.
 */
export function formatTestStack(frames: readonly StackFrame[], cwd = process.cwd()): string {
  const { shown, hiddenInternal } = printableFrames(frames)
  if (shown.length <= kMaxTestFrames) return formatStack(frames, cwd)
  const keep = new Set<number>()
  for (let i = 0; i < kTopFrames; i++) keep.add(i)
  const app = shown.findIndex(isAppFrame)
  if (app !== -1) for (let i = Math.max(0, app - 1); i <= Math.min(shown.length - 1, app + 1); i++) keep.add(i)
  keep.add(shown.length - 1)
  const lines: string[] = []
  let folded: StackFrame[] = []
  const fold = () => {
    if (folded.length === 0) return
    lines.push(`    (${foldedText(folded)} not shown)`)
    folded = []
  }
  shown.forEach((frame, i) => {
    if (!keep.has(i)) {
      folded.push(frame)
      return
    }
    fold()
    lines.push(`    at ${formatFrame(frame, cwd)}`)
  })
  if (hiddenInternal > 0) lines.push(`    (${hiddenInternal} node internal ${hiddenInternal === 1 ? 'frame' : 'frames'} hidden)`)
  return lines.join('\n')
}

/** The frames down to the test's own, without the runner's and loopwatch's. */
export function testFrames(stack: readonly StackFrame[]): StackFrame[] {
  // From the first runner frame on, the stack is the runner's machinery.
  const end = stack.findIndex((frame) => frame.package !== undefined && kRunnerPackages.has(frame.package))
  const frames = end === -1 ? stack : stack.slice(0, end)
  return frames.filter((frame) => frame.internal || !isMachineryFrame(frame))
}

/** Stalls grouped by the first frame of user code, biggest total first. */
function groupByCulprit(stalls: readonly BlockEvent[], verdict: Verdict): BlockEvent[][] {
  const groups = new Map<string, BlockEvent[]>()
  for (const block of stalls) {
    const culprit = firstUserFrame(shownStack(block, verdict))
    const key = culprit ? stackKey([culprit]) : ''
    const group = groups.get(key)
    if (group) group.push(block)
    else groups.set(key, [block])
  }
  const total = (group: BlockEvent[]) => group.reduce((sum, block) => sum + countedMs(block, verdict), 0)
  return [...groups.values()].sort((a, b) => total(b) - total(a))
}
