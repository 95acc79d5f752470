import { relative, isAbsolute, sep } from 'node:path'
import { inspectorAllowed } from '../core/permission.js'
import type { BlockEvent } from '../core/events.js'
import type { SaturationEvent } from '../saturation/saturation.js'
import { isAppFrame, type StackFrame } from '../watchdog/frames.js'

/** Most frames a report prints; the rest are counted. */
const kMaxPrintedFrames = 12

/** The line a block without a stack shows under the permission model without the inspector. */
export const kNoInspectorNote = '    (no stack: the permission model does not allow the inspector; Node >= 24: --allow-inspector)'

/** Why a block has no stack, as far as this thread can tell. */
function noStackNote(event: BlockEvent): string {
  if (!inspectorAllowed()) return kNoInspectorNote
  if (event.thread.id === 0) return '    (no stack: the watchdog could not sample the main thread during the block)'
  if (event.samplesDelayed !== undefined) {
    return `    (no stack: its samples waited ${formatMs(event.samplesDelayed)} for the main thread, which passes them on and was busy or blocked itself; `
      + 'they arrived after the block)'
  }
  return '    (no stack: the watchdog could not sample this worker thread during the block)'
}

/** A worker's samples that waited on the main thread: said under the stack. */
function delayNote(event: BlockEvent): string {
  return event.samplesDelayed === undefined || event.stack.length === 0 ? ''
    : `\n    (sampled ${formatMs(event.samplesDelayed)} late: samples of worker threads pass through the main thread, which was busy or blocked itself)`
}

/** `worker 3 "resize": ` before a worker thread's report; nothing for the main thread's. */
export function formatThread(thread: BlockEvent['thread']): string {
  if (thread.id === 0) return ''
  return thread.name === '' ? `worker ${thread.id}: ` : `worker ${thread.id} ${JSON.stringify(thread.name)}: `
}

/** Formats a block event as the text loopwatch writes to stderr. */
export function formatBlock(event: BlockEvent, cwd = process.cwd()): string {
  return event.thread.id === 0 ? formatBlockText(event, cwd) : formatBlockText(event, cwd).replace(/^loopwatch: /, `loopwatch: ${formatThread(event.thread)}`)
}

function formatBlockText(event: BlockEvent, cwd: string): string {
  const stack = (event.stack.length === 0 ? noStackNote(event) : formatStack(event.stack, cwd)) + delayNote(event)
  if (event.cause === 'starved') {
    // The machine's stall: what ran is no culprit, and is shown as such.
    const head = `loopwatch: event loop stalled ${formatMs(event.duration)} (threshold ${formatMs(event.threshold)}, cause: starved: ${formatCpu(event.cpu)}; `
      + 'the machine or the container\'s CPU limit, not your code)'
    return event.stack.length === 0 ? head : `${head}\n  running at the time:\n${formatStack(event.stack, cwd)}`
  }
  const split = event.cpu === undefined ? '' : `; ${formatCpu(event.cpu)}`
  const detail = `(threshold ${formatMs(event.threshold)}${event.cause === 'unknown' ? '' : `, cause: ${event.cause}`}${split})`
  const { callback, callbacks } = event
  if (event.kind === 'callback' && callback !== undefined) {
    const lines = [`loopwatch: ${callback.type} callback took ${formatMs(callback.duration)} ${detail}`, '  blocked in:', stack]
    if (callback.scheduledAt !== undefined && callback.scheduledAt.length > 0) {
      lines.push('  scheduled at:', formatStack(callback.scheduledAt, cwd))
    }
    return lines.join('\n')
  }
  if (event.kind === 'turn' && callbacks !== undefined) {
    const lines = [`loopwatch: event loop blocked for ${formatMs(event.duration)} by several callbacks in one loop turn ${detail}`,
      '  longest callbacks:']
    for (const { type, duration, scheduledAt } of callbacks) {
      const where = scheduledAt?.[0] === undefined ? '' : `, scheduled at ${formatFrame(scheduledAt[0], cwd)}`
      lines.push(`    ${formatMs(duration).padStart(7)}  ${type}${where}`)
    }
    lines.push('  blocked in:', stack)
    return lines.join('\n')
  }
  if (event.kind === 'turn') {
    // Always-on: several callbacks, none of them long enough alone. Not blamed on the one sampled.
    const n = event.callbacksSampled ?? 0
    const who = n > 1 ? `${n} callbacks` : 'several callbacks'
    return `loopwatch: event loop blocked for ${formatMs(event.duration)} by ${who} in one loop turn, none long enough to block alone ${detail}\n`
      + `  ${n > 1 ? 'one of them' : 'the one sampled'}:\n${stack}`
  }
  return `loopwatch: event loop blocked for ${formatMs(event.duration)} ${detail}\n${stack}`
}

