// `node --import loopwatch/testing/node --test`: every node:test test that
// blocks the event loop past the limits fails. Options come from the
// LOOPWATCH_* environment variables, or from failOnBlock() in a setup file.
// The orchestrating process of `node --test` has no tests: nothing happens there.
import { configureFromEnv } from '../testing/fail-on-block.js'
import { installNode, runsNodeTests } from '../testing/runners.js'

if (runsNodeTests(process.env, process.execArgv)) {
  // The environment first: a bad variable fails before anything is hooked.
  configureFromEnv()
  installNode()
}

export { failOnBlock, allowBlocking } from '../testing/fail-on-block.js'
