import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { BlockEvent, StackFrame } from '../../src/index.js'
import { buildReport, type ReportMeta } from '../../src/report/report.js'
import { formatSummaryTable } from '../../src/report/text.js'
import { BlockSummary } from '../../src/report/summary.js'

const frame = (functionName: string, file: string, line: number): StackFrame =>
  ({ functionName, file, line, column: 1, internal: false })
const meta: ReportMeta = {
  command: ['node', 'app.js'], startTime: 1_000_000, duration: 312_000, exitCode: 0, signal: null, threshold: 100, processes: 1,
}
const block = (duration: number, stack: StackFrame[], at = 1_000_500): BlockEvent =>
  ({ id: 1, startTime: at, duration, threshold: 100, thread: { id: 0, name: '' }, hang: false, stack, samples: 1, profile: [], cause: 'cpu' })

test('the table: header with the share of time blocked, rows by total, start-up and unfinished marked', () => {
  const summary = new BlockSummary({ timeline: true })
  const version = frame('getVersion', '/app/node_modules/otel-instr/lib/version.js', 14)
  for (let i = 0; i < 380; i++) summary.add(block(i === 0 ? 210 : 83.6, [version]))
  for (let i = 0; i < 31; i++) summary.add(block(i === 0 ? 480 : 187.3, [frame('renderReport', '/app/src/report.ts', 88)]))
  summary.add(block(204, [frame('loadConfig', '/app/src/config.ts', 12)]), { startup: true })
  summary.add(block(2500, [frame('spin', '/app/src/spin.ts', 3)]), { unfinished: true })
  const report = buildReport(summary, meta, '/app')
  assert.equal(formatSummaryTable(report), [
    'loopwatch: 413 blocks, 40.7 s blocked in 5 m 12 s (13.0%)',
    '  count  total   max     culprit',
    '    380  31.9 s  210 ms  getVersion (node_modules/otel-instr/lib/version.js:14)',
    '     31  6.1 s   480 ms  renderReport (src/report.ts:88)',
    '      1  2.5 s   2.5 s   spin (src/spin.ts:3) (still running when the app ended)',
    '      1  204 ms  204 ms  (startup) loadConfig (src/config.ts:12)',
  ].join('\n'))
  assert.equal(report.events.length, 413)
  assert.equal(report.events[0]?.time, 500)
})

test('more culprits than rows are summed up; no blocks says so', () => {
  const summary = new BlockSummary()
  for (let i = 0; i < 5; i++) summary.add(block(100 + i, [frame(`f${i}`, '/app/f.js', i + 1)]))
  const lines = formatSummaryTable(buildReport(summary, meta, '/app'), 2).split('\n')
  assert.equal(lines.length, 5)
  assert.equal(lines.at(-1), '  ... and 3 more culprits (3 blocks, 303 ms)')
  assert.equal(formatSummaryTable(buildReport(new BlockSummary(), { ...meta, duration: 4200, processes: 2 })),
    'loopwatch: no blocks over 100 ms in 4 s across 2 processes')
})
