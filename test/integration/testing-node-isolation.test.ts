import assert from 'node:assert/strict'
import { test } from 'node:test'
import { assertSuiteOutcomes, kLines, kSuiteEnv, run, tapOutcomes, testingFixtures } from '../helpers/runners.js'

const dir = `${testingFixtures}node/`
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number)
// Node 22.8 has the option as experimental; 23.6 and later as --test-isolation.
const isolationOff = major > 23 || (major === 23 && minor >= 6) ? '--test-isolation=none'
  : major === 22 && minor >= 8 ? '--experimental-test-isolation=none' : undefined

test('node --test with isolation off: every file in one process, one watchdog, a verdict per test', {
  skip: isolationOff === undefined && `Node ${process.versions.node} runs each test file in a process of its own`,
}, async () => {
  const { code, stdout, stderr } = await run(
    ['--import', 'loopwatch/testing/node', '--test', ...(isolationOff === undefined ? [] : [isolationOff]), '--test-reporter=tap', 'suite.test.mjs', 'second.test.mjs'],
    dir, kSuiteEnv)
  assert.equal(code, 1, stderr)
  const outcomes = tapOutcomes(stdout)
  // One process runs both files (in either order in the report).
  const second = outcomes.filter((o) => o.name.startsWith('second file: '))
  assertSuiteOutcomes(outcomes.filter((o) => !second.includes(o)), 8)
  assert.deepEqual(second.map((o) => [o.name, o.passed]), [
    ['second file: blocks for 300 ms', false],
    ['second file: does not block', true],
  ], stdout)
  assert.match(second[0]?.failure ?? '', /blocked for \d+ ms during this test \(limit 200 ms\)/)
  assert.match(second[0]?.failure ?? '', new RegExp(`at blockHeavily \\([^)]*blockers\\.cjs:${kLines.blockHeavily}:\\d+\\)`))
  assert.match(second[0]?.failure ?? '', /second\.test\.mjs:9:\d+\)/)
  assert.equal(stderr, '')
})
