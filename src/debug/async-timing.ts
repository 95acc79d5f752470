import { createHook, executionAsyncId, executionAsyncResource, triggerAsyncId, type AsyncHook, type HookCallbacks } from 'node:async_hooks'
import type { Clock } from '../core/clock.js'
import { rawFramesOf, setErrorProperty } from '../watchdog/probe.js'
import type { FrameResolver, StackFrame } from '../watchdog/frames.js'

/** A callback the async hook timed, or the probe caught running. */
export interface TimedCallback {
  /** Node's resource type: `Timeout`, `Immediate`, `TickObject`, `PROMISE`, `FSREQCALLBACK`... */
  type: string
  asyncId: number
  triggerAsyncId: number
  /** How long the callback ran (ms). */
  duration: number
  /** Where its resource was created, with `scheduleStacks`. */
  scheduledAt?: StackFrame[]
}

/** What the hook saw between two heartbeats. */
export interface CallbackWindow {
  /** The longest callbacks, longest first. */
  top: TimedCallback[]
  /** Callbacks timed in the window. */
  count: number
  /** Their total time, outermost callbacks only (ms). */
  totalMs: number
}

/** The callback the probe found running. */
export interface RunningCallback {
  callback: Omit<TimedCallback, 'duration'>
  /** The hook saw it begin: its duration will be among the window's. */
  timed: boolean
  /**
   * loopwatch's own callback, running the app's listener of a loopwatch
   * event: the listener's code is the app's, the callback is not.
   */
  own?: true
}

/** Callbacks shorter than this are not kept for a turn's breakdown (ms). */
const kMinKeptMs = 1
/** A turn's breakdown lists this many callbacks. */
const kTopCallbacks = 5
/** Frames kept of a scheduling stack. */
const kScheduleFrames = 24
/** At most this many scheduling stacks a second: about 5 ms of CPU. */
const kCapturesPerSecond = 2000
/** Scheduling stacks of non-promise resources kept by async id, to walk trigger chains. */
const kMaxScheduled = 4096
/** A hook switched on by a stall is switched off after this long without one (ms). */
const kArmedMs = 60_000

interface Scheduled {
  type: string
  triggerAsyncId: number
  /** `Error.captureStackTrace` target: V8 formats it only if it is read. */
  holder: { stack?: unknown }
}

/**
 * Debug mode's async hook. It times non-promise callbacks (timers,
 * immediates, ticks, I/O). Promise reactions are not timed: a block in one
 * is measured by the heartbeat and identified by the probe.
 *
 * Where Node can leave promises out of the hook (`trackPromises: false`,
 * Node >= 24; an internal flag of the hook on Node 22), the hook costs next
 * to nothing on promise-heavy code, and runs from the start. Node 20 runs
 * every async hook on every `await` (an empty hook alone: 2.7x on 1e6
 * awaits), so there the hook is switched on by the first stall (the probe
 * calls `arm()` on top of it) and off after a minute without one: the
 * watchdog covers the first block, the hook every one after.
 * `scheduleStacks` needs promises' creation (the `init` hook): it tracks
 * them, from the start, everywhere.
 */
export class CallbackTimer {
  readonly #clock: Clock
  readonly #resolver: FrameResolver
  readonly #hook: AsyncHook
  /** The hook runs only while armed by a stall. */
  readonly #lazy: boolean
  #enabled = false
  #stopped = false
  #lastStallMs = 0
  readonly #startsMs: number[] = []
  readonly #ids: number[] = []
  /** loopwatch's own work so far when each callback began: its own work inside one is not the callback's time. */
  readonly #ownAtStartMs: number[] = []
  #depth = 0
  #top: TimedCallback[] = []
  #count = 0
  #totalMs = 0
  readonly #byResource = new WeakMap<object, Scheduled>()
  readonly #byId = new Map<number, Scheduled>()
  readonly #budgetPerBeat: number
  /** Scheduling stacks that may still be captured before the next beat. */
  #budget: number

  readonly #ownMs: () => number

