import { readFileSync } from 'node:fs'
import { findSourceMap, SourceMap, type SourceMapPayload } from 'node:module'
import { sep } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

/** One frame of a captured stack, innermost first. */
export interface StackFrame {
  /** `parseReport`, `Server.emit`, `async handle`, or `<anonymous>`. */
  functionName: string
  /**
   * A filesystem path for files, `node:...` for Node internals, `''` for V8
   * built-ins such as `JSON.parse`. Source-mapped when a source map exists.
   */
  file: string
  /** 1-based line, 0 when unknown. */
  line: number
  /** 1-based column, 0 when unknown. */
  column: number
  /** Node internals and V8 built-ins without a file. */
  internal: boolean
  /** The npm package the file belongs to, for frames under `node_modules`. */
  package?: string
  /**
   * Where the frame is in the file that ran (the one on disk), when `file`,
   * `line` and `column` are source-mapped positions.
   */
  generated?: { file: string; line: number; column: number }
}

/** A frame as the probe sends it: `[functionName, fileName, line, column]`. */
export type RawFrame = [string, string, number, number]

interface MappedFile {
  map: SourceMap
}

const kSourceMappingURL = /\/\/[#@] ?sourceMappingURL=([^\s'"]+)\s*$/

/**
 * Turns the probe's raw frames into {@link StackFrame}s, mapping positions
 * through source maps. `module.findSourceMap()` only knows the maps of the
 * thread that loaded the files, so the watchdog reads `sourceMappingURL`
 * itself; with or without `--enable-source-maps` the result is the same.
 * Maps that a loader registered in memory only (tsx, ts-node) are applied
 * on the main thread by {@link MemoryMaps}.
 */
export class FrameResolver {
  readonly #maps = new Map<string, MappedFile | null>()
  readonly #ownDir: string | undefined
  readonly #packageMaps: boolean
  readonly #memory: MemoryMaps | undefined

  /**
   * @param ownDir loopwatch's own directory: frames there are dropped
   *   (`undefined` when bundled into an app: then none is).
   * @param packageMaps `false` leaves frames under `node_modules` unmapped:
   *   libraries ship the big maps, too slow to parse on the main thread.
   * @param memory on the main thread: also the maps loaders registered in memory.
   */
  constructor(ownDir: string | undefined, { packageMaps = true, memory }: { packageMaps?: boolean; memory?: MemoryMaps } = {}) {
    this.#ownDir = ownDir === undefined || ownDir.endsWith(sep) ? ownDir : ownDir + sep
    this.#packageMaps = packageMaps
    this.#memory = memory
  }

  /**
   * The stack, without loopwatch's own frames (its wrappers of `JSON.parse`
   * and the `*Sync` calls sit between the app's frame and the native one):
   * the app never called them, and they are never a culprit.
   */
  resolve(raw: readonly RawFrame[]): StackFrame[] {
    const ownDir = this.#ownDir
    const theirs = ownDir === undefined ? raw : raw.filter(([, fileName]) => !ownFile(fileName, ownDir))
    const frames = theirs.map((frame) => this.#resolveFrame(frame))
    return this.#memory === undefined ? frames : this.#memory.remap(frames)
  }

  #resolveFrame([functionName, fileName, line, column]: RawFrame): StackFrame {
    const file = fileName.startsWith('file://') ? safeFileURLToPath(fileName) : fileName
    // Judged on the file that ran: our own maps point into src/.
    const internal = file === '' || file.startsWith('node:')
    const frame: StackFrame = { functionName, file, line, column, internal }
    const pkg = packageOf(file)
    if (pkg !== undefined) frame.package = pkg
    if (!isPath(file) || (!this.#packageMaps && pkg !== undefined)) return frame
    const map = this.#mapped(file)?.map
    return map === undefined ? frame : mappedFrame(frame, map)
  }

  #mapped(file: string): MappedFile | null {
    let entry = this.#maps.get(file)
    if (entry === undefined) {
      entry = loadSourceMap(file)
      this.#maps.set(file, entry)
    }
    return entry
  }
}

function ownFile(fileName: string, ownDir: string): boolean {
  return (fileName.startsWith('file://') ? safeFileURLToPath(fileName) : fileName).startsWith(ownDir)
}

/**
 * The frame at its original position, when the map has a mapping that covers
 * it: one on the same generated line, at or before its column. The nearest
 * mapping on an earlier line belongs to other code (a helper the bundler
 * added without a mapping of its own): then the frame keeps the position in
 * the file that ran. A mapped frame keeps that position as `generated`.
 */
function mappedFrame(frame: StackFrame, map: SourceMap): StackFrame {
  const { file, line, column } = frame
  if (line < 1 || column < 1) return frame
  const entry = map.findEntry(line - 1, column - 1)
  if (!('originalSource' in entry) || !entry.originalSource || entry.generatedLine !== line - 1) return frame
  const source = entry.originalSource.startsWith('file://') ? safeFileURLToPath(entry.originalSource) : entry.originalSource
  const mapped: StackFrame = {
    functionName: frame.functionName, file: source, line: entry.originalLine + 1, column: entry.originalColumn + 1,
    internal: frame.internal,
  }
  const pkg = packageOf(source) ?? frame.package
  if (pkg !== undefined) mapped.package = pkg
  mapped.generated = { file, line, column }
  return mapped
}

/**
 * The source maps this thread's loaders registered in memory, where the file
 * on disk has none: tsx, ts-node and swc-node transform `.ts` files as they
 * load them and hand Node the map (`module.findSourceMap()` has it). Only the
 * thread that loaded a file knows its map, so the main thread maps the
 * watchdog's frames with it, once the block is over, looking each file up
 * once. Frames under `node_modules` are left alone: libraries' maps are big
 * to parse, and the watchdog reads those from disk.
 */
export class MemoryMaps {
  readonly #maps = new Map<string, SourceMap | null>()

  /** The stack with the frames the watchdog could not map mapped; the same array when none changed. */
  remap(stack: StackFrame[]): StackFrame[] {
    let out: StackFrame[] | undefined
    for (let i = 0; i < stack.length; i++) {
      const frame = stack[i]
      if (frame === undefined || frame.generated !== undefined || frame.internal || frame.package !== undefined || !isPath(frame.file)) continue
      const map = this.#find(frame.file)
      if (map === null) continue
      const mapped = mappedFrame(frame, map)
      if (mapped === frame) continue
      out ??= [...stack]
      out[i] = mapped
    }
    return out ?? stack
  }

  #find(file: string): SourceMap | null {
    let map = this.#maps.get(file)
    if (map === undefined) {
      try {
        // ES modules are registered by URL, CommonJS ones by path.
        map = findSourceMap(pathToFileURL(file).href) ?? findSourceMap(file) ?? null
      } catch {
        map = null
      }
      this.#maps.set(file, map)
    }
    return map
  }
}

let threadMaps: MemoryMaps | undefined

/** This thread's {@link MemoryMaps}, shared by its watchers. */
export function memoryMaps(): MemoryMaps {
  return (threadMaps ??= new MemoryMaps())
}

function isPath(file: string): boolean {
  return file.startsWith('/') || /^[A-Za-z]:[\\/]/.test(file)
}

function safeFileURLToPath(url: string): string {
  try {
    return fileURLToPath(url)
  } catch {
    return url
  }
}

/** Reads a file's `sourceMappingURL` (inline `data:` or a file) and parses the map. */
function loadSourceMap(file: string): MappedFile | null {
  try {
    const source = readFileSync(file, 'utf8')
    const at = source.lastIndexOf('sourceMappingURL=')
    if (at === -1) return null
    const url = kSourceMappingURL.exec(source.slice(Math.max(0, at - 4)).trimEnd())?.[1]
    if (url === undefined) return null
    let mapUrl: URL
    let text: string
    if (url.startsWith('data:')) {
      mapUrl = pathToFileURL(file)
      const comma = url.indexOf(',')
      const body = url.slice(comma + 1)
      text = url.slice(0, comma).endsWith(';base64')
        ? Buffer.from(body, 'base64').toString('utf8')
        : decodeURIComponent(body)
    } else {
      mapUrl = new URL(url, pathToFileURL(file))
      if (mapUrl.protocol !== 'file:') return null
      text = readFileSync(mapUrl, 'utf8')
    }
    const payload = JSON.parse(text) as SourceMapPayload & { sourceRoot?: string }
    // Node's own loader resolves `sources` before building a SourceMap; a raw
    // payload keeps them relative, so resolve them against the map's URL.
    const root = payload.sourceRoot ? payload.sourceRoot.replace(/\/?$/, '/') : ''
    payload.sources = payload.sources.map((s) => new URL(root + s, mapUrl).href)
    return { map: new SourceMap(payload) }
  } catch {
    return null
  }
}

/** `lodash` for `.../node_modules/lodash/x.js`, `@scope/pkg` for scoped packages. */
export function packageOf(file: string): string | undefined {
  const at = file.lastIndexOf(`node_modules${sep}`)
  if (at === -1) return undefined
  const parts = file.slice(at + 'node_modules'.length + 1).split(sep)
  const [first, second] = parts
  if (first === undefined || second === undefined) return undefined
  return first.startsWith('@') ? `${first}/${second}` : first
}

/** The innermost frame that is not internal (the app's or a library's). */
export function firstUserFrame(stack: readonly StackFrame[]): StackFrame | undefined {
  return stack.find((frame) => !frame.internal)
}

/** A frame of the app's own code: not internal, not under `node_modules`. */
export function isAppFrame(frame: StackFrame): boolean {
  return !frame.internal && frame.package === undefined
}

/** Where the innermost frame of the app's own code is in `stack`; -1 when none is. */
export function appFrameIndex(stack: readonly StackFrame[]): number {
  return stack.findIndex(isAppFrame)
}

/**
 * The library frame the app's frame at `appIndex` called into: the outermost
 * frame of the library code running inside it (`load` of js-yaml), skipping
 * V8 built-ins between them; `undefined` when the app's frame called no library.
 */
export function libraryEntryFrame(stack: readonly StackFrame[], appIndex: number): StackFrame | undefined {
  for (let i = appIndex - 1; i >= 0; i--) {
    const frame = stack[i]
    if (frame === undefined || frame.internal) continue
    return frame.package === undefined ? undefined : frame
  }
  return undefined
}

/** Frames kept after the app's frame when {@link trimStack} folds a stack. */
const kCallersKept = 6

/**
 * At most `max` frames of a stack, always with the app's first frame: a
 * stack deep in a library keeps its innermost frames, the library's entry
 * frame, the app's frame and a few of its callers, and loses the middle.
 */
export function trimStack(stack: readonly StackFrame[], max: number): StackFrame[] {
  if (stack.length <= max) return [...stack]
  const app = appFrameIndex(stack)
  const tail = kCallersKept + 2
  if (app < max - tail / 2 || max <= tail) return stack.slice(0, max)
  const from = Math.min(app - 1, stack.length - tail)
  return [...stack.slice(0, max - tail), ...stack.slice(from, from + tail)]
}

/** A key that identifies a stack, for grouping identical samples. */
export function stackKey(stack: readonly StackFrame[]): string {
  return stack.map((f) => `${f.functionName}@${f.file}:${f.line}:${f.column}`).join('\n')
}
