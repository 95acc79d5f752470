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
  // On a loaded machine a stray stall over 10 ms may add a block of its own
  // (a culprit of its own, with a small total): only the header's count may vary.
  assert.match(lines[0] ?? '', /^loopwatch: \d+ blocks, 1\.\d s blocked in \d+ s \(\d+\.\d%\)$/)
  assert.match(lines[1] ?? '', /^ {2}count {2}total +max +culprit$/)
  // renderChart: 2 x 400 ms; parseRows: 5 x 100 ms. Fewer blocks, more time: first.
  assert.match(lines[2] ?? '', /^ {6}2 {2}8\d\d ms {2}4\d\d ms {2}renderChart \(two-culprits\.mjs:12\)$/)
  assert.match(lines[3] ?? '', /^ {6}5 {2}5\d\d ms {2}1\d\d ms {2}parseRows \(two-culprits\.mjs:8\)$/)
  assert.equal(lines.at(-2), `loopwatch: JSON report written to ${json}`)

  const report = JSON.parse(readFileSync(json, 'utf8')) as Report
  assert.deepEqual(validate(schema, report), [])
  assert.deepEqual(report.culprits.slice(0, 2).map((c) => [c.function, c.count, c.line]), [['renderChart', 2, 12], ['parseRows', 5, 8]])
  assert.deepEqual(report.command, ['two-culprits.mjs'])
  assert.equal(report.exitCode, 0)
  assert.equal(report.blocks, report.events.length)
  // Time order, and the plan's order of culprits.
  assert.deepEqual(report.events.filter((e) => e.culprit < 2).map((e) => e.culprit), [1, 0, 1, 1, 0, 1, 1])
  for (const culprit of report.culprits.slice(0, 2)) {
    assert.ok(culprit.profile.length > 0 && culprit.profile[0]?.stack.some((f) => f.functionName === culprit.function))
  }
})

test('--json - writes the report to stdout; start-up blocks are marked', async () => {
  const { code, stderr, stdout } = await runCli(['-t', '20', '-q', '--json', '-', '--', process.execPath, 'app-startup.mjs'])
  assert.equal(code, 0, stderr)
  const report = JSON.parse(stdout) as Report
  assert.deepEqual(validate(schema, report), [])
  const startup = report.culprits.filter((c) => c.function === 'loadConfig' || c.function === 'Timeout.handleTick')
  assert.deepEqual(startup.map((c) => [c.function, c.startup, c.count]), [['loadConfig', true, 1], ['Timeout.handleTick', false, 1]])
  assert.match(stderr, /^ +1 {2}2\d\d ms {2}2\d\d ms {2}\(startup\) loadConfig \(app-startup\.mjs:6\)$/m)
  assert.match(stderr, /^ +1 {2}1\d\d ms {2}1\d\d ms {2}Timeout\.handleTick \(app-startup\.mjs:10\)$/m)
})

test('a burst of 15 blocks from one culprit: 3 reports and one folded line on stderr, all of them in the summary', async () => {
  const { code, stderr } = await runCli(['-t', '10', 'burst.mjs'])
  assert.equal(code, 0, stderr)
  // Full reports of hotLoop (a stray stall elsewhere would have its own report).
  assert.equal(stderr.match(/^ {4}at hotLoop \(burst\.mjs:5:\d+\)$/gm)?.length, 3, stderr)
  const row = /^ +(\d+) {2}1\.\d s {2}1\d\d ms {2}hotLoop \(burst\.mjs:5\)$/m.exec(stderr)
  assert.ok(row, stderr)
  const count = Number(row[1])
  // All 15, unless a block on an overloaded machine went without a stack.
  assert.ok(count >= 13 && count <= 15, `${count} blocks`)
  const folded = new RegExp(`^loopwatch: hotLoop \\(burst\\.mjs:5\\) blocked ${count - 3} more times, (\\d\\.\\d) s in total, in the last \\d+ s$`, 'm').exec(stderr)
  assert.ok(folded, stderr)
  // Each folded block lasted at least 100 ms; the total is shown to 0.1 s.
  assert.ok(Number(folded[1]) * 1000 >= (count - 3) * 100 - 50, folded[0])
})
