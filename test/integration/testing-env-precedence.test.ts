import assert from 'node:assert/strict'
import { test } from 'node:test'
import { run, tapOutcomes, testingFixtures } from '../helpers/runners.js'

const dir = `${testingFixtures}node/`
const args = ['--import', './precedence-setup.mjs', '--test', '--test-reporter=tap', 'precedence.test.mjs']

const outcomesWith = async (env: NodeJS.ProcessEnv) => {
  const { stdout, stderr } = await run(args, dir, env)
  assert.equal(stderr, '')
  return tapOutcomes(stdout)
}

test('LOOPWATCH_* variables win over every limit given in code', async () => {
  const [code, threshold, maxBlock] = await Promise.all([
    outcomesWith({}),
    outcomesWith({ LOOPWATCH_THRESHOLD: '400', LOOPWATCH_TOTAL_BLOCKED: '1000' }),
    outcomesWith({ LOOPWATCH_MAX_BLOCK: '400' }),
  ])
  const verdicts = (outcomes: typeof code) => outcomes.map((o) => [o.name, o.passed])
  // The code's limits: 100 ms per block, 150 ms in all.
  assert.deepEqual(verdicts(code), [
    ['blocks once for 250 ms', false],
    ['blocks 4 x 60 ms', false],
    ['blocks in an allowed helper called through its module object', true],
  ], code.map((o) => o.failure).join('\n'))
  assert.match(code[0]?.failure ?? '', /\(limit 100 ms\)/)
  assert.match(code[1]?.failure ?? '', /\(budget\.totalBlocked 150 ms\)/)
  // LOOPWATCH_THRESHOLD=400 sets the longest block over the code's
  // budget.maxBlock: 100 (issue 17: it had no effect), and
  // LOOPWATCH_TOTAL_BLOCKED the total.
  assert.deepEqual(verdicts(threshold), [
    ['blocks once for 250 ms', true],
    ['blocks 4 x 60 ms', true],
    ['blocks in an allowed helper called through its module object', true],
  ], threshold.map((o) => o.failure).join('\n'))
  // LOOPWATCH_MAX_BLOCK alone: no block is too long now, but the total
  // still comes from the code.
  assert.deepEqual(verdicts(maxBlock), [
    ['blocks once for 250 ms', false],
    ['blocks 4 x 60 ms', false],
    ['blocks in an allowed helper called through its module object', true],
  ], maxBlock.map((o) => o.failure).join('\n'))
  assert.doesNotMatch(maxBlock[0]?.failure ?? '', /\(limit \d+ ms\)/)
  assert.match(maxBlock[0]?.failure ?? '', /\(budget\.totalBlocked 150 ms\)/)
})

test('an allow-list RegExp matches the bare function name: /^loadfix/i from LOOPWATCH_ALLOW matches Object.loadFixture', async () => {
  const { stdout } = await run(['--import', 'loopwatch/testing/node', '--test', '--test-reporter=tap', 'precedence.test.mjs'], dir,
    { LOOPWATCH_THRESHOLD: '400', LOOPWATCH_TOTAL_BLOCKED: '1000', LOOPWATCH_ALLOW: '/^loadfix/i' })
  const outcomes = tapOutcomes(stdout)
  assert.deepEqual(outcomes.map((o) => [o.name, o.passed]), [
    ['blocks once for 250 ms', true],
    ['blocks 4 x 60 ms', true],
    ['blocks in an allowed helper called through its module object', true],
  ], stdout)
  // Without the rule, the same helper fails the test: the rule is what allowed it.
  const without = tapOutcomes((await run(['--import', 'loopwatch/testing/node', '--test', '--test-reporter=tap', 'precedence.test.mjs'], dir,
    { LOOPWATCH_THRESHOLD: '400', LOOPWATCH_TOTAL_BLOCKED: '1000' })).stdout)
  const helper = without[2]
  assert.ok(helper, stdout)
  assert.equal(helper.passed, false)
  assert.match(helper.failure, /at Object\.loadFixture \(/)
})
