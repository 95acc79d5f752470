// jest: `setupFilesAfterEnv: ['loopwatch/testing/jest']`. Runs once per test
// file, in the file's realm, where jest's hooks are globals; the watcher
// itself lives in the main realm and serves every file of the worker.
import { configureFromEnv } from '../testing/fail-on-block.js'
import { installJest } from '../testing/runners.js'

configureFromEnv()
installJest(globalThis)

export { failOnBlock, allowBlocking } from '../testing/fail-on-block.js'
