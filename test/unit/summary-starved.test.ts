import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { BlockEvent, StackFrame } from '../../src/index.js'
import { blockAttributes, blockSummary, factsOf } from '../../src/otel/attributes.js'
import { buildReport, type ReportMeta } from '../../src/report/report.js'
import { BlockSummary } from '../../src/report/summary.js'
import { formatSummaryTable } from '../../src/report/text.js'

const frame = (functionName: string, file: string, line: number): StackFrame => ({ functionName, file, line, column: 1, internal: false })
const work = frame('work', '/app/src/work.ts', 3)
const meta: ReportMeta = {
  command: ['node', 'app.js'], startTime: 1_000_000, duration: 60_000, exitCode: 0, signal: null, threshold: 50, processes: 1,
}
const block = (duration: number, cause: BlockEvent['cause'], cpu: BlockEvent['cpu']): BlockEvent =>
  ({ id: 1, startTime: 1_000_500, duration, threshold: 50, thread: { id: 0, name: '' }, hang: false, stack: [work], samples: 1, profile: [{ stack: [work], count: 1 }],
    cause, ...(cpu === undefined ? {} : { cpu }) })

test('starved stalls go to a row of their own, "machine", never under the function that ran', () => {
  const summary = new BlockSummary({ timeline: true, profiles: true })
  summary.add(block(62, 'starved', { onCpu: 3, waiting: 55, offCpu: 4 }))
  summary.add(block(1440, 'starved', { onCpu: 9, waiting: 1400, offCpu: 31 }))
  summary.add(block(300, 'cpu', { onCpu: 280, waiting: 15, offCpu: 5 }))
  const rows = summary.summary('/app')
  assert.deepEqual(rows.map((row) => [row.culprit, row.count, row.total, row.causes, row.stack.length]), [
    ['machine', 2, 1502, { starved: 2 }, 0],
    ['work (src/work.ts:3)', 1, 300, { cpu: 1 }, 1],
  ])
  assert.equal(rows[0]?.frame, undefined)
  const report = buildReport(summary, meta, '/app')
  assert.equal(formatSummaryTable(report), [
    'loopwatch: 1 block, 300 ms blocked in 60 s (0.5%)',
    '  count  total   max     culprit',
    '      1  300 ms  300 ms  work (src/work.ts:3)',
    '  machine: 2 stalls, 1.5 s (waiting for a CPU: the machine or the container\'s CPU limit, not your code)',
  ].join('\n'))
  assert.deepEqual(report.culprits[0]?.profile, [])
})

test('a run whose only stalls were the machine\'s has no blocks: the head line says so, the machine line follows', () => {
  const summary = new BlockSummary({ timeline: true, profiles: true })
  summary.add(block(420, 'starved', { onCpu: 85, waiting: 327, offCpu: 8 }))
  assert.equal(formatSummaryTable(buildReport(summary, meta, '/app')), [
    'loopwatch: no blocks over 50 ms in 60 s',
    '  machine: 1 stall, 420 ms (waiting for a CPU: the machine or the container\'s CPU limit, not your code)',
  ].join('\n'))
})

test('OpenTelemetry: the split as loopwatch.block.cpu.* seconds, and the starved log line', () => {
  const attributes = blockAttributes(factsOf(block(300, 'cpu', { onCpu: 280, waiting: 15, offCpu: 5, throttled: 10 })))
  assert.equal(attributes['loopwatch.block.cpu.on'], 0.28)
  assert.equal(attributes['loopwatch.block.cpu.waiting'], 0.015)
  assert.equal(attributes['loopwatch.block.cpu.off'], 0.005)
  assert.equal(attributes['loopwatch.block.cpu.throttled'], 0.01)
  const starved = factsOf(block(62, 'starved', { onCpu: 3, waiting: 55, offCpu: 4 }))
  assert.equal(blockAttributes(starved)['loopwatch.block.cause'], 'starved')
  assert.equal(blockSummary(starved), 'event loop stalled 62 ms (threshold 50 ms, cause: starved: on CPU 3 ms, waiting for a CPU 55 ms, '
    + 'off CPU 4 ms; the machine or the container\'s CPU limit, not your code)')
  assert.equal(blockAttributes(factsOf(block(300, 'cpu', undefined)))['loopwatch.block.cpu.on'], undefined)
})
