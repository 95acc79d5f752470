import { performance } from 'node:perf_hooks'
import type { BlockEvent } from './events.js'
import { displayPath } from './format.js'
import { firstUserFrame, type StackFrame } from './stack.js'

/** The code a block is blamed on, and the key that groups blocks by it. */
export interface Culprit {
  /** Groups blocks: the function and its file (and line, for anonymous functions). */
  key: string
  /**
   * The frame blamed: the innermost frame outside Node and loopwatch, else the
   * innermost frame; `undefined` when no stack was sampled.
   */
  frame: StackFrame | undefined
}

/** The key of blocks that came without a stack. */
export const kNoStackKey = '(no stack)'

/**
 * Blames a stack on its first user frame. Blocks group by function and file,
 * not by line: one slow function blocks at many lines of its loop.
 */
export function culpritOf(stack: readonly StackFrame[]): Culprit {
  const frame = firstUserFrame(stack) ?? stack[0]
  if (frame === undefined) return { key: kNoStackKey, frame: undefined }
  const anonymous = frame.functionName === '' || frame.functionName.endsWith('<anonymous>')
  const key = `${frame.functionName}\u0000${frame.file}${anonymous ? `:${frame.line}` : ''}`
  return { key, frame }
}

/** `parseReport (src/report.ts:12)`, `JSON.parse (native)`, `(no stack sampled)`. */
export function culpritLabel(frame: StackFrame | undefined, cwd = process.cwd()): string {
  if (frame === undefined) return '(no stack sampled)'
  if (frame.file === '') return `${frame.functionName} (native)`
  return `${frame.functionName} (${displayPath(frame.file, cwd)}:${frame.line})`
}

/**
 * What kind of callback blocked, when debug mode says (`event.cause`, a name
 * or an object with a `type`); `'unknown'` otherwise.
 */
export function causeOf(event: BlockEvent): string {
  const cause = (event as { cause?: unknown }).cause
  if (typeof cause === 'string' && cause !== '') return cause
  if (cause !== null && typeof cause === 'object') {
    const type = (cause as { type?: unknown }).type
    if (typeof type === 'string' && type !== '') return type
  }
  return 'unknown'
}

/**
 * Whether a block began before the event loop started: top-level module code,
 * synchronous start-up work.
 */
export function isStartupBlock(event: BlockEvent): boolean {
  const loopStartMs = performance.nodeTiming.loopStart
  return loopStartMs < 0 || event.startTime < performance.timeOrigin + loopStartMs
}
