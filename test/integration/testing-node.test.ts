import assert from 'node:assert/strict'
import { test } from 'node:test'
import { assertSuiteOutcomes, kLines, kSuiteEnv, run, tapOutcomes, testingFixtures } from '../helpers/runners.js'

const dir = `${testingFixtures}node/`

test('node --import loopwatch/testing/node --test: exactly the blocking tests fail, naming the culprit', async () => {
  const { code, stdout, stderr } = await run(
    ['--import', 'loopwatch/testing/node', '--test', '--test-reporter=tap', 'suite.test.mjs'], dir, kSuiteEnv)
  assert.equal(code, 1, stderr)
  assertSuiteOutcomes(tapOutcomes(stdout), 8)
  assert.equal(stderr, '')
})

test('node: failOnBlock() from a setup file, options in code, LOOPWATCH_THRESHOLD over them; the canary fails', async () => {
  const { code, stdout, stderr } = await run(
    ['--import', './setup.mjs', '--test', '--test-reporter=tap', 'canary.test.mjs'], dir, { LOOPWATCH_THRESHOLD: '40' })
  assert.equal(code, 1, stderr)
  const outcomes = tapOutcomes(stdout)
  assert.deepEqual(outcomes.map((o) => [o.name, o.passed]), [
    ['canary: blocks on purpose', false],
    ['blocks in a function a RegExp allows', true],
    ['blocks in a function an allow function accepts', true],
    ['loopwatch canary', true],
  ])
  // The code says 25 ms; the environment wins.
  assert.match(outcomes[0]?.failure ?? '', /blocked for \d+ ms during this test \(limit 40 ms\)/)
  assert.match(outcomes[0]?.failure ?? '', new RegExp(`at blockHeavily \\([^)]*blockers\\.cjs:${kLines.blockHeavily}:`))
})
