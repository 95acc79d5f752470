// vitest: `setupFiles: ['loopwatch/testing/vitest']`. Setup files run once
// per test file: each run hooks that file. vitest's hooks are only reachable
// through an import of 'vitest', hence this entry point.
import { afterEach, beforeEach } from 'vitest'
import { configureFromEnv } from '../testing/fail-on-block.js'
import { mergeOptions, optionsFromEnv, validateTestingOptions, type FailOnBlockOptions } from '../testing/options.js'
import { installVitest, vitestFile, type EachHooks } from '../testing/runners.js'
import { tracker } from '../testing/tracker.js'

const hooks = { beforeEach, afterEach } as unknown as EachHooks
configureFromEnv()
installVitest(hooks, vitestFile(globalThis))

/**
 * `failOnBlock()` for vitest: call it from your own setup file to pass
 * options (the `LOOPWATCH_*` environment variables still win).
 *
 * @example
 * ```js
 * // vitest.config.js: test: { setupFiles: ['./test/setup.js'] }
 * import { failOnBlock } from 'loopwatch/testing/vitest'
 * failOnBlock({ threshold: 100, allow: [/fixtures/] })
 * ```
 */
export function failOnBlock(options?: FailOnBlockOptions): void {
  const resolved = mergeOptions(validateTestingOptions(options), optionsFromEnv(process.env))
  installVitest(hooks, vitestFile(globalThis))
  tracker().configure(resolved)
}

export { allowBlocking } from '../testing/fail-on-block.js'
