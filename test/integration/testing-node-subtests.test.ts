import assert from 'node:assert/strict'
import { test } from 'node:test'
import { run, tapTree, testingFixtures } from '../helpers/runners.js'

const dir = `${testingFixtures}node/`

test('node: subtests their parents do not await end as they do without loopwatch', async () => {
  const args = ['--test', '--test-reporter=tap', 'unawaited.test.mjs']
  const [plain, watched] = await Promise.all([run(args, dir), run(['--import', 'loopwatch/testing/node', ...args], dir)])
  const before = tapTree(plain.stdout)
  const after = tapTree(watched.stdout)
  assert.deepEqual(after.map((o) => o.name), before.map((o) => o.name), 'the same tests ran')
  assert.ok(after.length >= 14, watched.stdout)
  // Every test that passes without loopwatch passes with it (issue 17: the
  // synchronous subtest was cancelled), and nothing mentions loopwatch.
  const broken = before.filter((o) => o.passed).map((o) => o.name).filter((name) => after.find((o) => o.name === name)?.passed !== true)
  assert.deepEqual(broken, [], watched.stdout)
  assert.ok(after.find((o) => o.name === 'parent of a synchronous subtest > sync child')?.passed)
  assert.ok(after.find((o) => o.name === 'a suite > has a test with an unawaited subtest > child in a suite')?.passed)
  // A subtest that waits for a timer past its parent's end is cancelled
  // with loopwatch exactly when it is without (Node 24 awaits it).
  const outlives = 'parent of a subtest that waits for a timer > child that outlives its parent'
  assert.equal(after.find((o) => o.name === outlives)?.passed, before.find((o) => o.name === outlives)?.passed)
  assert.doesNotMatch(watched.stdout, /loopwatch|LoopBlocked/i)
  assert.equal(watched.stderr, '')
})

test('node: a block belongs to the innermost test running; budgets do not add subtests into their parent', async () => {
  const { code, stdout, stderr } = await run(['--import', 'loopwatch/testing/node', '--test', '--test-reporter=tap', 'nested.test.mjs'], dir,
    { LOOPWATCH_THRESHOLD: '200', LOOPWATCH_TOTAL_BLOCKED: '300' })
  assert.equal(code, 1, stderr)
  const outcomes = tapTree(stdout)
  const outcome = (name: string) => {
    const found = outcomes.find((o) => o.name === name)
    assert.ok(found, `${name} ran:\n${stdout}`)
    return found
  }
  const blocked = /the event loop was blocked for \d+ ms during this test \(limit 200 ms\)/
  // The subtest fails; its parent fails only because node:test fails the
  // parent of a failed subtest, not with a block of its own.
  assert.match(outcome('parent of a blocking subtest > blocking subtest').failure, blocked)
  assert.match(outcome('parent of a blocking subtest').failure, /1 subtest failed/)
  assert.doesNotMatch(outcome('parent of a blocking subtest').failure, /event loop was blocked/)
  // 2 x 160 ms: each subtest is within the 300 ms budget, and so is the parent.
  assert.deepEqual(outcomes.filter((o) => o.name.startsWith('parent of two subtests')).map((o) => [o.name, o.passed, o.failure]), [
    ['parent of two subtests that each stay within the budget > first', true, ''],
    ['parent of two subtests that each stay within the budget > second', true, ''],
    ['parent of two subtests that each stay within the budget', true, ''],
  ])
  // A parent's own block is still its own.
  assert.equal(outcome('parent that blocks after its subtest > quiet subtest').passed, true)
  assert.match(outcome('parent that blocks after its subtest').failure, blocked)
  assert.match(outcome('parent that blocks after its subtest').failure, /nested\.test\.mjs:28:/)
  // allowBlocking() in a parent covers its subtests.
  assert.equal(outcome('parent that allows blocking for itself and its subtests > subtest that blocks').passed, true)
  assert.equal(outcome('parent that allows blocking for itself and its subtests').passed, true)
  // An unawaited subtest's block is its own too.
  assert.match(outcome('parent of an unawaited subtest that blocks > unawaited subtest that blocks').failure, blocked)
  assert.doesNotMatch(outcome('parent of an unawaited subtest that blocks').failure, /event loop was blocked/)
})
