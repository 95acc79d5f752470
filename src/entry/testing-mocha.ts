// mocha: `--require loopwatch/testing/mocha` (a root hook plugin).
import { configureFromEnv } from '../testing/fail-on-block.js'
import { mochaRootHooks, type MochaRootHooks } from '../testing/mocha.js'
import { tracker } from '../testing/tracker.js'

configureFromEnv()

/** mocha's root hooks: fail each test that blocks the event loop past the limits. */
export const mochaHooks: MochaRootHooks = mochaRootHooks()
tracker().installed.add('mocha')

export { failOnBlock, allowBlocking } from '../testing/fail-on-block.js'
