import assert from 'node:assert/strict'
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import { EventsWriter, openEventsFile, readEventsFile, writeHangRecord, type EventsRecord } from '../../src/report/events-file.js'
import type { BlockEvent, StackFrame } from '../../src/index.js'
import { buildReport } from '../../src/report/report.js'
import { BlockSummary } from '../../src/report/summary.js'
import { formatSummaryTable } from '../../src/report/text.js'

const spin: StackFrame[] = [{ functionName: 'spin', file: '/app/spin.js', line: 3, column: 1, internal: false }]
const parse: StackFrame[] = [{ functionName: 'parse', file: '/app/parse.js', line: 9, column: 1, internal: false }]

function tempFile(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'loopwatch-events-'))
  t.after(() => {
    rmSync(dir, { recursive: true, force: true })
  })
  const file = join(dir, 'events.jsonl')
  writeFileSync(file, '')
  return file
}

/** A fresh events file, opened, with its writer. */
function openWriter(t: TestContext): { file: string; fd: number; writer: EventsWriter } {
  const file = tempFile(t)
  const fd = openEventsFile(file)
  assert.ok(fd !== undefined)
  return { file, fd, writer: new EventsWriter(fd) }
}

const block = (startTime: number, duration: number, stack: StackFrame[]): BlockEvent =>
  ({ id: 1, startTime, duration, threshold: 50, thread: { id: 0, name: '' }, hang: false, stack, samples: 2, profile: [{ stack, count: 2 }], cause: 'cpu' })

test('saturations round-trip with their hot code and CPU split, into the report and the CLI\'s text', (t) => {
  const { file, writer } = openWriter(t)
  writer.start(50)
  const hot = [{ frames: spin, selfShare: 0.8, totalShare: 0.9 }]
  writer.saturation({ startTime: 1_000_500, duration: 3000, utilization: 0.98, samples: 90, blocks: 0, hot, cpu: { onCpu: 300, waiting: 690, offCpu: 10 } })
  writer.saturation({ startTime: 1_009_000, duration: 2000, utilization: 0.95, samples: 80, blocks: 1, hot })
  writer.close()
  const { saturations } = readEventsFile(file)
  assert.deepEqual(saturations.map(({ event }) => [event.duration, event.hot, event.cpu]), [
    [3000, hot, { onCpu: 300, waiting: 690, offCpu: 10 }],
    [2000, hot, undefined],
  ])
  const report = buildReport(new BlockSummary({ timeline: true, profiles: true }), { command: ['node', 'app.js'], startTime: 1_000_000,
    duration: 20_000, exitCode: 0, signal: null, threshold: 50, processes: 1 }, '/app', saturations)
  assert.deepEqual(report.saturations.map((s) => s.cpu), [{ onCpu: 300, waiting: 690, offCpu: 10 }, undefined])
  assert.match(formatSummaryTable(report), /^ {2}while sampled \(1000 ms\): on CPU 300 ms, waiting for a CPU 690 ms, off CPU 10 ms; it mostly waited for a CPU/m)
})

test('blocks round-trip; each stack is written once per process', (t) => {
  const { file, writer } = openWriter(t)
  writer.start(50)
  writer.block(block(1000, 120, parse), true)
  writer.block({ ...block(2000, 80, parse), cause: 'sync-io' }, false)
  writer.close()
  const { starts, blocks } = readEventsFile(file)
  assert.deepEqual(starts.map((s) => [s.pid, s.threshold]), [[process.pid, 50]])
  assert.deepEqual(blocks.map((b) => [b.event.duration, b.event.stack, b.startup, b.unfinished, b.event.cause]), [
    [120, parse, true, false, 'cpu'],
    [80, parse, false, false, 'sync-io'],
  ])
  assert.deepEqual(blocks[0]?.event.profile, [{ stack: parse, count: 2 }])
})

test('a hang with no block after it was still running at the end: an unfinished block, to the end time for the root process', (t) => {
  const { file, fd, writer } = openWriter(t)
  writer.block(block(Date.now() - 5000, 100, parse), false)
  writeHangRecord(fd, 1000, 50, spin)
  // The same stall reported again, now inside a native call: no stack this time.
  const again: EventsRecord = { type: 'hang', pid: process.pid, startTime: Date.now() - 1000, elapsed: 2000, threshold: 50, stack: [] }
  appendFileSync(file, `${JSON.stringify(again)}\n`)
  const { blocks } = readEventsFile(file)
  const last = blocks.at(-1)
  assert.equal(blocks.length, 2)
  assert.ok(last?.unfinished)
  assert.equal(last.event.duration, 2000)
  assert.deepEqual(last.event.stack, spin)
  assert.equal(last.event.cause, 'cpu')
  const endTime = last.event.startTime + 3000
  assert.equal(readEventsFile(file, { rootPid: process.pid, endTime }).blocks.at(-1)?.event.duration, 3000)
  assert.equal(readEventsFile(file, { rootPid: process.pid + 1, endTime }).blocks.at(-1)?.event.duration, 2000)
})

test('a hang followed by its own block is not unfinished; an earlier block written late does not hide a hang', (t) => {
  const file = tempFile(t)
  const now = Date.now()
  const line = (record: EventsRecord) => {
    appendFileSync(file, `${JSON.stringify(record)}\n`)
  }
  const common = { pid: 42, threshold: 50 }
  line({ type: 'stack', ...common, id: 0, frames: spin })
  // Stall A ended at now-3000; stall B began at now-2000, hang reported at now-800.
  line({ type: 'hang', ...common, startTime: now - 2000, elapsed: 1200, stack: spin })
  line({ type: 'block', ...common, startTime: now - 3100, duration: 100, hang: false, samples: 1, stack: 0, profile: [], startup: false })
  line({ type: 'hang', pid: 43, threshold: 50, startTime: now - 1000, elapsed: 500, stack: spin })
  line({ type: 'block', pid: 43, threshold: 50, startTime: now - 1000, duration: 900, hang: true, samples: 1, stack: -1, profile: [], startup: false })
  appendFileSync(file, '{"type":"block","pid":42,"startTi') // cut short by a kill
  const { blocks } = readEventsFile(file)
  assert.deepEqual(blocks.map((b) => [b.pid, b.unfinished, b.event.duration]), [[42, false, 100], [43, false, 900], [42, true, 1200]])
})

test('a missing file reads as empty; opening a bad path gives undefined, never a throw', () => {
  assert.deepEqual(readEventsFile('/nonexistent/loopwatch/events.jsonl'), { starts: [], blocks: [], saturations: [] })
  assert.equal(openEventsFile('/nonexistent/loopwatch/events.jsonl'), undefined)
})