/**
 * `on CPU 3 ms, waiting for a CPU 55 ms`: the parts of the split worth
 * reading (waiting and off CPU only when there are any), the throttled
 * part of the wait when the container has a CPU limit.
 */
export function formatCpu(cpu: BlockEvent['cpu']): string {
  if (cpu === undefined) return 'CPU time not measured'
  const parts = [`on CPU ${formatMs(cpu.onCpu)}`]
  if (cpu.waiting !== undefined && Math.round(cpu.waiting) > 0) {
    const throttled = cpu.throttled !== undefined && Math.round(cpu.throttled) > 0
      ? ` (throttled at the CPU limit ${formatMs(cpu.throttled)})` : ''
    parts.push(`waiting for a CPU ${formatMs(cpu.waiting)}${throttled}`)
  }
  if (Math.round(cpu.offCpu) > 0) {
    const others = cpu.othersWaiting !== undefined && Math.round(cpu.othersWaiting) > 0
      ? ` (${formatMs(cpu.othersWaiting)} of it while the process's other threads waited for a CPU)` : ''
    parts.push(`off CPU ${formatMs(cpu.offCpu)}${others}`)
  }
  return parts.join(', ')
}

/** The report the watchdog writes while a block is still running. */
export function formatHang(elapsedMs: number, thresholdMs: number, stack: readonly StackFrame[] | undefined,
  cwd = process.cwd(), thread: BlockEvent['thread'] = kMainThread): string {
  const head = `loopwatch: ${formatThread(thread)}event loop blocked for ${formatMs(elapsedMs)} so far and still running (threshold ${formatMs(thresholdMs)})`
  if (stack === undefined) {
    const which = thread.id === 0 ? 'the main thread has' : 'the thread has'
    return `${head}\n    (no stack yet: ${which} not returned to JavaScript; it is inside a native call${thread.id === 0 ? '' : ', or the main thread, which passes its samples on, is'})`
  }
  return `${head}\n${formatStack(stack, cwd)}${thread.id !== 0 && stack[0]?.functionName === 'Atomics.wait' ? `\n${kWaitNote}` : ''}`
}

/**
 * A worker idle in `Atomics.wait()` between tasks: piscina's default
 * (`atomics: 'sync'`) waits so, and its loop never turns, so no block of a
 * task can be told apart from the wait.
 */
const kWaitNote = '    (the worker waits in Atomics.wait(), and its event loop cannot turn until it returns: a pool that waits so between tasks (piscina\'s default, atomics: \'sync\') runs every task in one turn. With piscina\'s atomics: \'async\', each task\'s blocks are reported on their own)'

/** The one-liner for a hang whose stack has not changed since the last report. */
export function formatHangRepeat(elapsedMs: number, thread: BlockEvent['thread'] = kMainThread): string {
  return `loopwatch: ${formatThread(thread)}event loop still blocked after ${formatMs(elapsedMs)} (same stack as above)`
}

const kMainThread: BlockEvent['thread'] = { id: 0, name: '' }

/** Frames printed above the fold when a deep stack is folded. */
const kFoldHead = 5
/** Callers of the app's frame printed below the fold. */
const kFoldCallers = 3

/**
 * Prints the internal frames at the top (they say which native call blocked:
 * `JSON.parse`, `readFileSync`), then the app's and libraries' frames, and
 * counts the internal frames it hides. A stack too deep to print whole
 * always keeps the app's own first frame: the middle (a library's recursion)
 * is folded into one line, not the end cut off.
 */
export function formatStack(stack: readonly StackFrame[], cwd = process.cwd()): string {
  const { shown, hiddenInternal } = printableFrames(stack)
  const at = (frame: StackFrame) => `    at ${formatFrame(frame, cwd)}`
  const lines: string[] = []
  let hiddenOuter = 0
  const app = shown.findIndex(isAppFrame)
  if (shown.length <= kMaxPrintedFrames || app === -1 || app + kFoldCallers < kMaxPrintedFrames) {
    lines.push(...shown.slice(0, kMaxPrintedFrames).map(at))
    hiddenOuter = Math.max(0, shown.length - kMaxPrintedFrames)
  } else {
    // The frame above the app's is the library function it called.
    const folded = shown.slice(kFoldHead, app - 1)
    const end = app + 1 + kFoldCallers
    lines.push(...shown.slice(0, kFoldHead).map(at), `    (${foldedText(folded)} not shown)`, ...shown.slice(app - 1, end).map(at))
    hiddenOuter = Math.max(0, shown.length - end)
  }
  if (hiddenOuter > 0) lines.push(`    (${hiddenOuter} outer ${plural(hiddenOuter, 'frame')} not shown)`)
  if (hiddenInternal > 0) lines.push(`    (${hiddenInternal} node internal ${plural(hiddenInternal, 'frame')} hidden)`)
  return lines.join('\n')
}

