import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fixture, runFixture } from '../helpers/run-fixture.js'

const kReport = /^loopwatch: event loop blocked for \d+ ms \(threshold 30 ms, cause: wait(; [^)]*)?\)\n {4}at Atomics\.wait \(native\)\n {4}at blockFor \(block\.mjs:5:11\)\n {4}at Timeout\.slowPath \(log-modes\.mjs:14:3\)\n {4}\(2 node internal frames hidden\)$/m

test('log: true writes each report to stderr', async () => {
  const { stderr, stdout } = await runFixture(fixture('log-modes.mjs'), ['true'])
  assert.match(stderr, kReport)
  // A loaded machine may add start-up stalls; the two blocks are reported.
  assert.equal(stderr.match(/^ {4}at blockFor /gm)?.length, 2)
  assert.match(stdout, /^blocks=[2-9]\n$/)
})

test('log: false writes nothing', async () => {
  const { stderr, stdout } = await runFixture(fixture('log-modes.mjs'), ['false'])
  assert.equal(stderr, '')
  assert.match(stdout, /^blocks=[2-9]\n$/)
})

test('log: a function receives each report instead of stderr', async () => {
  const { stderr, stdout } = await runFixture(fixture('log-modes.mjs'), ['function'])
  assert.equal(stderr, '')
  const reports = stdout.split('\n').filter((l) => l.startsWith('LOG:')).map((l) => JSON.parse(l.slice(4)) as string)
    .filter((report) => report.includes('at blockFor'))
  assert.equal(reports.length, 2)
  assert.match(reports[0] ?? '', kReport)
})

test('a throwing listener becomes a warning; the other listeners still run', async () => {
  const { code, stderr, stdout } = await runFixture(fixture('log-modes.mjs'), ['throwing-listener'])
  assert.equal(code, 0)
  assert.match(stderr, /\[LOOPWATCH_LISTENER_FAILED\] Warning: loopwatch: a 'block' listener threw: Error: listener bug/)
  assert.match(stdout, /^blocks=[2-9]\n$/)
})
