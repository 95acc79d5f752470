import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import type { BlockEvent, BlockThread, StackFrame } from '../../src/index.js'
import { readEventsFile } from '../../src/report/events-file.js'
import { pageData, renderHtml } from '../../src/report/html.js'
import { buildReport, type ReportMeta } from '../../src/report/report.js'
import { BlockSummary } from '../../src/report/summary.js'
import { formatSummaryTable } from '../../src/report/text.js'

const frame = (functionName: string, file: string, line: number): StackFrame =>
  ({ functionName, file, line, column: 1, internal: false })
const meta: ReportMeta = {
  command: ['node', 'app.js'], startTime: 1_000_000, duration: 10_000, exitCode: 0, signal: null, threshold: 100, processes: 1,
}
const main: BlockThread = { id: 0, name: '' }
const resize: BlockThread = { id: 3, name: 'resize' }
const unnamed: BlockThread = { id: 5, name: '' }
const render = frame('render', '/app/src/render.js', 12)
const parse = frame('parseRows', '/app/src/rows.js', 8)

let nextId = 1
function block(duration: number, stack: StackFrame[], thread: BlockThread, extra: Partial<BlockEvent> = {}): BlockEvent {
  return { id: nextId++, startTime: 1_000_500, duration, threshold: 100, thread, hang: false, stack, samples: 1, profile: [], cause: 'cpu', ...extra }
}

/** render blocks the main thread and worker 3; parseRows only worker 3; a machine stall on worker 5. */
function threadedSummary(): BlockSummary {
  const summary = new BlockSummary({ timeline: true, profiles: true })
  summary.add(block(300, [render], main))
  summary.add(block(200, [render], resize))
  summary.add(block(250, [render], resize))
  for (let i = 0; i < 3; i++) summary.add(block(400, [parse], resize))
  summary.add(block(150, [parse], unnamed, { cause: 'starved' }))
  return summary
}

test('summary(): one function blocking two threads is two culprits, each counted within its thread', () => {
  const rows = threadedSummary().summary('/app')
  assert.deepEqual(rows.map((r) => [r.culprit, r.thread.id, r.count, r.total]), [
    ['parseRows (src/rows.js:8)', 3, 3, 1200],
    ['render (src/render.js:12)', 3, 2, 450],
    ['render (src/render.js:12)', 0, 1, 300],
    ['machine', 5, 1, 150],
  ])
  assert.deepEqual(rows[0]?.thread, resize)
})

test('the CLI table: a section per thread, the main thread first, headed as the block reports name the thread', () => {
  assert.equal(formatSummaryTable(buildReport(threadedSummary(), meta, '/app')), [
    'loopwatch: 6 blocks, 1.9 s blocked in 10 s (19.5%)',
    '  main thread: 1 block, 300 ms',
    '    count  total   max     culprit',
    '        1  300 ms  300 ms  render (src/render.js:12)',
    '  worker 3 "resize": 5 blocks, 1.6 s',
    '    count  total   max     culprit',
    '        3  1.2 s   400 ms  parseRows (src/rows.js:8)',
    '        2  450 ms  250 ms  render (src/render.js:12)',
    '  worker 5: no blocks',
    '    machine: 1 stall, 150 ms (waiting for a CPU: the machine or the container\'s CPU limit, not your code)',
  ].join('\n'))
})

test('the CLI table: rows past the limit are summed up per thread; only a worker blocked: its section alone', () => {
  const summary = new BlockSummary()
  for (let i = 0; i < 4; i++) summary.add(block(100 + i, [frame(`f${i}`, '/app/f.js', i + 1)], resize))
  assert.equal(formatSummaryTable(buildReport(summary, meta, '/app'), 2), [
    'loopwatch: 4 blocks, 406 ms blocked in 10 s (4.1%)',
    '  worker 3 "resize": 4 blocks, 406 ms',
    '    count  total   max     culprit',
    '        1  103 ms  103 ms  f3 (f.js:4)',
    '        1  102 ms  102 ms  f2 (f.js:3)',
    '    ... and 2 more culprits (2 blocks, 201 ms)',
  ].join('\n'))
})

test('the CLI table of the main thread alone has no thread headings', () => {
  const summary = new BlockSummary()
  summary.add(block(300, [render], main))
  assert.equal(formatSummaryTable(buildReport(summary, meta, '/app')), [
    'loopwatch: 1 block, 300 ms blocked in 10 s (3.0%)',
    '  count  total   max     culprit',
    '      1  300 ms  300 ms  render (src/render.js:12)',
  ].join('\n'))
})

test('--json and the HTML page: a worker\'s culprit carries its thread, the main thread\'s none', () => {
  const report = buildReport(threadedSummary(), meta, '/app')
  assert.deepEqual(report.culprits.map((c) => c.thread), [resize, resize, undefined, unnamed])
  assert.equal('thread' in (report.culprits[2] ?? {}), false)
  const page = pageData(report, '/app')
  assert.deepEqual(page.culprits.map((c) => c.thread), ['worker 3 "resize"', 'worker 3 "resize"', undefined, 'worker 5'])
  assert.equal('thread' in (page.culprits[2] ?? {}), false)
  // The label is data for the page's script (escaped there), never raw HTML in the page.
  const evil = new BlockSummary({ timeline: true, profiles: true })
  evil.add(block(300, [render], { id: 2, name: '</script><b>x' }))
  assert.doesNotMatch(renderHtml(buildReport(evil, meta, '/app'), '/app'), /<\/script><b>/)
})

test('an events file with a worker\'s records: its blocks read back with their thread, and are summed per thread', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'loopwatch-threads-'))
  t.after(() => {
    rmSync(dir, { recursive: true, force: true })
  })
  const file = join(dir, 'events.jsonl')
  const base = { type: 'block', pid: 7, threshold: 100, hang: false, samples: 2, profile: [], cause: 'cpu', startup: false }
  writeFileSync(file, [
    { type: 'start', pid: 7, time: 1_000_000, threshold: 100, argv: ['app.js'] },
    // Stack ids are numbered per thread: id 0 is another stack in each.
    { type: 'stack', pid: 7, id: 0, frames: [render] },
    { type: 'stack', pid: 7, thread: 3, id: 0, frames: [parse] },
    { ...base, startTime: 1_000_100, duration: 300, stack: 0 },
    { ...base, startTime: 1_000_500, duration: 400, stack: 0, thread: resize },
    { ...base, startTime: 1_001_000, duration: 350, stack: 0, thread: resize },
  ].map((record) => JSON.stringify(record)).join('\n'))
  const { blocks } = readEventsFile(file)
  assert.deepEqual(blocks.map((b) => [b.event.thread, b.event.stack[0]?.functionName]), [[main, 'render'], [resize, 'parseRows'], [resize, 'parseRows']])
  const summary = new BlockSummary()
  for (const { event } of blocks) summary.add(event)
  assert.deepEqual(summary.summary('/app').map((r) => [r.culprit, r.thread.id, r.count]), [
    ['parseRows (src/rows.js:8)', 3, 2],
    ['render (src/render.js:12)', 0, 1],
  ])
})
