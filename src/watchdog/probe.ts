import type { RawFrame } from './frames.js'

/**
 * The probe is a function the main thread installs and the watchdog calls
 * through `Runtime.evaluate`: V8 runs it at the next interrupt check, on top
 * of whatever JavaScript is blocking the loop, so `Error.captureStackTrace`
 * there sees the culprit's live stack.
 */
export type Probe = () => RawFrame[] | null

interface Registry {
  probes: Map<number, Probe>
  nextId: number
}

const kRegistry = Symbol.for('loopwatch.probes')
const kProbeSourceURL = 'loopwatch-probe'
/** Deep enough that a block 100 frames inside a library still reaches the app. */
const kMaxFrames = 200

/**
 * The registry hangs on the real `process` object, which the expression sees
 * in the main context. Code in a `vm` context with its own copy of `process`
 * reaches the real one through `process.getBuiltinModule` (Node >= 20.16)
 * where the copy passes it through; jest 30.5 reroutes it, which is why
 * `loopwatch/testing` runs its watcher in the main realm instead.
 */
function registry(): Registry {
  const getBuiltin = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule
  const real = (getBuiltin?.('node:process') ?? process) as Record<symbol, Registry | undefined>
  return (real[kRegistry] ??= { probes: new Map(), nextId: 1 })
}

/** Installs a probe; returns the id the watchdog uses to call it. */
export function installProbe(probe: Probe): number {
  const reg = registry()
  const id = reg.nextId++
  reg.probes.set(id, probe)
  return id
}

export function removeProbe(id: number): void {
  registry().probes.delete(id)
}

/**
 * The expression the watchdog evaluates on the main thread: the same text
 * for every probe of a watcher, so V8 compiles it once.
 */
export function probeExpression(id: number): string {
  return `process[Symbol.for('loopwatch.probes')]?.probes.get(${id})?.()\n//# sourceURL=${kProbeSourceURL}`
}

/**
 * Captures the current stack as raw frames, innermost first, without the
 * probe's own frames. Returns `[]` when nothing but the probe is running
 * (the loop was idle: the probe arrived after the block ended).
 */
export function captureRawStack(below: (...args: never[]) => unknown): RawFrame[] {
  const limit = Error.stackTraceLimit
  const holder = {}
  // A frozen Error (SES lockdown(), --frozen-intrinsics, Object.freeze(Error))
  // keeps its limit: the stack is shorter, never missing.
  const raised = setErrorProperty('stackTraceLimit', kMaxFrames)
  try {
    Error.captureStackTrace(holder, below)
  } finally {
    if (raised) setErrorProperty('stackTraceLimit', limit)
  }
  return rawFramesOf(holder)
}

/** Sets a property of `Error` if the realm allows it (a frozen one throws, or ignores it). */
export function setErrorProperty(key: 'stackTraceLimit' | 'prepareStackTrace', value: unknown): boolean {
  try {
    ;(Error as unknown as Record<string, unknown>)[key] = value
    return (Error as unknown as Record<string, unknown>)[key] === value
  } catch {
    return false
  }
}

/**
 * Reads the stack of an object `Error.captureStackTrace` filled earlier,
 * as raw frames. V8 formats `stack` on its first read, with the
 * `Error.prepareStackTrace` in force then: read it with ours, or, where
 * `Error` is frozen, parse the text V8 (or the realm's own formatter) wrote.
 */
export function rawFramesOf(holder: { stack?: unknown }): RawFrame[] {
  // Saved to be put back as it was, never called here.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const prepareStackTrace = Error.prepareStackTrace
  let sites: unknown
  if (!setErrorProperty('prepareStackTrace', kCallSites)) return parseStackText(holder.stack)
  try {
    sites = holder.stack
  } finally {
    setErrorProperty('prepareStackTrace', prepareStackTrace)
  }
  // Inside an `Error.prepareStackTrace` call (jest's, formatting a stack)
  // V8 does not call another one: the stack comes formatted as text.
  if (typeof sites === 'string') return framesOfText(sites)
  if (!Array.isArray(sites)) return []
  const frames: RawFrame[] = []
  for (const site of sites as NodeJS.CallSite[]) {
    if (site.getScriptNameOrSourceURL() === kProbeSourceURL) continue
    frames.push([nameOf(site), site.getFileName() ?? '', site.getLineNumber() ?? 0, site.getColumnNumber() ?? 0])
  }
  return frames
}

const kCallSites = (_error: Error, callSites: NodeJS.CallSite[]): NodeJS.CallSite[] => callSites

/** V8's stack text as raw frames (a frozen `Error`: no call sites can be had). */
export function parseStackText(stack: unknown): RawFrame[] {
  return typeof stack === 'string' ? framesOfText(stack) : []
}

/** The function name as V8 prints it in `error.stack`. */
function nameOf(site: NodeJS.CallSite): string {
  let name = site.getFunctionName() ?? ''
  try {
    if (site.isConstructor()) return `new ${name || '<anonymous>'}`
    if (!site.isToplevel()) {
      const type = site.getTypeName()
      const method = site.getMethodName()
      if (!name) name = `${type ?? '<anonymous>'}.${method ?? '<anonymous>'}`
      else if (type && !name.startsWith(type) && !name.includes('.')) name = `${type}.${name}`
    }
  } catch {
    // getTypeName() can throw for exotic receivers; the plain name will do.
  }
  if (!name) name = '<anonymous>'
  return site.isAsync() ? `async ${name}` : name
}

/** `    at name (file:line:column)`, `    at file:line:column`, `    at name (native)`. */
const kFrameLine = /^\s*at (?:(.+?) \((.*)\)|(.*))$/
const kPosition = /^(.*):(\d+):(\d+)$/

/** Raw frames from V8's text format of a stack, for when no call sites can be had. */
export function framesOfText(stack: string): RawFrame[] {
  const frames: RawFrame[] = []
  for (const line of stack.split('\n')) {
    const match = kFrameLine.exec(line)
    if (match === null) continue
    // `Timeout.appWork [as _onTimeout]`: the name call sites give is the first part.
    const name = (match[1] ?? '<anonymous>').replace(/ \[as [^\]]+\]$/, '')
    const location = match[2] ?? match[3] ?? ''
    const position = kPosition.exec(location)
    const file = position === null ? '' : position[1] ?? ''
    if (file === kProbeSourceURL) continue
    // A frame without a name, `at file:line:column`, is top-level code: V8 names it `<anonymous>` too.
    frames.push([match[1] === undefined && position === null ? location : name, file, Number(position?.[2] ?? 0), Number(position?.[3] ?? 0)])
  }
  return frames
}