  constructor(clock: Clock, scheduleStacks: boolean, resolver: FrameResolver, beatIntervalMs: number, ownMs: () => number = () => 0) {
    this.#clock = clock
    this.#ownMs = ownMs
    this.#resolver = resolver
    this.#budgetPerBeat = Math.ceil(kCapturesPerSecond * beatIntervalMs / 1000)
    this.#budget = this.#budgetPerBeat
    this.#hook = createHook({
      before: (asyncId) => {
        this.#ids[this.#depth] = asyncId
        this.#ownAtStartMs[this.#depth] = this.#ownMs()
        // -1 marks a promise reaction: not timed.
        this.#startsMs[this.#depth++] = executionAsyncResource() instanceof Promise ? -1 : this.#clock.now()
      },
      after: () => {
        if (this.#depth === 0) return
        const startMs = this.#startsMs[--this.#depth] ?? -1
        if (startMs < 0) return
        const ownMs = this.#ownMs() - (this.#ownAtStartMs[this.#depth] ?? 0)
        const duration = this.#clock.now() - startMs - ownMs
        // A callback that was loopwatch's own work (delivering the watchdog's samples) is not the app's.
        if (ownMs > 0 && duration < kMinKeptMs) return
        this.#count++
        if (this.#depth === 0) this.#totalMs += duration
        if (duration >= kMinKeptMs) this.#keep(duration)
      },
      ...(scheduleStacks ? { init: (asyncId: number, type: string, trigger: number, resource: object) => {
        this.#schedule(asyncId, type, trigger, resource)
      } } : {}),
      trackPromises: scheduleStacks,
    } as HookCallbacks)
    this.#lazy = !scheduleStacks && !untrackPromises(this.#hook)
    if (!this.#lazy) this.#enable(true)
  }

  #enable(on: boolean): void {
    if (on === this.#enabled) return
    this.#enabled = on
    this.#depth = 0
    if (on) this.#hook.enable()
    else this.#hook.disable()
  }

  /** A stall is under way: a lazy hook runs from now on. */
  arm(): void {
    this.#lastStallMs = this.#clock.now()
    if (this.#lazy && !this.#stopped) this.#enable(true)
  }

  #keep(duration: number): void {
    const top = this.#top
    if (top.length === kTopCallbacks && (top.at(-1)?.duration ?? 0) >= duration) return
    const asyncId = this.#ids[this.#depth] ?? 0
    const resource = executionAsyncResource()
    const callback: TimedCallback = { type: typeOf(resource, this.#byResource), asyncId, triggerAsyncId: triggerAsyncId(), duration }
    const scheduledAt = this.#scheduledAt(resource, asyncId)
    if (scheduledAt !== undefined) callback.scheduledAt = scheduledAt
    top.push(callback)
    top.sort((a, b) => b.duration - a.duration)
    if (top.length > kTopCallbacks) top.pop()
  }

  #schedule(asyncId: number, type: string, trigger: number, resource: object): void {
    // V8 takes 1.5-3 us to capture a stack: one per resource made
    // promise-heavy code 200x slower (measured on 1e6 awaits). Two limits
    // keep the cost bounded: a promise created inside another promise's
    // reaction (the second and later awaits of a chain) is skipped, since
    // the chain's first promise, created from a callback, was captured; and
    // at most kCapturesPerSecond stacks are taken, refilled at each beat.
    if (this.#budget <= 0 || (type === 'PROMISE' && executionAsyncResource() instanceof Promise)) return
    this.#budget--
    const limit = Error.stackTraceLimit
    // A frozen Error keeps its limit (an async hook must never throw).
    const raised = setErrorProperty('stackTraceLimit', kScheduleFrames)
    const scheduled: Scheduled = { type, triggerAsyncId: trigger, holder: {} }
    Error.captureStackTrace(scheduled.holder)
    if (raised) setErrorProperty('stackTraceLimit', limit)
    this.#byResource.set(resource, scheduled)
    if (type !== 'PROMISE') {
      this.#byId.set(asyncId, scheduled)
      if (this.#byId.size > kMaxScheduled) this.#byId.delete(this.#byId.keys().next().value as number)
    }
  }

  /**
   * Where a resource was created: the first stack with a user frame, walking
   * up the trigger chain when Node's internals created it (an HTTP request's
   * resource is created by the server's socket, which the app created).
   */
  #scheduledAt(resource: object, asyncId: number): StackFrame[] | undefined {
    let scheduled = this.#byResource.get(resource) ?? this.#byId.get(asyncId)
    for (let hops = 0; scheduled !== undefined && hops < 12; hops++) {
      const frames = this.#resolver.resolve(rawFramesOf(scheduled.holder))
      if (frames.some((frame) => !frame.internal)) return frames
      scheduled = this.#byId.get(scheduled.triggerAsyncId)
    }
    return undefined
  }

  /**
   * The callback running now: called by the probe, on top of the blocked
   * code. Node keeps the running callback's resource whether a hook runs or
   * not; a promise reaction no hook tracks runs with none (async id 0), as
   * does an ES module's top-level code (itself run by a promise reaction).
   */
  current(): RunningCallback | undefined {
    const asyncId = executionAsyncId()
    if (asyncId === 0) return { callback: { type: 'PROMISE', asyncId: 0, triggerAsyncId: 0 }, timed: false }
    // The main script (a CommonJS entry's top-level code).
    if (asyncId === 1) return undefined
    const resource = executionAsyncResource()
    const callback: Omit<TimedCallback, 'duration'> = { type: typeOf(resource, this.#byResource), asyncId, triggerAsyncId: triggerAsyncId() }
    const scheduledAt = this.#scheduledAt(resource, asyncId)
    if (scheduledAt !== undefined) callback.scheduledAt = scheduledAt
    const level = this.#depth - 1
    const timed = this.#enabled && level >= 0 && this.#ids[level] === asyncId && (this.#startsMs[level] ?? -1) >= 0
    return { callback, timed }
  }

  /** What was timed since the last call (the last heartbeat), which also refills the capture budget. */
  takeWindow(): CallbackWindow {
    if (this.#lazy && this.#enabled && this.#clock.now() - this.#lastStallMs > kArmedMs) this.#enable(false)
    this.#budget = this.#budgetPerBeat
    const window = { top: this.#top, count: this.#count, totalMs: this.#totalMs }
    this.#top = []
    this.#count = 0
    this.#totalMs = 0
    return window
  }

  stop(): void {
    this.#stopped = true
    this.#enable(false)
  }
}

/**
 * Leaves promises out of `hook` where Node allows it: `trackPromises:
 * false` does on Node >= 24 (Node 26 documents it); Node 22 has the same
 * switch as the hook's own `kNoPromiseHook` symbol, which Node's inspector
 * sets. True when promises are left out.
 */
function untrackPromises(hook: AsyncHook): boolean {
  const flag = Object.getOwnPropertySymbols(hook).find((symbol) => symbol.description === 'kNoPromiseHook')
  if (flag === undefined) return false
  ;(hook as unknown as Record<symbol, boolean>)[flag] = true
  return true
}

/** Node's type name for a resource, from the init hook when it ran, else from its class. */
function typeOf(resource: object, known: WeakMap<object, Scheduled>): string {
  const fromInit = known.get(resource)?.type
  if (fromInit !== undefined) return fromInit
  if (resource instanceof Promise) return 'PROMISE'
  const own = (resource as { type?: unknown }).type
  if (typeof own === 'string') return own
  const name = (resource as { constructor?: { name?: string } }).constructor?.name ?? ''
  if (name === 'Timeout' || name === 'Immediate') return name
  if (name === 'Object' && 'callback' in resource) return 'TickObject'
  if (name === 'Object' || name === '') return 'UNKNOWN'
  // Native wraps: FSReqCallback -> FSREQCALLBACK, TCP -> TCPWRAP.
  const upper = name.toUpperCase()
  return /WRAP$|REQ|CALLBACK|ZLIB/.test(upper) ? upper : `${upper}WRAP`
}

