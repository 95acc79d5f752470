import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import {
  assertSuiteOutcomes, bins, jsonOutcomes, kSuiteEnv, readReport, run, tempDir, testingFixtures,
} from '../helpers/runners.js'

const dir = `${testingFixtures}vitest/`

test("vitest, setupFiles: ['loopwatch/testing/vitest'] (forks pool): exactly the blocking tests fail, naming the culprit", async (t) => {
  const report = join(tempDir(t), 'report.json')
  const { code, stderr } = await run(
    [bins.vitest, 'run', '--reporter=json', `--outputFile=${report}`], dir, kSuiteEnv)
  assert.equal(code, 1, stderr)
  assertSuiteOutcomes(jsonOutcomes(readReport(report)), 8)
})

test('vitest: failOnBlock() from loopwatch/testing/vitest in a setup file, options in code; the canary (TypeScript) fails on its own lines', async (t) => {
  const report = join(tempDir(t), 'report.json')
  const { code, stderr } = await run(
    [bins.vitest, 'run', '--config', 'canary.config.mjs', '--reporter=json', `--outputFile=${report}`], dir)
  assert.equal(code, 1, stderr)
  const outcomes = jsonOutcomes(readReport(report))
  assert.deepEqual(outcomes.map((o) => [o.name, o.passed]), [
    ['canary: blocks on purpose', false],
    ['canary: blocks on purpose, with fake timers on', false],
    ['blocks in a function a RegExp allows', true],
    ['blocks in a function an allow function accepts', true],
    ['loopwatch canary', true],
  ])
  // One block, or, when the loaded machine also stalled the test's process
  // past 25 ms, that stall besides.
  const overLimit = /the event loop was blocked (for \d+ ms during this test \(limit 25 ms\)|\d+ times during this test for longer than the 25 ms limit)\n/
  assert.match(outcomes[0]?.failure ?? '', overLimit)
  // vitest compiles the file in memory; these are the lines of the source.
  assert.match(outcomes[0]?.failure ?? '', /at blockOnPurpose \([^)]*canary\.test\.ts:14:\d+\)\n {4}at .*canary\.test\.ts:18:\d+\)/)
  // Fake timers (process.hrtime included) do not blind the watchdog.
  assert.match(outcomes[1]?.failure ?? '', overLimit)
  assert.match(outcomes[1]?.failure ?? '', / {4}at blockOnPurpose \([^)]*canary\.test\.ts:14:\d+\)/)
})

for (const pool of ['threads', 'vmThreads']) {
  test(`vitest's ${pool} pool: a block fails its test with the culprit's stack, sampled in the worker thread`, async (t) => {
    const report = join(tempDir(t), 'report.json')
    const { code, stderr } = await run(
      [bins.vitest, 'run', `--pool=${pool}`, '--reporter=json', `--outputFile=${report}`, '--testNamePattern', '300 ms|does not block'],
      dir, kSuiteEnv)
    assert.equal(code, 1, stderr)
    const outcomes = jsonOutcomes(readReport(report)).filter((o) => o.name === 'blocks for 300 ms' || o.name === 'does not block')
    assert.deepEqual(outcomes.map((o) => [o.name, o.passed]), [['blocks for 300 ms', false], ['does not block', true]])
    const failure = outcomes[0]?.failure ?? ''
    assert.match(failure, /the event loop was blocked for \d+ ms during this test \(limit 200 ms\)/)
    // The helper that blocked and the test's own line, as in a forks pool.
    assert.match(failure, /at blockHeavily \([^)]*blockers\.cjs:\d+:\d+\)/)
    assert.doesNotMatch(failure, /no stack/)
  })
}
