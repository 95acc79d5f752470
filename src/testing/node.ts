import type { EachHooks } from './runners.js'
import { failTest } from './report.js'
import { tracker, type TestWindow } from './tracker.js'

/** What loopwatch uses of node:test's `TestContext`. */
interface NodeContext {
  /** `parent > child` (Node 20.16, 22.3 and later). */
  readonly fullName?: string
}

/**
 * The microtasks a parent's end waits for an open subtest to reach its next
 * hook. node:test takes 10 from one hook of a synchronous subtest to the
 * next (Node 20.20, 22.23), about 20 for one that awaits a resolved promise
 * (which node:test alone cancels: it then finishes). Node 24 awaits such
 * subtests itself.
 */
const kGraceTicks = 100

/** One test between its hooks. */
interface Entry {
  readonly order: number
  readonly fullName: string | undefined
  window?: TestWindow
}

/**
 * node:test's root `beforeEach`/`afterEach` hooks, which node:test runs for
 * every test and subtest of the process.
 *
 * A subtest its parent does not await (`t.test('child', fn)` alone) must end
 * before the parent does, or node:test cancels it ("test did not finish
 * before its parent"). Without hooks a quick subtest wins that race by
 * microtasks; with hooks it runs two of them to its parent's one, and loses.
 * So a parent's first `afterEach` (`settle`) lets its subtests' hooks finish: it waits
 * for the hook work of its subtests, and gives a subtest between two hooks
 * microtasks to reach the next one, but never a turn of the event loop: one
 * that awaits a timer or I/O past its parent's end is cancelled as it would
 * be without loopwatch.
 */
export function nodeHooks(): Record<'beforeEach' | 'settle' | 'afterEach', (context: object) => Promise<void>> {
  const entries = new WeakMap<object, Entry>()
  // Tests between their beforeEach and the end of their afterEach.
  const open = new Set<Entry>()
  // Hook work in progress, by test.
  const working = new Map<Promise<unknown>, Entry>()
  let order = 0

  const track = <T>(entry: Entry, work: Promise<T>): Promise<T> => {
    working.set(work, entry)
    void work.then(() => working.delete(work), () => working.delete(work))
    return work
  }

  const isWithin = (entry: Entry, ancestor: Entry): boolean => entry !== ancestor &&
    (entry.fullName !== undefined && ancestor.fullName !== undefined
      ? entry.fullName.startsWith(`${ancestor.fullName} > `)
      : entry.order > ancestor.order)

  /** The innermost open test this one is a subtest of. */
  const parentOf = (entry: Entry): TestWindow | undefined => {
    let parent: Entry | undefined
    for (const other of open) {
      if (other.window !== undefined && isWithin(entry, other) && (parent === undefined || other.order > parent.order)) parent = other
    }
    return parent?.window
  }

  const laterWork = (entry: Entry): Promise<unknown>[] =>
    [...working].filter(([, other]) => isWithin(other, entry)).map(([promise]) => promise)
  const subtestOpen = (entry: Entry): boolean => [...open].some((other) => isWithin(other, entry))

  const subtestsSettled = async (entry: Entry): Promise<void> => {
    for (;;) {
      let work = laterWork(entry)
      // A subtest between its hooks (node:test's own steps, its code) gets
      // microtasks to reach the next one; never a turn of the event loop.
      for (let tick = 0; work.length === 0 && tick < kGraceTicks && subtestOpen(entry); tick++) {
        await Promise.resolve()
        work = laterWork(entry)
      }
      if (work.length === 0) return
      await Promise.allSettled(work)
    }
  }

  return {
    beforeEach(context) {
      const { fullName } = context as NodeContext
      const entry: Entry = { order: ++order, fullName: typeof fullName === 'string' ? fullName : undefined }
      entries.set(context, entry)
      open.add(entry)
      // No wait for the watchdog thread (node --test starts one per file, and
      // a file's tests are often done before it is up): one that comes up
      // during a block samples it from there, so a test that blocks at once
      // still gets the culprit's stack.
      entry.window = tracker().begin(parentOf(entry))
      return Promise.resolve()
    },
    async settle(context) {
      const entry = entries.get(context)
      if (entry !== undefined) await track(entry, subtestsSettled(entry))
    },
    async afterEach(context) {
      const entry = entries.get(context)
      if (entry === undefined) return
      entries.delete(context)
      const verdict = await track(entry, (async () => {
        try {
          return entry.window === undefined ? undefined : await tracker().end(entry.window)
        } finally {
          open.delete(entry)
        }
      })())
      if (verdict !== undefined) failTest(verdict)
    },
  }
}

/** Installs {@link nodeHooks} as root hooks of node:test. */
export function hookNodeTest(nodeTest: EachHooks): void {
  const hooks = nodeHooks()
  nodeTest.beforeEach(hooks.beforeEach)
  // Two hooks, not one: node:test shares a hook's state between the tests
  // that run it at the same time, so a subtest's failure in the hook that its
  // parent is still waiting in would fail the parent too.
  nodeTest.afterEach(hooks.settle)
  nodeTest.afterEach(hooks.afterEach)
}
