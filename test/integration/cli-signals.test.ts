import assert from 'node:assert/strict'
import { test } from 'node:test'
import { startCli } from '../helpers/run-cli.js'

// The hang is the top row (a stray stall elsewhere could add a small row below).
const kSummaryOfHang = /^loopwatch: \d+ blocks?, [\d.]+ m?s blocked in \d+ m?s \(\d+\.\d%\)\n {2}count {2}total +max +culprit\n {6}1 {2}\S+ m?s +\S+ m?s {2}spinForever \(app-hangs\.mjs:7\) \(still running when the app ended\)$/m

test('an app killed while it hangs still yields a summary naming the looping function', async (t) => {
  const cli = startCli(['-t', '20', '--hang-timeout', '200', 'app-hangs.mjs'])
  t.after(() => {
    cli.killAll()
  })
  const [, pid] = await cli.waitFor('stdout', /pid=(\d+)/)
  // The watchdog records each hang report right after writing it: once the
  // second report is out, the first is recorded for sure. Then kill the app
  // as a supervisor or the OOM killer would.
  await cli.waitFor('stderr', /same stack as above/)
  process.kill(Number(pid), 'SIGKILL')
  const { code } = await cli.ended
  assert.equal(code, 128 + 9)
  assert.match(cli.stderr(), kSummaryOfHang)
})

test('Ctrl-C: the app stops first, then the summary prints; exit code 130', async (t) => {
  const cli = startCli(['-t', '20', '--hang-timeout', '200', 'app-hangs.mjs'])
  t.after(() => {
    cli.killAll()
  })
  await cli.waitFor('stderr', /same stack as above/)
  cli.child.kill('SIGINT')
  const { code, signal } = await cli.ended
  assert.equal(signal, null)
  assert.equal(code, 130)
  assert.match(cli.stderr(), kSummaryOfHang)
})

test('a signal reaches the app, which shuts down in its own time; the summary comes after, with its exit code', async (t) => {
  const cli = startCli(['-t', '20', 'app-sigint.mjs'])
  t.after(() => {
    cli.killAll()
  })
  await cli.waitFor('stdout', /ready/)
  cli.child.kill('SIGINT')
  const { code } = await cli.ended
  assert.equal(code, 0)
  const stderr = cli.stderr()
  const done = stderr.indexOf('app: done')
  const summary = stderr.search(/^loopwatch: \d+ blocks?,/m)
  assert.ok(stderr.indexOf('app: SIGINT received') >= 0 && done > 0 && summary > done, stderr)
  assert.match(stderr, /^ {6}1 {2}2\d\d ms {2}2\d\d ms {2}Timeout\.closeAll \(app-sigint\.mjs:6\)$/m)
})
