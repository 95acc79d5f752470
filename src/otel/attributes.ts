import type { Attributes } from '@opentelemetry/api'
import type { BlockEvent } from '../core/events.js'
import { formatCpu, formatMs } from '../report/format.js'
import { culpritLabel, culpritOf } from '../report/culprit.js'
import { kTurnLabel } from '../report/summary.js'
import type { StackFrame } from '../watchdog/frames.js'

/** The span event's, the span's and the log record's name. */
export const kBlockEventName = 'loopwatch.block'
/** The histogram of block durations. */
export const kDurationMetricName = 'loopwatch.block.duration'
/**
 * Bucket boundaries of the histogram, in seconds: blocks start at the
 * threshold (tens of ms) and a hang can last a minute before a supervisor
 * kills the process.
 */
export const kDurationBuckets: readonly number[] = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]
/** Frames kept in `code.stacktrace`; the rest are counted. */
export const kMaxStacktraceFrames = 32
/** Bound on `code.stacktrace`, in characters: attribute limits of backends are often a few KiB. */
export const kMaxStacktraceChars = 4096

/** What the OpenTelemetry outputs say about a block. Times in milliseconds. */
export interface BlockFacts {
  /** Epoch ms. */
  startTime: number
  duration: number
  threshold: number
  hang: boolean
  stack: readonly StackFrame[]
  /** Why the loop was blocked (`cpu`, `sync-io`, `gc`, `wait`), when known. */
  cause?: string
  /** Debug mode: the async resource type of the callback that blocked. */
  callbackType?: string
  /** Where the blocked thread's time went (ms), when measured. */
  cpu?: BlockEvent['cpu']
  /** Several callbacks of one loop turn made the block together: no one frame is its culprit. */
  turn?: boolean
  /** The thread that was blocked (`BlockEvent#thread`); the main thread when absent. */
  thread?: BlockEvent['thread']
}

/** The facts of a block event: `cause` when known, the callback's type in debug mode. */
export function factsOf(event: BlockEvent): BlockFacts {
  const facts: BlockFacts = {
    startTime: event.startTime,
    duration: event.duration,
    threshold: event.threshold,
    hang: event.hang,
    stack: event.stack,
    thread: event.thread,
  }
  if (event.cause !== 'unknown') facts.cause = event.cause
  if (event.callback !== undefined) facts.callbackType = event.callback.type
  if (event.cpu !== undefined) facts.cpu = event.cpu
  if (event.kind === 'turn') facts.turn = true
  return facts
}

/**
 * The attributes of the span event, the span and the log record. Durations
 * are seconds (doubles), as OpenTelemetry durations are; code attributes use
 * the stable semantic-convention names, the thread the semantic conventions'
 * `thread.id` (`threadId`: 0 for the main thread) and `thread.name` (the
 * Worker's `name` option, when it has one).
 */
export function blockAttributes(facts: BlockFacts): Attributes {
  const thread = facts.thread ?? kMainThread
  const attributes: Attributes = {
    'loopwatch.block.duration': facts.duration / 1000,
    'loopwatch.block.threshold': facts.threshold / 1000,
    'loopwatch.block.hang': facts.hang,
    'thread.id': thread.id,
  }
  if (thread.name !== '') attributes['thread.name'] = thread.name
  if (facts.cause !== undefined) attributes['loopwatch.block.cause'] = facts.cause
  if (facts.callbackType !== undefined) attributes['loopwatch.block.callback.type'] = facts.callbackType
  if (facts.cpu !== undefined) {
    attributes['loopwatch.block.cpu.on'] = facts.cpu.onCpu / 1000
    if (facts.cpu.waiting !== undefined) attributes['loopwatch.block.cpu.waiting'] = facts.cpu.waiting / 1000
    attributes['loopwatch.block.cpu.off'] = facts.cpu.offCpu / 1000
    if (facts.cpu.throttled !== undefined) attributes['loopwatch.block.cpu.throttled'] = facts.cpu.throttled / 1000
    if (facts.cpu.othersWaiting !== undefined) attributes['loopwatch.block.cpu.others_waiting'] = facts.cpu.othersWaiting / 1000
  }
  // The block's culprit, as the report, the summary and the log name it:
  // the app's own frame, not the library function it was inside.
  if (facts.turn === true) {
    attributes['loopwatch.block.culprit'] = kTurnLabel
    if (facts.stack.length > 0) attributes['code.stacktrace'] = formatStacktrace(facts.stack)
    return attributes
  }
  const blamed = culpritOf(facts.stack)
  const culprit = blamed.frame
  if (culprit !== undefined) {
    attributes['loopwatch.block.culprit'] = culpritLabel(blamed)
    attributes['code.function.name'] = culprit.functionName.replace(/^async /, '')
    if (culprit.file !== '') attributes['code.file.path'] = culprit.file
    if (culprit.line > 0) attributes['code.line.number'] = culprit.line
    if (culprit.column > 0) attributes['code.column.number'] = culprit.column
    attributes['code.stacktrace'] = formatStacktrace(facts.stack)
  }
  return attributes
}

const kMainThread: BlockEvent['thread'] = { id: 0, name: '' }

/** The histogram's attributes: low cardinality only, so no code location. */
export function metricAttributes(facts: BlockFacts): Attributes {
  const attributes: Attributes = { 'loopwatch.block.hang': facts.hang }
  if (facts.cause !== undefined) attributes['loopwatch.block.cause'] = facts.cause
  return attributes
}

/**
 * The stack as V8 prints it (`    at fn (file:line:column)`), innermost
 * first, at most {@link kMaxStacktraceFrames} frames and
 * {@link kMaxStacktraceChars} characters, cut at a frame boundary.
 */
export function formatStacktrace(stack: readonly StackFrame[]): string {
  const lines: string[] = []
  let length = 0
  for (const frame of stack) {
    const location = frame.file === '' ? '<anonymous>' : `${frame.file}:${frame.line}:${frame.column}`
    const line = `    at ${frame.functionName} (${location})`
    const more = stack.length - lines.length - 1
    // Keep room for the "... more frames" line whenever frames are left out.
    const reserve = more > 0 ? 32 : 0
    if (lines.length === kMaxStacktraceFrames || length + line.length + 1 + reserve > kMaxStacktraceChars) break
    lines.push(line)
    length += line.length + 1
  }
  const hidden = stack.length - lines.length
  if (hidden > 0) lines.push(`    ... ${hidden} more frame${hidden === 1 ? '' : 's'}`)
  return lines.join('\n')
}

/** The log record's body: one line a person can read in a log viewer. */
export function blockSummary(facts: BlockFacts): string {
  if (facts.cause === 'starved') {
    return `event loop stalled ${formatMs(facts.duration)} (threshold ${formatMs(facts.threshold)}, cause: starved: ${formatCpu(facts.cpu)}; `
      + 'the machine or the container\'s CPU limit, not your code)'
  }
  if (facts.turn === true) return `event loop blocked for ${formatMs(facts.duration)} (threshold ${formatMs(facts.threshold)}) by several callbacks in one loop turn`
  const { frame, via } = culpritOf(facts.stack)
  const inLibrary = via === undefined ? '' : ` via ${via.package ?? ''} ${via.functionName}`
  const where = frame === undefined ? '' : ` in ${frame.functionName} (${frame.file}:${frame.line}:${frame.column})${inLibrary}`
  return `event loop blocked for ${formatMs(facts.duration)} (threshold ${formatMs(facts.threshold)})${where}`
}