/**
 * The frames a report prints: the internal ones above the first user frame
 * (the native call that blocked), then every user frame; the internal
 * frames further down are only counted. (loopwatch's own frames, its
 * wrappers of native calls, are not in a stack: FrameResolver drops them.)
 */
export function printableFrames(stack: readonly StackFrame[]): { shown: StackFrame[]; hiddenInternal: number } {
  const shown: StackFrame[] = []
  let hiddenInternal = 0
  let seenUser = false
  for (const frame of stack) {
    seenUser ||= !frame.internal
    if (frame.internal && seenUser) hiddenInternal++
    else shown.push(frame)
  }
  return { shown, hiddenInternal }
}

/** `17 js-yaml frames` when they are all one package's, else `17 frames`. */
export function foldedText(frames: readonly StackFrame[]): string {
  const pkg = frames[0]?.package
  const one = pkg !== undefined && frames.every((frame) => frame.package === pkg)
  return `${frames.length} ${one ? `${pkg} ` : ''}${plural(frames.length, 'frame')}`
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`
}

/**
 * `parseReport (src/report.ts:12:5)`; `JSON.parse (native)` for built-ins. A
 * library's source-mapped frame also names the file on disk, since packages
 * often ship the map without the sources it points at:
 * `blockTokens (node_modules/marked/src/Tokenizer.ts:80:13, on disk lib/marked.esm.js:311:20)`
 * (relative to the package's folder).
 */
export function formatFrame(frame: StackFrame, cwd = process.cwd()): string {
  if (frame.file === '') return `${frame.functionName} (native)`
  const { generated } = frame
  const onDisk = generated === undefined || frame.package === undefined
    ? ''
    : `, on disk ${packagePath(generated.file, frame.package, cwd)}:${generated.line}:${generated.column}`
  return `${frame.functionName} (${displayPath(frame.file, cwd)}:${frame.line}:${frame.column}${onDisk})`
}

/** `lib/marked.esm.js` for a file of package `marked`, else {@link displayPath}. */
function packagePath(file: string, pkg: string, cwd: string): string {
  const dir = `node_modules${sep}${pkg.split('/').join(sep)}${sep}`
  const at = file.lastIndexOf(dir)
  return at === -1 ? displayPath(file, cwd) : file.slice(at + dir.length).split(sep).join('/')
}

/** A path relative to `cwd` when it lies inside it, else unchanged. */
export function displayPath(file: string, cwd = process.cwd()): string {
  if (!isAbsolute(file)) return file
  const rel = relative(cwd, file)
  return rel.startsWith('..') || isAbsolute(rel) ? file : rel.split(sep).join('/')
}

/** `412 ms`, `3.4 s`, `5 m 12 s`. */
export function formatMs(ms: number): string {
  if (ms < 10_000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`
  const minutes = Math.floor(ms / 60_000)
  return `${minutes} m ${Math.round((ms - minutes * 60_000) / 1000)} s`
}

/** The report of a saturated loop: how busy, for how long, and the hottest code. */
export function formatSaturation(event: SaturationEvent, thresholdMs: number, cwd = process.cwd()): string {
  const blocks = event.blocks === 0
    ? `no single block over ${formatMs(thresholdMs)}`
    : `${event.blocks} ${plural(event.blocks, 'block')} over ${formatMs(thresholdMs)}`
  const lines = [
    `loopwatch: event loop saturated: ${Math.round(event.utilization * 100)}% busy for ${formatMs(event.duration)}, ${blocks}`,
  ]
  const { cpu } = event
  if (cpu !== undefined) {
    const sampledMs = cpu.onCpu + (cpu.waiting ?? 0) + cpu.offCpu
    // Waiting for a CPU is busy time to the loop, but not the code's.
    const machine = cpu.waiting !== undefined && cpu.waiting > cpu.onCpu
      ? '; it mostly waited for a CPU: the machine or the container\'s CPU limit, more than this code' : ''
    lines.push(`  while sampled (${formatMs(sampledMs)}): ${formatCpu(cpu)}${machine}`)
  }
  lines.push(`  hottest code (${event.samples} ${plural(event.samples, 'sample')}):`)
  for (const { frames, selfShare } of event.hot.slice(0, 5)) {
    const parts = frames.map((frame, i) => {
      if (frame.internal || i > 0 && !frames[i - 1]?.internal) return frame.functionName
      return `${frame.functionName} (${displayPath(frame.file, cwd)}:${frame.line})`
    })
    lines.push(`    ${`${Math.round(selfShare * 100)}%`.padStart(4)}  ${parts.join(' <- ')}`)
  }
  return lines.join('\n')
}
