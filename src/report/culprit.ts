import { performance } from 'node:perf_hooks'
import type { BlockEvent } from '../core/events.js'
import { displayPath } from './format.js'
import { firstUserFrame, type StackFrame } from '../watchdog/frames.js'

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

/** The block's cause: `cpu`, `sync-io`, `gc`, `wait` or `unknown`. */
export function causeOf(event: BlockEvent): string {
  return event.cause
}

/** Node's files that load the entry point: on the stack while the app's module graph is first evaluated. */
const kEntryFiles = new Set(['node:internal/modules/run_main', 'node:internal/main/run_main_module'])

/**
 * Whether a block happened during start-up: it began before the event loop
 * started (a CommonJS entry's top-level code), or it ran under the loading of
 * the entry point (an ES module's top-level code runs inside the loop).
 */
export function isStartupBlock(event: BlockEvent): boolean {
  const loopStartMs = performance.nodeTiming.loopStart
  if (loopStartMs < 0 || event.startTime < performance.timeOrigin + loopStartMs) return true
  return event.stack.some((frame) => kEntryFiles.has(frame.file))
}
