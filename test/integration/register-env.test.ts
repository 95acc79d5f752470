import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import type { Report } from '../../src/report/report.js'
import { validate } from '../helpers/json-schema.js'
import { fixture, runFixture } from '../helpers/run-fixture.js'

const preload = { nodeArgs: ['--import', 'loopwatch/register'] }
const schema = JSON.parse(readFileSync(new URL('../../docs/report.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'loopwatch-env-'))
  t.after(() => {
    rmSync(dir, { recursive: true, force: true })
  })
  return dir
}

test('bad values: one warning per variable (name, expected form, value, default), and the app still runs', async () => {
  const { code, stderr } = await runFixture(fixture('app-blocks.mjs'), [], {
    ...preload,
    env: {
      LOOPWATCH_THRESHOLD: 'abc', LOOPWATCH_HANG_TIMEOUT: 'soon', LOOPWATCH_DEBUG: 'maybe', LOOPWATCH_LOG: '2',
      LOOPWATCH_REPORT: 'report.txt',
    },
  })
  assert.equal(code, 3, stderr)
  const warnings = stderr.split('\n').filter((line) => line.includes('[LOOPWATCH_INVALID_ENV]'))
  assert.deepEqual(warnings.map((line) => line.replace(/^\(node:\d+\) /, '')), [
    '[LOOPWATCH_INVALID_ENV] Warning: loopwatch: LOOPWATCH_THRESHOLD should be a positive number of milliseconds, such as 100, got "abc"; using the default, 100 ms',
    '[LOOPWATCH_INVALID_ENV] Warning: loopwatch: LOOPWATCH_HANG_TIMEOUT should be a positive number of milliseconds, such as 100, got "soon"; using the default, 1000 ms',
    '[LOOPWATCH_INVALID_ENV] Warning: loopwatch: LOOPWATCH_DEBUG should be 1 or 0 (also true/false, yes/no, on/off), got "maybe"; using off',
    '[LOOPWATCH_INVALID_ENV] Warning: loopwatch: LOOPWATCH_LOG should be 1 or 0 (also true/false, yes/no, on/off), got "2"; using the default, 1 (reports on stderr)',
    '[LOOPWATCH_INVALID_ENV] Warning: loopwatch: LOOPWATCH_REPORT should be a file name ending in .json or .html, got "report.txt"; using no report',
  ])
  // Watching with the defaults: the 300 ms block is over the default 100 ms threshold.
  assert.match(stderr, /loopwatch: event loop blocked for \d+ ms \(threshold 100 ms, cause: wait(; [^)]*)?\)\n(.*\n)? {4}at blockFor/)
})

for (const [name, value] of [['LOOPWATCH_THRESHOLD', '-1'], ['LOOPWATCH_HANG_TIMEOUT', '10']] as const) {
  test(`${name}=${value}: a warning, the default, the app runs`, async () => {
    const { code, stderr } = await runFixture(fixture('app-blocks.mjs'), [], { ...preload, env: { [name]: value } })
    assert.equal(code, 3)
    assert.equal(stderr.match(/\[LOOPWATCH_INVALID_ENV\]/g)?.length, 1, stderr)
    assert.match(stderr, new RegExp(`Warning: loopwatch: ${name} should be .*, got "${value}"; using the default, (100|1000) ms$`, 'm'))
    assert.match(stderr, /at Timeout\.appWork/)
  })
}

test('LOOPWATCH_LOG=0: silent; LOOPWATCH_REPORT=x.json: a report that fits the schema, written at exit', async (t) => {
  const file = join(tempDir(t), 'report.json')
  const { code, stderr } = await runFixture(fixture('app-blocks.mjs'), [], {
    ...preload, env: { LOOPWATCH_LOG: '0', LOOPWATCH_THRESHOLD: '30', LOOPWATCH_REPORT: file },
  })
  assert.equal(code, 3)
  assert.equal(stderr, '')
  const report = JSON.parse(readFileSync(file, 'utf8')) as Report
  assert.deepEqual(validate(schema, report), [])
  assert.equal(report.exitCode, 3)
  assert.equal(report.threshold, 30)
  const top = report.culprits.find((c) => c.function === 'blockFor')
  assert.ok(top, JSON.stringify(report.culprits))
  assert.equal(top.count, 1)
  assert.ok(top.total >= 300, `total ${top.total}`)
  assert.equal(report.events.length, report.blocks)
})

test('LOOPWATCH_REPORT=x-%p.html: a self-contained page, written at exit, named after the process id', async (t) => {
  const dir = tempDir(t)
  const { code } = await runFixture(fixture('app-blocks.cjs'), [], {
    ...preload, env: { LOOPWATCH_LOG: '0', LOOPWATCH_REPORT: join(dir, 'report-%p.html') },
  })
  assert.equal(code, 4)
  const files = readdirSync(dir)
  assert.equal(files.length, 1)
  assert.match(files[0] ?? '', /^report-\d+\.html$/)
  const html = readFileSync(join(dir, files[0] ?? ''), 'utf8')
  assert.match(html, /^<!doctype html>/)
  assert.match(html, /"culprit":"appWork \(app-blocks\.cjs:3\)"/)
  // Self-contained: no external scripts, styles or images.
  assert.doesNotMatch(html, /<(script|link|img)[^>]+(src|href)=/i)
})
