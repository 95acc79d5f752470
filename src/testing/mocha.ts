import { failTest } from './report.js'
import { tracker, type TestWindow } from './tracker.js'

/** What loopwatch uses of a mocha `Test`. */
interface MochaTest {
  fn?: MochaFn
}
/** `this` in a mocha hook, and in a test function. */
interface MochaContext {
  currentTest?: MochaTest
  test?: MochaTest
}
type MochaFn = ((this: MochaContext, done: (error?: unknown) => void) => unknown) & { [kWrapped]?: true }

/** Root hooks, as mocha's `--require` plugins export them (`mochaHooks`). */
export interface MochaRootHooks {
  beforeEach: (this: MochaContext) => Promise<void>
  afterEach: (this: MochaContext) => void
}

const kWrapped = Symbol('loopwatch.wrapped')

/**
 * mocha's root hooks for `failOnBlock()`. A failing `afterEach` hook would
 * abort the rest of the suite, and mocha has already reported the test as
 * passed by then; so `beforeEach` wraps the test's own function, which
 * checks the loop once the test's code has run and fails the test itself.
 */
export function mochaRootHooks(): MochaRootHooks {
  const windows = new WeakMap<MochaTest, TestWindow>()
  const finish = async (test: MochaTest | undefined): Promise<void> => {
    const window = test && windows.get(test)
    if (test === undefined || window === undefined) return
    windows.delete(test)
    const verdict = await tracker().end(window)
    if (verdict !== undefined) failTest(verdict)
  }
  return {
    async beforeEach(this: MochaContext) {
      const test = this.currentTest
      if (test?.fn === undefined) return
      // Retried tests are clones that carry the wrapper already.
      if (test.fn[kWrapped] !== true) test.fn = wrap(test.fn, finish)
      await tracker().ready()
      windows.set(test, tracker().begin())
    },
    afterEach(this: MochaContext) {
      // The test did not reach its end (it threw, or a hook failed): its
      // own error is the one to report.
      const test = this.currentTest
      const window = test && windows.get(test)
      if (test === undefined || window === undefined) return
      windows.delete(test)
      tracker().discard(window)
    },
  }
}

function wrap(fn: MochaFn, finish: (test: MochaTest | undefined) => Promise<void>): MochaFn {
  // mocha reads a test's arity to decide whether it takes `done`: keep it.
  const wrapped: MochaFn = fn.length > 0
    ? function (this: MochaContext, done) {
      return fn.call(this, (error?: unknown) => {
        if (error !== undefined && error !== null) {
          done(error)
          return
        }
        finish(this.test).then(() => {
          done()
        }, done)
      })
    }
    : async function (this: MochaContext) {
      const result = await fn.call(this, () => undefined)
      await finish(this.test)
      return result
    }
  wrapped[kWrapped] = true
  return wrapped
}
