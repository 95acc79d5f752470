import assert from 'node:assert/strict'
import { test } from 'node:test'
import { allowBlocking } from 'loopwatch/testing'
import { run, tapOutcomes, testingFixtures } from '../helpers/runners.js'

test('allowBlocking() does nothing and returns false when failOnBlock() is not on', () => {
  assert.equal(allowBlocking({ threshold: 500 }), false)
  assert.equal(allowBlocking(), false)
})

test('failOnBlock() with no runner to hook into: an error that names the supported runners and expectNoBlock', async () => {
  const { code, stdout, stderr } = await run(['no-runner.mjs'], testingFixtures)
  assert.equal(code, 0, stderr)
  const [noRunner, badOption] = stdout.trim().split('\n').map((line) => JSON.parse(line) as { name: string; code: string; message: string })
  assert.ok(noRunner)
  assert.equal(noRunner.name, 'Error')
  assert.equal(noRunner.code, 'ERR_LOOPWATCH_NO_RUNNER')
  assert.match(noRunner.message, /^failOnBlock\(\) could not tell which test runner is running\. It supports node:test, vitest, jest and mocha/)
  assert.match(noRunner.message, /node --import loopwatch\/testing\/node --test/)
  assert.match(noRunner.message, /or check a piece of code with `await expectNoBlock\(fn\)` instead/)
  assert.deepEqual(badOption, { name: 'TypeError', code: 'ERR_LOOPWATCH_INVALID_OPTION',
    message: "Expected `threshold` to be a positive number of milliseconds, got 'fast' (string)" })
  // Nothing else printed, and the process exited: no watcher was left behind.
  assert.equal(stderr, '')
})

test('a bad LOOPWATCH_* variable fails the run at setup, naming the variable', async () => {
  const { code, stdout } = await run(
    ['--import', 'loopwatch/testing/node', '--test', '--test-reporter=tap', 'node/bad-input.test.mjs'], testingFixtures,
    { LOOPWATCH_THRESHOLD: 'fast' })
  assert.equal(code, 1)
  // node --test relays the file's stderr into its report.
  assert.match(stdout, /TypeError: Expected `LOOPWATCH_THRESHOLD` to be a positive number of milliseconds, got 'fast' \(string\)/)
  assert.match(stdout, /code: 'ERR_LOOPWATCH_INVALID_OPTION'/)
})

test('allowBlocking() outside a test, and bad options to allowBlocking() and failOnBlock(), throw clear errors', async () => {
  const { code, stdout, stderr } = await run(
    ['--import', 'loopwatch/testing/node', '--test', '--test-reporter=tap', 'node/bad-input.test.mjs'], testingFixtures)
  assert.equal(code, 0, `${stdout}\n${stderr}`)
  assert.deepEqual(tapOutcomes(stdout).map((o) => o.passed), [true, true, true])
})
