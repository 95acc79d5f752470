// vitest: `setupFiles: ['loopwatch/testing/vitest']`. Setup files run once
// per test file: each run hooks that file. vitest's hooks are only reachable
// through an import of 'vitest', hence this entry point.
import { afterEach, beforeEach } from 'vitest'
// The CommonJS build's testing-host at run time (tsup.config.ts): one
// instance with loopwatch/testing, never a copy.
import {
  configureFromEnv, installVitest, mergeOptions, optionsFromEnv, tracker, validateTestingOptions, vitestFile,
  type EachHooks, type FailOnBlockOptions,
} from './testing-host.js'

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

export { allowBlocking } from './testing-host.js'
