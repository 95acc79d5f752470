import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import type { Report } from '../../src/report/report.js'
import { validate } from '../helpers/json-schema.js'
import { runCli } from '../helpers/run-cli.js'

const schema = JSON.parse(readFileSync(new URL('../../docs/report.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>

test('two culprits in known proportions: exact counts, ordered by total; --json fits the documented schema', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'loopwatch-cli-'))
  t.after(() => {
    rmSync(dir, { recursive: true, force: true })
  })
  const json = join(dir, 'report.json')
  const { code, stderr, stdout } = await runCli(['--threshold', '10', '--quiet', '--json', json, 'two-culprits.mjs'])
  assert.equal(code, 0, stderr)
  assert.equal(stdout, '')
  const lines = stderr.split('\n')
  assert.match(lines[0] ?? '', /^loopwatch: 7 blocks, 1\.\d s blocked in \d+ s \(\d+\.\d%\)$/)
  assert.match(lines[1] ?? '', /^ {2}count {2}total +max +culprit$/)
  // renderChart: 2 x 400 ms; parseRows: 5 x 100 ms. Fewer blocks, more time: first.
  assert.match(lines[2] ?? '', /^ {6}2 {2}8\d\d ms {2}4\d\d ms {2}renderChart \(two-culprits\.mjs:12\)$/)
  assert.match(lines[3] ?? '', /^ {6}5 {2}5\d\d ms {2}1\d\d ms {2}parseRows \(two-culprits\.mjs:8\)$/)
  assert.equal(lines[4], `loopwatch: JSON report written to ${json}`)

  const report = JSON.parse(readFileSync(json, 'utf8')) as Report
  assert.deepEqual(validate(schema, report), [])
  assert.deepEqual(report.culprits.map((c) => [c.function, c.count, c.line]), [['renderChart', 2, 12], ['parseRows', 5, 8]])
  assert.deepEqual(report.command, ['two-culprits.mjs'])
  assert.equal(report.exitCode, 0)
  assert.equal(report.blocks, 7)
  assert.equal(report.events.length, 7)
  // Time order, and the plan's order of culprits.
  assert.deepEqual(report.events.map((e) => e.culprit), [1, 0, 1, 1, 0, 1, 1])
  for (const culprit of report.culprits) {
    assert.ok(culprit.profile.length > 0 && culprit.profile[0]?.stack.some((f) => f.functionName === culprit.function))
  }
})

test('--json - writes the report to stdout; start-up blocks are marked', async () => {
  const { code, stderr, stdout } = await runCli(['-t', '20', '-q', '--json', '-', '--', process.execPath, 'app-startup.mjs'])
  assert.equal(code, 0, stderr)
  const report = JSON.parse(stdout) as Report
  assert.deepEqual(validate(schema, report), [])
  assert.deepEqual(report.culprits.map((c) => [c.function, c.startup]), [['loadConfig', true], ['Timeout.handleTick', false]])
  assert.match(stderr, /^ +1 {2}2\d\d ms {2}2\d\d ms {2}\(startup\) loadConfig \(app-startup\.mjs:6\)$/m)
  assert.match(stderr, /^ +1 {2}1\d\d ms {2}1\d\d ms {2}Timeout\.handleTick \(app-startup\.mjs:10\)$/m)
})

test('a burst of 25 blocks from one culprit: 3 reports and one folded line on stderr, 25 in the summary', async () => {
  const { code, stderr } = await runCli(['-t', '5', 'burst.mjs'])
  assert.equal(code, 0, stderr)
  assert.equal(stderr.match(/^loopwatch: event loop blocked for/gm)?.length, 3, stderr)
  const folded = stderr.match(/^loopwatch: hotLoop \(burst\.mjs:5\) blocked 22 more times, (\d\.\d) s in total, in the last \d+ s$/m)
  assert.ok(folded, stderr)
  assert.ok(Number(folded[1]) >= 1.1, folded[0])
  assert.match(stderr, /^ +25 {2}1\.\d s {2}\d+ ms {2}hotLoop \(burst\.mjs:5\)$/m)
})
