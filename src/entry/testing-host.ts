// Internal: the main realm's copy of loopwatch/testing, which the copies
// loaded inside vm contexts (jest's test files) delegate to, and what the
// ESM-only vitest entry reaches the CommonJS build through. Not an export.
export { tracker } from '../testing/tracker.js'
export { watchCall } from '../testing/expect-no-block.js'
export { configureFromEnv, allowBlocking } from '../testing/fail-on-block.js'
export { mergeOptions, optionsFromEnv, validateTestingOptions, type FailOnBlockOptions } from '../testing/options.js'
export { installVitest, vitestFile, type EachHooks } from '../testing/runners.js'
