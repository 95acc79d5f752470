import { performance } from 'node:perf_hooks'
import type { BlockEvent } from '../core/events.js'
import { watchLoop, type LoopWatcher } from '../core/watch-loop.js'
import { testingCodes } from './errors.js'
import { resolveLimits, watchFloor, type FailOnBlockOptions } from './options.js'
import { keepingAlive, watchdogReady } from './keep-alive.js'
import { hostModule } from './realm.js'
import { judge, type Verdict } from './verdict.js'
import { withCode } from '../core/errors.js'

/** One test's stretch of time, from its first hook to its end. */
export interface TestWindow {
  /**
   * When the test began (epoch ms, the events' `startTime` scale): blocks
   * that started from then on, and before its end, are its own.
   */
  readonly startTime: number
  /** What `allowBlocking()` added during the test. */
  readonly overrides: FailOnBlockOptions[]
  /** `allowBlocking()` without options: the test may block at will. */
  off: boolean
  /** The test this one is a subtest of (node:test), if it is being tracked. */
  readonly parent: TestWindow | undefined
}

/**
 * The process-wide state of `failOnBlock()`: one watcher for every test, the
 * options tests start from, and the tests running now.
 */
export interface Tracker {
  /** Sets the options every test starts from, and starts watching. */
  configure(options: FailOnBlockOptions): void
  /** Runner integrations already installed in this process (`'node'`, `'mocha'`). */
  readonly installed: Set<string>
  /** Test files (jest's globals, vitest's file tasks) already hooked. */
  readonly hooked: WeakSet<object>
  /**
   * Resolves once the watchdog thread is up (at once after the first time):
   * a test that blocks at its very start still gets the culprit's stack.
   */
  ready(): Promise<void>
  /**
   * A test starts. Whatever blocked before belongs to something else. A
   * subtest names its parent's window: a block belongs to the innermost
   * test running, never to its parent too.
   */
  begin(parent?: TestWindow): TestWindow
  /** A test is over: resolves with why it fails, if it does. */
  end(window: TestWindow): Promise<Verdict | undefined>
  /** A test ended without running (a hook failed): forget it. */
  discard(window: TestWindow): void
  /** `allowBlocking()`: relax the running tests' limits. */
  override(options: FailOnBlockOptions | undefined): void
  /** `true` once `configure()` ran. */
  readonly configured: boolean
}

// Every copy of this code (one per entry point, one per jest test file) must
// find the same tracker: it hangs on the process object.
const kTracker = Symbol.for('loopwatch.testing.tracker')

/** Now, on the scale of `BlockEvent#startTime` (epoch ms, from the monotonic clock). */
function now(): number {
  return performance.timeOrigin + performance.now()
}

/**
 * Starts a measured stretch: ends the stall in progress (loading the test
 * file, the watcher's own start), which belongs to no one, and returns the
 * time from which blocks belong to the stretch. Read before the flush:
 * every stall it measures, or a later beat does, starts at or after it.
 */
export function startStretch(watcher: LoopWatcher): number {
  const startTime = now()
  void watcher.flush()
  return startTime
}

/** The process's tracker, created in the main realm on first use. */
export function tracker(): Tracker {
  const host = hostModule<{ tracker: typeof tracker }>()
  if (host !== undefined) return host.tracker()
  const slot = process as unknown as Record<symbol, Tracker | undefined>
  return (slot[kTracker] ??= createTracker())
}

function createTracker(): Tracker {
  let watcher: LoopWatcher | undefined
  let base: FailOnBlockOptions = {}
  let configured = false
  const active = new Set<TestWindow>()
  let events: BlockEvent[] = []
  // Blocks a subtest has taken: its ancestors do not count them again.
  const claimed = new WeakSet<BlockEvent>()
  let ready: Promise<void> | undefined

  let floorMs = 0
  const watch = (): LoopWatcher => {
    if (watcher !== undefined) return watcher
    floorMs = watchFloor(base)
    // Saturation sampling is for services; a test suite's loop is busy by design.
    const created = watchLoop({ threshold: floorMs, log: false, saturation: false })
    created.on('block', (event) => {
      if (active.size > 0) events.push(event)
    })
    return (watcher = created)
  }

  const close = (window: TestWindow): void => {
    active.delete(window)
    let first = Infinity
    for (const other of active) first = Math.min(first, other.startTime)
    events = events.filter((event) => event.startTime >= first)
  }

  return {
    installed: new Set(),
    hooked: new WeakSet(),
    get configured() {
      return configured
    },
    configure(options) {
      base = options
      configured = true
      // A setup file's failOnBlock() after the entry point's defaults: the
      // new watcher joins the running watchdog thread before the old one
      // leaves it, so the thread is not started twice.
      const previous = watcher
      if (previous !== undefined && watchFloor(base) !== floorMs) {
        watcher = undefined
        ready = undefined
        watch()
        void previous.stop()
      }
      // Start now, in the setup file, so that the watchdog thread is up
      // before the first test runs.
      watch()
    },
    ready() {
      ready ??= watchdogReady(watch())
      return ready
    },
    begin(parent) {
      const window: TestWindow = { startTime: startStretch(watch()), overrides: [], off: false, parent }
      active.add(window)
      return window
    },
    async end(window) {
      // Stalls measured by this flush began at least `kStallFloor` ms
      // before it; those of later beats, after it.
      const endTime = now()
      await keepingAlive(watch().flush())
      // A subtest still running (one its parent did not await) keeps what
      // blocked since it began.
      const running = [...active].filter((other) => other !== window && isWithin(other, window))
      const blocks = events.filter((event) => event.startTime >= window.startTime && event.startTime < endTime &&
        !claimed.has(event) && !running.some((other) => event.startTime >= other.startTime))
      if (window.parent !== undefined) for (const block of blocks) claimed.add(block)
      close(window)
      const overrides: FailOnBlockOptions[] = []
      let off = false
      // A subtest runs under what its ancestors allowed, and its own.
      for (let w: TestWindow | undefined = window; w !== undefined; w = w.parent) {
        overrides.unshift(...w.overrides)
        off ||= w.off
      }
      return judge(blocks, resolveLimits(base, overrides, off))
    },
    discard: close,
    override(options) {
      if (active.size === 0) {
        throw withCode(new Error('allowBlocking() was called while no test was running: call it inside a test'),
          testingCodes.notInTest)
      }
      // The innermost tests running: a parent waiting for its subtest is not the caller.
      for (const window of active) {
        if ([...active].some((other) => other !== window && isWithin(other, window))) continue
        if (options === undefined) window.off = true
        else window.overrides.push(options)
      }
    },
  }
}

/** Is `window` a subtest (at any depth) of `ancestor`? */
function isWithin(window: TestWindow, ancestor: TestWindow): boolean {
  for (let w = window.parent; w !== undefined; w = w.parent) if (w === ancestor) return true
  return false
}
