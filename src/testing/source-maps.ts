import { findSourceMap } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { BlockEvent } from '../core/events.js'
import type { StackFrame } from '../watchdog/frames.js'
import { hostGlobal } from './realm.js'

/**
 * Maps frames to the test's sources. The watchdog maps through source maps
 * it finds on disk, but test runners compile test files in memory (tsx,
 * vitest, babel-jest) and keep the maps to themselves: Node's source-map
 * cache has them when source maps are on (tsx), and otherwise the runner's
 * own `Error.prepareStackTrace` (vitest's in the test's realm, jest's in the
 * main realm) maps whatever call sites it is given. Runs in the test file's realm, on failures only; returns the frames
 * unchanged when nothing maps them.
 */
export function mapFrames(frames: readonly StackFrame[]): StackFrame[] {
  const byNode = frames.map(mapWithNode)
  // Each frame is mapped once: a location already mapped (by the watchdog,
  // or by the watcher after the block: `generated` is set) would be read
  // again as a generated one.
  const unmapped = frames.filter((frame, i) => byNode[i] === frame && frame.generated === undefined)
  try {
    const byRunner = mapWithRunner(unmapped)
    return byNode.map((frame) => byRunner.get(frame) ?? frame)
  } catch {
    // A runner's prepareStackTrace that does not take our call sites.
    return byNode
  }
}

/** A block event whose stacks are mapped with {@link mapFrames}. */
export function mapBlock(block: BlockEvent): BlockEvent {
  return {
    ...block,
    stack: mapFrames(block.stack),
    profile: block.profile.map((entry) => ({ ...entry, stack: mapFrames(entry.stack) })),
  }
}

function mapWithNode(frame: StackFrame): StackFrame {
  if (frame.generated !== undefined) return frame
  if (!frame.file.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(frame.file)) return frame
  try {
    const map = findSourceMap(frame.file) ?? findSourceMap(pathToFileURL(frame.file).href)
    const entry = map?.findEntry(frame.line - 1, frame.column - 1)
    if (entry === undefined || !('originalSource' in entry) || !entry.originalSource) return frame
    return { ...frame, file: toPath(entry.originalSource), line: entry.originalLine + 1, column: entry.originalColumn + 1 }
  } catch {
    return frame
  }
}

/**
 * Formats our frames as call sites through the installed
 * `Error.prepareStackTrace` (source-map-support and vite's module runner both
 * map each site they format), then reads the locations back.
 */
function mapWithRunner(frames: StackFrame[]): Map<StackFrame, StackFrame> {
  const located = new Map<StackFrame, StackFrame>()
  // jest installs its formatter in the main realm, vitest in the test's.
  const errorClass = [Error, hostGlobal()?.Error].find((candidate) => typeof candidate?.prepareStackTrace === 'function')
  // Called below as V8 calls it, with `Error` as `this`.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const prepare = errorClass?.prepareStackTrace as ((error: Error, sites: unknown[]) => unknown) | undefined
  const files = frames.filter((frame) => frame.file !== '' && !frame.internal)
  if (prepare === undefined || files.length === 0) return located
  const text = prepare.call(errorClass, new Error('loopwatch'), files.map((frame) => new FrameSite(frame)))
  if (typeof text !== 'string') return located
  const lines = text.split('\n').filter((line) => /^\s+at /.test(line))
  if (lines.length !== files.length) return located
  files.forEach((frame, i) => {
    const match = /\((.*):(\d+):(\d+)\)$/.exec(lines[i] ?? '')
    if (match?.[1] !== undefined) {
      located.set(frame, { ...frame, file: toPath(match[1]), line: Number(match[2]), column: Number(match[3]) })
    }
  })
  return located
}

function toPath(file: string): string {
  try {
    return file.startsWith('file://') ? fileURLToPath(file) : file
  } catch {
    return file
  }
}

/** Just enough of V8's CallSite for stack formatters; methods on the prototype, as they copy them. */
class FrameSite {
  readonly #frame: StackFrame
  constructor(frame: StackFrame) {
    this.#frame = frame
  }

  getFileName(): string {
    return this.#frame.file
  }
  getScriptNameOrSourceURL(): string {
    return this.#frame.file
  }
  getLineNumber(): number {
    return this.#frame.line
  }
  getColumnNumber(): number {
    return this.#frame.column
  }
  getFunctionName(): string {
    return this.#frame.functionName || '<anonymous>'
  }
  getTypeName(): null {
    return null
  }
  getMethodName(): null {
    return null
  }
  getThis(): undefined {
    return undefined
  }
  getFunction(): undefined {
    return undefined
  }
  getEvalOrigin(): undefined {
    return undefined
  }
  getPromiseIndex(): null {
    return null
  }
  getScriptHash(): string {
    return ''
  }
  getEnclosingLineNumber(): number {
    return 0
  }
  getEnclosingColumnNumber(): number {
    return 0
  }
  getPosition(): number {
    return 0
  }
  isToplevel(): boolean {
    return true
  }
  isNative(): boolean {
    return false
  }
  isEval(): boolean {
    return false
  }
  isConstructor(): boolean {
    return false
  }
  isAsync(): boolean {
    return false
  }
  isPromiseAll(): boolean {
    return false
  }
  toString(): string {
    // Formatters copy the methods onto a plain object: only call them.
    return `${this.getFunctionName()} (${this.getFileName()}:${this.getLineNumber()}:${this.getColumnNumber()})`
  }
}
