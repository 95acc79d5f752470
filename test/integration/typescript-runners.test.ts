import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import type { CulpritSummary } from '../../src/index.js'
import type { Report } from '../../src/report/report.js'
import { userFrames } from '../helpers/assert-block.js'
import { runCli } from '../helpers/run-cli.js'
import { fixture, parseLines, runFixture } from '../helpers/run-fixture.js'

// tsx keeps the source maps of the .ts files it transforms in memory (the
// file on disk has no sourceMappingURL): the positions come from the main
// thread's module.findSourceMap(), after the block.
const app = fixture('ts/tsx-app.ts')
const file = 'ts/tsx-app.ts'
const blockingLine = readFileSync(app, 'utf8').split('\n').findIndex((line) => line.includes('BLOCKING_LINE')) + 1
const canStripTypes = Boolean((process.features as { typescript?: string }).typescript)

/** The event's frame, the text report's line and the summary() row of a run of the fixture. */
async function run(nodeArgs: string[]) {
  const { code, stdout, stderr, blockEvents } = await runFixture(app, [], { nodeArgs, env: { LOG: '1' } })
  assert.equal(code, 0, stderr)
  const event = blockEvents[0] ?? assert.fail(`no block event\n${stdout}\n${stderr}`)
  const summary = (parseLines(stdout).find((line) => 'summary' in line)?.['summary'] ?? assert.fail(stdout)) as CulpritSummary[]
  return { frame: userFrames(event)[0], stderr, row: summary.find((r) => r.frame?.functionName === 'crunchTotals') }
}

test('node --import tsx: the event, the text report and summary() name the .ts line', async () => {
  const { frame, stderr, row } = await run(['--import', 'tsx'])
  assert.equal(frame?.functionName, 'crunchTotals')
  assert.equal(frame.file, app)
  assert.equal(frame.line, blockingLine)
  // What ran is tsx's output, at another line of the same file.
  assert.equal(frame.generated?.file, app)
  assert.notEqual(frame.generated.line, blockingLine)
  assert.match(stderr, new RegExp(`^ {4}at crunchTotals \\(${file}:${blockingLine}:\\d+\\)$`, 'm'))
  assert.equal(row?.culprit, `crunchTotals (${file}:${blockingLine})`)
})

test('the CLI running node --import tsx names the .ts line in its summary and JSON', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'loopwatch-tsx-'))
  t.after(() => {
    rmSync(dir, { recursive: true, force: true })
  })
  const json = join(dir, 'report.json')
  const { code, stderr } = await runCli(['-t', '30', '--json', json, '--', process.execPath, '--import', 'tsx', file], 40_000)
  assert.equal(code, 0, stderr)
  assert.match(stderr, new RegExp(`^ {4}at crunchTotals \\(${file}:${blockingLine}:\\d+\\)$`, 'm'))
  assert.match(stderr, new RegExp(`^ +2 .* crunchTotals \\(${file}:${blockingLine}\\)$`, 'm'))
  const report = JSON.parse(readFileSync(json, 'utf8')) as Report
  assert.equal(report.culprits.find((c) => c.function === 'crunchTotals')?.line, blockingLine)
})

test('Node type stripping (no loader, no map): the .ts line as it is', { skip: !canStripTypes && 'this Node cannot strip types' }, async () => {
  const { frame, stderr, row } = await run([])
  assert.equal(frame?.file, app)
  assert.equal(frame.line, blockingLine)
  assert.equal(frame.generated, undefined)
  assert.match(stderr, new RegExp(`^ {4}at crunchTotals \\(${file}:${blockingLine}:\\d+\\)$`, 'm'))
  assert.equal(row?.culprit, `crunchTotals (${file}:${blockingLine})`)
})
