import { performance } from 'node:perf_hooks'
import type { BlockEvent } from '../core/events.js'
import { displayPath } from './format.js'
import { appFrameIndex, firstUserFrame, libraryEntryFrame, type StackFrame } from '../watchdog/frames.js'

/** The code a block is blamed on, and the key that groups blocks by it. */
export interface Culprit {
  /** Groups blocks: the function and its file (and line, for anonymous functions). */
  key: string
  /**
   * The frame blamed: the innermost frame of the app's own code (outside
   * `node_modules`, Node and loopwatch); without one, the innermost frame
   * outside Node and loopwatch (a library's), else the innermost frame;
   * `undefined` when no stack was sampled.
   */
  frame: StackFrame | undefined
  /** The library function the app's frame called, that was running: `load` of js-yaml. */
  via?: StackFrame | undefined
}

/** The key of blocks that came without a stack. */
export const kNoStackKey = '(no stack)'

/**
 * Blames a stack on the app's own first frame, the code its author can
 * change: five calls of `loadSettings()` into js-yaml are one culprit, not
 * one per js-yaml function they were sampled in. Blocks group by function and
 * file, not by line: one slow function blocks at many lines of its loop.
 */
export function culpritOf(stack: readonly StackFrame[]): Culprit {
  const app = appFrameIndex(stack)
  const frame = app === -1 ? firstUserFrame(stack) ?? stack[0] : stack[app]
  if (frame === undefined) return { key: kNoStackKey, frame: undefined }
  const anonymous = frame.functionName === '' || frame.functionName.endsWith('<anonymous>')
  const key = `${frame.functionName}\u0000${frame.file}${anonymous ? `:${frame.line}` : ''}`
  const via = app === -1 ? undefined : libraryEntryFrame(stack, app)
  return via === undefined ? { key, frame } : { key, frame, via }
}

/**
 * `parseReport (src/report.ts:12)`, `loadSettings (src/settings.ts:12) via js-yaml load`,
 * `JSON.parse (native)`, `(no stack sampled)`.
 */
export function culpritLabel(culprit: Pick<Culprit, 'frame' | 'via'>, cwd = process.cwd()): string {
  const { frame, via } = culprit
  if (frame === undefined) return '(no stack sampled)'
  const where = frame.file === '' ? `${frame.functionName} (native)` : `${frame.functionName} (${displayPath(frame.file, cwd)}:${frame.line})`
  return via === undefined ? where : `${where} via ${via.package ?? ''} ${via.functionName}`
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
