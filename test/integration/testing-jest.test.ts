import assert from 'node:assert/strict'
import { test } from 'node:test'
import { join } from 'node:path'
import { assertSuiteOutcomes, bins, jsonOutcomes, kLines, kSuiteEnv, run, tempDir, testingFixtures } from '../helpers/runners.js'

const dir = `${testingFixtures}jest/`
/** No babel, no watchman: only what the fixtures need, fast. */
const config = (setup: string, transform = {}) => JSON.stringify({ setupFilesAfterEnv: [setup], transform, testEnvironment: 'node', watchman: false })

test("jest, setupFilesAfterEnv: ['loopwatch/testing/jest']: exactly the blocking tests fail, naming the culprit", async () => {
  const { code, stdout, stderr } = await run(
    [bins.jest, '--ci', '--json', '--config', config('loopwatch/testing/jest'), 'suite.test.cjs'], dir, kSuiteEnv)
  assert.equal(code, 1, stderr)
  assertSuiteOutcomes(jsonOutcomes(stdout), 5)
  // jest's own report, on stderr, shows the culprit's line in context.
  assert.match(stderr, /> 6 \| +Atomics\.wait\(cell, 0, 0, ms\)/)
})

test('jest: failOnBlock() in a setup file, options in code; the canary fails; a second, compiled file in the same worker is checked too', async () => {
  const transform = { 'second\\.test\\.cjs$': './shift-transform.cjs' }
  const { code, stdout, stderr } = await run(
    [bins.jest, '--ci', '--json', '--runInBand', '--config', config('./setup.cjs', transform), 'canary.test.cjs', 'second.test.cjs'], dir)
  assert.equal(code, 1, stderr)
  const outcomes = jsonOutcomes(stdout)
  assert.deepEqual(outcomes.map((o) => [o.name, o.passed]).sort(), [
    ['blocks in a function a RegExp allows', true],
    ['blocks in a function an allow function accepts', true],
    ['blocks in a second file', false],
    ['canary: blocks on purpose', false],
  ])
  const failure = (name: string) => outcomes.find((o) => o.name === name)?.failure ?? ''
  assert.match(failure('canary: blocks on purpose'), /blocked for \d+ ms during this test \(limit 25 ms\)/)
  assert.match(failure('canary: blocks on purpose'), new RegExp(`at blockHeavily \\([^)]*blockers\\.cjs:${kLines.blockHeavily}:`))
  // The transformer moved every line down by three; the report shows the source's.
  assert.match(failure('blocks in a second file'), /blocked for \d+ ms during this test \(limit 25 ms\)/)
  assert.match(failure('blocks in a second file'), /at blockInSecondFile \([^)]*second\.test\.cjs:4:\d+\)\n\s+at .*second\.test\.cjs:8:\d+\)/)
})

test('jest workerThreads: a block in a worker thread fails its test with the culprit\'s stack', async (t) => {
  // Two files and no timings cached from an earlier run (fast files run in
  // band), so that jest runs them in its worker threads.
  const { code, stdout, stderr } = await run(
    [bins.jest, '--ci', '--json', '--maxWorkers=2', `--cacheDirectory=${join(tempDir(t), 'jest-cache')}`, '--config', JSON.stringify({ ...JSON.parse(config('loopwatch/testing/jest')), workerThreads: true }),
      'worker-thread.test.cjs', 'canary.test.cjs'], dir, kSuiteEnv)
  assert.equal(code, 1, stderr)
  const outcomes = jsonOutcomes(stdout)
  const outcome = (name: string) => outcomes.find((o) => o.name === name)
  assert.equal(outcome('runs in a worker thread')?.passed, true, outcome('runs in a worker thread')?.failure)
  const failure = outcome('blocks for 300 ms in a worker thread')?.failure ?? ''
  assert.match(failure, /the event loop was blocked for \d+ ms during this test \(limit 200 ms\)/)
  assert.match(failure, new RegExp(`at blockHeavily \\([^)]*blockers\\.cjs:${kLines.blockHeavily}:\\d+\\)`))
  assert.doesNotMatch(failure, /no stack/)
})
