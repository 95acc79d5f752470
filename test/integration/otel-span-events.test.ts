import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { BlockEvent } from '../../src/index.js'
import { assertBlockAttributes, blockEvents, parseDump, type DumpedSpan, type OtelDump } from '../helpers/otel.js'
import { fixture, runFixture } from '../helpers/run-fixture.js'

const kBlockMs = 300 // 10x the fixtures' 30 ms threshold
const kServer = 1 // SpanKind.SERVER
const kHeartbeatMs = 15 // the heartbeat period at the fixtures' 30 ms threshold

function serverSpan(dump: OtelDump, path: string): DumpedSpan {
  const spans = dump.spans.filter((s) => s.kind === kServer && (s.attributes['url.path'] ?? s.attributes['http.target']) === path)
  assert.equal(spans.length, 1, `server spans for ${path}: ${JSON.stringify(dump.spans)}`)
  return spans[0] as DumpedSpan
}

/**
 * The block of renderReport(): exactly one, whatever else the loaded machine
 * stalled on (a 30 ms threshold also catches a slow start-up).
 */
function theBlock(events: BlockEvent[]): BlockEvent {
  const ours = events.filter((e) => e.stack.some((f) => f.functionName === 'renderReport'))
  assert.equal(ours.length, 1, JSON.stringify(events))
  return ours[0] as BlockEvent
}

/**
 * `span` carries exactly one loopwatch.block event: the block's, at its start, with every attribute.
 *
 * An event added as the span ended, during the block, read the block's start then; the
 * block event's start, measured at the next heartbeat as "now minus busy time", comes
 * out later by whatever time the loop idled before that heartbeat (up to a period).
 */
function assertOneEventOn(span: DumpedSpan, block: BlockEvent, path: 'published' | 'ending'): void {
  const events = span.events.filter((e) => e.name === 'loopwatch.block')
  assert.equal(events.length, 1, `loopwatch.block events on ${span.name}: ${JSON.stringify(span.events)}`)
  const [event] = events as [DumpedSpan['events'][number]]
  assertBlockAttributes(event.attributes, kBlockMs)
  // The main thread's block: thread.id 0, and no thread.name (it has none).
  assert.equal(event.attributes['thread.id'], 0)
  assert.equal('thread.name' in event.attributes, false)
  const message = `event at ${event.time}, block started at ${block.startTime}`
  if (path === 'published') assert.ok(Math.abs(event.time - block.startTime) < 0.01, message)
  else assert.ok(event.time <= block.startTime + 0.01 && event.time > block.startTime - kHeartbeatMs - 5, message)
}

/** No other span names renderReport. */
function assertOnlyOn(dump: OtelDump, span: DumpedSpan): void {
  const carriers = blockEvents(dump).filter(({ event }) => event.attributes['code.function.name'] === 'renderReport')
  assert.deepEqual(carriers.map((c) => c.span.spanId), [span.spanId])
}

for (const mode of ['sync', 'await'] as const) {
  test(`HTTP (${mode} handler): the blocked request's server span carries one loopwatch.block event, the next request's none`, async () => {
    const { code, stdout, stderr, events } = await runFixture(fixture('otel-http.mjs'), [mode, String(kBlockMs)])
    assert.equal(code, 0, stderr)
    const dump = parseDump(stdout)
    const slow = serverSpan(dump, '/slow')
    // The instrumentation ends the span on the response's 'close', before the block is published.
    assertOneEventOn(slow, theBlock(events), 'ending')
    assertOnlyOn(dump, slow)
    assert.deepEqual(serverSpan(dump, '/fast').events, [])
  })
}

test('a block in a setTimeout started inside a manual span lands on that span; a quiet span gets nothing', async () => {
  const { code, stdout, stderr, events } = await runFixture(fixture('otel-manual.mjs'), ['timeout', String(kBlockMs)])
  assert.equal(code, 0, stderr)
  const dump = parseDump(stdout)
  const job = dump.spans.find((s) => s.name === 'job')
  assert.ok(job)
  const block = theBlock(events)
  assertOneEventOn(job, block, 'published')
  assertOnlyOn(dump, job)
  // Added when the block was published: the event says exactly what the block event says.
  assert.equal(job.events[0]?.attributes['loopwatch.block.duration'], block.duration / 1000)
  assert.deepEqual(dump.spans.find((s) => s.name === 'quiet')?.events, [])
  assert.doesNotMatch(stderr, /LOOPWATCH_/)
})

test('a span that ends inside the very callback that blocked still carries the event, with the block duration', async () => {
  const { code, stdout, stderr, events } = await runFixture(fixture('otel-manual.mjs'), ['end-inside', String(kBlockMs)])
  assert.equal(code, 0, stderr)
  const dump = parseDump(stdout)
  const job = dump.spans.find((s) => s.name === 'job')
  assert.ok(job)
  const block = theBlock(events)
  assertOneEventOn(job, block, 'ending')
  assertOnlyOn(dump, job)
  // Recorded as the span ended, inside the block: the duration so far, at most the final one.
  const [event] = job.events as [DumpedSpan['events'][number]]
  const seconds = event.attributes['loopwatch.block.duration'] as number
  assert.ok(seconds <= block.duration / 1000, `${seconds} s on the span, ${block.duration} ms in the event`)
  assert.ok(job.end >= event.time + kBlockMs, 'the span ended after the block')
  assert.doesNotMatch(stderr, /LOOPWATCH_/)
})
