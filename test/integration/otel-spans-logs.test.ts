import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { BlockEvent } from '../../src/index.js'
import { assertBlockAttributes, blockEvents, parseDump, type DumpedSpan } from '../helpers/otel.js'
import { fixture, parseEvents, runFixture } from '../helpers/run-fixture.js'

const kBlockMs = 300 // 10x the fixtures' 30 ms threshold
const kInternal = 0 // SpanKind.INTERNAL
const kWarn = 13 // SeverityNumber.WARN

test('spans and logs: a span and a log record per block, parented and correlated with the blocked span', async () => {
  const { code, stdout, stderr, events } = await runFixture(fixture('otel-manual.mjs'), ['spans-logs', String(kBlockMs)])
  assert.equal(code, 0, stderr)
  const dump = parseDump(stdout)
  // In order: in the active span `job`; with no active span; in the span `done`, already ended.
  const blocks = events.filter((e) => e.stack.some((f) => f.functionName === 'renderReport'))
  assert.equal(blocks.length, 3, JSON.stringify(events))
  const job = spanNamed(dump.spans, 'job')
  const done = spanNamed(dump.spans, 'done')

  const blockSpans = dump.spans.filter((s) => s.name === 'loopwatch.block' && s.attributes['code.function.name'] === 'renderReport')
    .sort((a, b) => a.start - b.start)
  assert.equal(blockSpans.length, 3)
  const [inJob, atRoot, inDone] = blockSpans as [DumpedSpan, DumpedSpan, DumpedSpan]
  for (const [i, span] of blockSpans.entries()) {
    const block = blocks[i] as BlockEvent
    assert.equal(span.kind, kInternal)
    assert.equal(span.scope, 'loopwatch')
    assertBlockAttributes(span.attributes, kBlockMs)
    assert.equal(span.attributes['loopwatch.block.duration'], block.duration / 1000)
    // Back-dated: the span covers the block.
    assert.ok(Math.abs(span.start - block.startTime) < 0.01, `span starts at ${span.start}, block at ${block.startTime}`)
    assert.ok(Math.abs(span.end - span.start - block.duration) < 0.01)
  }
  assert.equal(inJob.parentSpanId, job.spanId)
  assert.equal(inJob.traceId, job.traceId)
  assert.equal(atRoot.parentSpanId, undefined)
  assert.notEqual(atRoot.traceId, job.traceId)
  assert.notEqual(atRoot.traceId, done.traceId)
  // The span that had ended is a parent still: the block is not lost.
  assert.equal(inDone.parentSpanId, done.spanId)
  assert.equal(inDone.traceId, done.traceId)

  // The span event is on the live span only; the ended one could not take it.
  assert.equal(job.events.filter((e) => e.name === 'loopwatch.block').length, 1)
  assert.deepEqual(done.events, [])

  const records = dump.logs.filter((r) => r.attributes['code.function.name'] === 'renderReport').sort((a, b) => a.time - b.time)
  assert.equal(records.length, 3)
  for (const [i, record] of records.entries()) {
    const block = blocks[i] as BlockEvent
    assert.equal(record.eventName, 'loopwatch.block')
    assert.equal(record.scope, 'loopwatch')
    assert.equal(record.severityNumber, kWarn)
    assert.equal(record.severityText, 'WARN')
    assert.match(String(record.body), /^event loop blocked for \d+ ms \(threshold 30 ms\) in renderReport \(.*otel-sdk\.mjs:\d+:\d+\)$/)
    assertBlockAttributes(record.attributes, kBlockMs)
    assert.ok(Math.abs(record.time - block.startTime) < 0.01, `record at ${record.time}, block at ${block.startTime}`)
  }
  const [jobRecord, rootRecord, doneRecord] = records as [(typeof records)[number], (typeof records)[number], (typeof records)[number]]
  assert.deepEqual([jobRecord.traceId, jobRecord.spanId], [job.traceId, job.spanId])
  assert.deepEqual([rootRecord.traceId, rootRecord.spanId], [undefined, undefined])
  assert.deepEqual([doneRecord.traceId, doneRecord.spanId], [done.traceId, done.spanId])
  assert.doesNotMatch(stderr, /LOOPWATCH_/)
  assert.equal(blockEvents(dump).filter(({ event }) => event.attributes['code.function.name'] === 'renderReport').length, 1)
})

test('a block in a span that had already ended, with neither spans nor logs on: counted, and a warning says how to record it', async () => {
  const { code, stdout, stderr } = await runFixture(fixture('otel-manual.mjs'), ['ended', String(kBlockMs)])
  assert.equal(code, 0, stderr)
  const dump = parseDump(stdout)
  const events = parseEvents(stdout.slice(0, stdout.indexOf('{"otel":')))
  assert.ok(events.some((e) => e.stack.some((f) => f.functionName === 'renderReport')))
  assert.deepEqual(spanNamed(dump.spans, 'done').events, [])
  const histogram = dump.metrics.find((m) => m.name === 'loopwatch.block.duration')
  assert.equal(histogram?.dataPoints.reduce((n, p) => n + p.value.count, 0), events.length)
  const warnings = stderr.match(/\[LOOPWATCH_OTEL_SPAN_ENDED\] Warning: loopwatch: a block ran in a span that had already ended.*Set `otel\.spans: true` or `otel\.logs: true`/g)
  assert.equal(warnings?.length, 1, stderr)
})

function spanNamed(spans: DumpedSpan[], name: string): DumpedSpan {
  const found = spans.filter((s) => s.name === name)
  assert.equal(found.length, 1, `spans named ${name}: ${JSON.stringify(spans)}`)
  return found[0] as DumpedSpan
}
