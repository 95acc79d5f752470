import assert from 'node:assert/strict'
import { test } from 'node:test'
import { bins, jsonOutcomes, kLines, kSuiteEnv, kSuiteTests, readReport, run, tapOutcomes, tempDir, testingFixtures } from '../helpers/runners.js'

// A first adoption: the suite runs with the check in report-only mode, every
// test keeps its outcome, and stderr lists what would fail, with the culprit.
const blockHeavily = new RegExp(`loopwatch/testing \\(report only, the test is not failed\\): the event loop was blocked for \\d+ ms during this test \\(limit 200 ms\\)\\n(.*\\n)*?.*at blockHeavily \\([^)]*blockers\\.cjs:${kLines.blockHeavily}:`)
const total = /loopwatch\/testing \(report only, the test is not failed\): the event loop was blocked for \d+ ms in total during this test/

test('node: LOOPWATCH_REPORT_ONLY=1 fails no test and prints what would fail to stderr', async () => {
  const { code, stdout, stderr } = await run(['--import', 'loopwatch/testing/node', '--test', '--test-reporter=tap', 'suite.test.mjs'],
    `${testingFixtures}node/`, { ...kSuiteEnv, LOOPWATCH_REPORT_ONLY: '1' })
  assert.equal(code, 0, stdout)
  const outcomes = tapOutcomes(stdout)
  assert.deepEqual(outcomes.map((o) => [o.name, o.passed]), kSuiteTests.map((name) => [name, true]))
  // node --test relays a test file's stderr as comments of its report.
  assert.match(stdout + stderr, blockHeavily)
  assert.match(stdout + stderr, total)
})

test('vitest: LOOPWATCH_REPORT_ONLY=1 fails no test and prints what would fail', async (t) => {
  const report = `${tempDir(t)}/report.json`
  const { stdout, stderr } = await run([bins.vitest, 'run', '--reporter=json', `--outputFile=${report}`],
    `${testingFixtures}vitest/`, { ...kSuiteEnv, LOOPWATCH_REPORT_ONLY: '1' })
  const outcomes = jsonOutcomes(readReport(report))
  assert.deepEqual(outcomes.map((o) => [o.name, o.passed]), kSuiteTests.map((name) => [name, true]), stdout + stderr)
  assert.match(stdout + stderr, blockHeavily)
})
