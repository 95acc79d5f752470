import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  assertSuiteOutcomes, bins, kLines, kSuiteEnv, mochaOutcomes, nodePathWithLoopwatch, run, testingFixtures,
} from '../helpers/runners.js'

const dir = `${testingFixtures}mocha/`

test('mocha --require loopwatch/testing/mocha: exactly the blocking tests fail, naming the culprit; the suite goes on', async (t) => {
  const { code, stdout, stderr } = await run(
    [bins.mocha, '--require', 'loopwatch/testing/mocha', '--reporter', 'json', 'suite.test.cjs'], dir,
    { ...kSuiteEnv, NODE_PATH: nodePathWithLoopwatch(t) })
  // mocha exits with the number of failures.
  assert.equal(code, 2, stderr)
  assertSuiteOutcomes(mochaOutcomes(stdout), 5)
})

test('mocha: root hooks and failOnBlock() from a --require file, options in code; the canary fails', async () => {
  const { code, stdout, stderr } = await run(
    [bins.mocha, '--require', './setup.cjs', '--reporter', 'json', 'canary.test.cjs'], dir)
  assert.equal(code, 1, stderr)
  const outcomes = mochaOutcomes(stdout)
  assert.deepEqual(outcomes.map((o) => [o.name, o.passed]), [
    ['canary: blocks on purpose', false],
    ['blocks in a function a RegExp allows', true],
    ['blocks in a function an allow function accepts', true],
  ])
  assert.match(outcomes[0]?.failure ?? '', /blocked for \d+ ms during this test \(limit 25 ms\)/)
  assert.match(outcomes[0]?.failure ?? '', new RegExp(`at blockHeavily \\([^)]*blockers\\.cjs:${kLines.blockHeavily}:`))
})
