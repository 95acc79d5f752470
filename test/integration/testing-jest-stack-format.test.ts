import assert from 'node:assert/strict'
import { test } from 'node:test'
import { bins, jsonOutcomes, run, testingFixtures } from '../helpers/runners.js'

const dir = `${testingFixtures}jest/`
const config = JSON.stringify({
  setupFilesAfterEnv: ['loopwatch/testing/jest'],
  transform: { 'stack-format\\.test\\.cjs$': './big-map-transform.cjs' },
  testEnvironment: 'node',
  watchman: false,
})

test("jest: a block in jest's own Error.prepareStackTrace fails no test; one in the test's own formatter fails it, with its stack", async () => {
  const { code, stdout, stderr } = await run([bins.jest, '--ci', '--json', '--config', config, 'stack-format.test.cjs'], dir)
  assert.equal(code, 1, stderr)
  const outcomes = jsonOutcomes(stdout)
  // The first toThrow of the file: jest reads the file's source map while
  // formatting the stack, for 100 ms or more (the test checks it).
  assert.deepEqual(outcomes.map((o) => [o.name, o.passed]), [
    ['formats the first stack of the file', true],
    ['blocks inside its own Error.prepareStackTrace', false],
  ], outcomes.map((o) => o.failure).join('\n'))
  const failure = outcomes[1]?.failure ?? ''
  // Sampled inside prepareStackTrace (issue 17: "the watchdog could not sample the main thread").
  assert.match(failure, /the event loop was blocked for \d+ ms during this test \(limit 200 ms\)/)
  assert.doesNotMatch(failure, /no stack/)
  assert.match(failure, /at Object\.blockHeavily \([^)]*blockers\.cjs:6:\d+\)/)
  assert.match(failure, /slowFormatter[^\n]*stack-format\.test\.cjs:/)
})
