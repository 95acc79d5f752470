import { withCode } from '../core/errors.js'
import { noRunnerError, testingCodes } from './errors.js'
import { mochaRootHooks } from './mocha.js'
import { mergeOptions, optionsFromEnv, validateTestingOptions, type FailOnBlockOptions } from './options.js'
import {
  detectRunner, installJest, installNode, installVitest, isVitestFileHooked, vitestFile, type EachHooks,
} from './runners.js'
import { tracker } from './tracker.js'

/**
 * Makes every test that blocks the event loop past the limits fail, with the
 * culprit's stack in the failure. Call it once from a setup file; it finds
 * the runner in use (node:test, vitest, jest, mocha) and hooks into it, so
 * that the test that fails is the one that was running when the loop was
 * blocked. Options set in `LOOPWATCH_*` environment variables win over the
 * ones given here. Calling it again replaces the options.
 *
 * @example
 * ```js
 * // jest: setupFilesAfterEnv: ['./test/setup.js']
 * import { failOnBlock } from 'loopwatch/testing'
 * failOnBlock({ threshold: 100, allow: ['loadFixtures'], budget: { totalBlocked: 500 } })
 * ```
 * @throws {TypeError | RangeError} on bad options (`ERR_LOOPWATCH_INVALID_OPTION`).
 * @throws {Error} `ERR_LOOPWATCH_NO_RUNNER` when no supported runner is running.
 */
export function failOnBlock(options?: FailOnBlockOptions): void {
  const resolved = mergeOptions(validateTestingOptions(options), optionsFromEnv(process.env))
  const runner = detectRunner(process.env, globalThis, process.execArgv)
  // node --test's orchestrating process runs no tests: its children do.
  if (runner === undefined && process.execArgv.includes('--test')) return
  const t = tracker()
  switch (runner) {
    case 'node':
      installNode()
      break
    case 'jest':
      installJest(globalThis)
      break
    case 'mocha':
      if (!t.installed.has('mocha')) {
        const hooks = mochaRootHooks()
        const g = globalThis as unknown as EachHooks
        g.beforeEach(hooks.beforeEach)
        g.afterEach(hooks.afterEach)
        t.installed.add('mocha')
      }
      break
    case 'vitest':
      if (!isVitestFileHooked(globalThis)) {
        const g = globalThis as Partial<EachHooks>
        if (typeof g.beforeEach !== 'function' || typeof g.afterEach !== 'function') {
          throw withCode(new Error('failOnBlock(): vitest\'s hooks are not globals here (globals: false); ' +
            'import it from the vitest entry point instead: import { failOnBlock } from \'loopwatch/testing/vitest\''),
          testingCodes.noRunner)
        }
        installVitest(g as EachHooks, vitestFile(globalThis))
      }
      break
    case undefined:
      // A runner entry point (mocha's root hooks) may have hooked already:
      // then this call only sets the options.
      if (t.installed.size === 0) throw noRunnerError()
  }
  t.configure(resolved)
}

/**
 * Relaxes the limits for the test that is running: raise its threshold or
 * budget, or allow a blocker, e.g. `allowBlocking({ threshold: 500 })` or
 * `allowBlocking({ allow: ['buildIndex'] })`. Without options, nothing the
 * test does fails it. Call it inside the test. Returns `true` when
 * `failOnBlock()` watches this test, `false` (and does nothing) when it is
 * not on: a canary test can assert that it is.
 *
 * @throws {TypeError | RangeError} on bad options.
 * @throws {Error} `ERR_LOOPWATCH_NOT_IN_TEST` when called outside a test.
 */
export function allowBlocking(options?: FailOnBlockOptions): boolean {
  const resolved = options === undefined ? undefined : validateTestingOptions(options)
  const t = tracker()
  if (!t.configured) return false
  t.override(resolved)
  return true
}

/**
 * What the runner entry points do on import: the options come from the
 * environment, unless `failOnBlock()` already set them.
 */
export function configureFromEnv(): void {
  const options = optionsFromEnv(process.env)
  const t = tracker()
  if (!t.configured) t.configure(options)
}
