import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import type { Report } from '../../src/report/report.js'
import { validate } from '../helpers/json-schema.js'
import { runCli } from '../helpers/run-cli.js'

const schema = JSON.parse(readFileSync(new URL('../../docs/report.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>

// A real server saturated by its own load worker for 4 s, under the real CLI
// with -q: no single long block, so a block table alone would read "a few % blocked".
test('loopwatch -q on a saturated server: the exit summary, the JSON and the HTML say it was saturated, how long, and the hottest code', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'loopwatch-saturation-cli-'))
  t.after(() => {
    rmSync(dir, { recursive: true, force: true })
  })
  const json = join(dir, 'report.json')
  const html = join(dir, 'report.html')
  const { code, stderr } = await runCli(['-q', '--saturation', '80%', '--saturation-window', '1000', '--json', json, '--html', html,
    'saturation-app.mjs', '4'], 40_000)
  assert.equal(code, 0, stderr)
  // -q: nothing while the app runs; the summary at the end carries it.
  const summaryAt = stderr.search(/^loopwatch: (no blocks|\d+ blocks?,)/m)
  assert.ok(summaryAt >= 0, stderr)
  assert.doesNotMatch(stderr.slice(0, summaryAt), /saturated/)
  const summary = stderr.slice(summaryAt)
  assert.match(summary, /^loopwatch: the event loop was saturated (once|\d+ times), \d+(\.\d)? s in total/m)
  assert.match(summary, /^loopwatch: event loop saturated: \d+% busy for \d+ ms/m)
  assert.match(summary, /^ +\d+% +(readFileSync <- |JSON\.parse <- )?getPackageVersion \(saturation-app\.mjs:\d+\)/m)
  assert.doesNotMatch(summary, /wrapped|dist\/chunk/, 'no loopwatch frame in the hottest code')

  const report = JSON.parse(readFileSync(json, 'utf8')) as Report
  assert.deepEqual(validate(schema, report), [])
  const [saturation] = report.saturations
  assert.ok(saturation, 'saturations in the JSON report')
  assert.ok(saturation.utilization >= 0.8, String(saturation.utilization))
  assert.ok(saturation.duration >= 1000, String(saturation.duration))
  assert.ok(saturation.hot.some((hot) => hot.frames.some((f) => f.functionName === 'getPackageVersion')), JSON.stringify(saturation.hot))
  const page = readFileSync(html, 'utf8')
  assert.match(page, /<section id="saturation"><h2>Saturation<\/h2><pre>loopwatch: the event loop was saturated/)
})

test('--saturation off: no saturation in the summary or the JSON report', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'loopwatch-saturation-cli-'))
  t.after(() => {
    rmSync(dir, { recursive: true, force: true })
  })
  const json = join(dir, 'report.json')
  const { code, stderr } = await runCli(['-q', '--saturation', 'off', '--json', json, 'saturation-app.mjs', '2'], 40_000)
  assert.equal(code, 0, stderr)
  assert.doesNotMatch(stderr, /saturated/)
  assert.deepEqual((JSON.parse(readFileSync(json, 'utf8')) as Report).saturations, [])
})

test('a bad --saturation value prints what is expected and exits with code 2', async () => {
  const { code, stderr } = await runCli(['--saturation', '150%', 'saturation-app.mjs'])
  assert.equal(code, 2)
  assert.match(stderr, /--saturation should be off, or a utilization level such as 0\.9 or 90%; got "150%"/)
})
