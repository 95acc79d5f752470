import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { BlockEvent } from '../../src/index.js'
import { blockEvents, parseDump } from '../helpers/otel.js'
import { fixture, parseEvents, runFixture } from '../helpers/run-fixture.js'

const kBlockMs = 300 // 10x the fixtures' 30 ms threshold

test('after three blocks the loopwatch.block.duration histogram holds count 3, with sums matching the events', async () => {
  const { code, stdout, stderr } = await runFixture(fixture('otel-manual.mjs'), ['metrics', String(kBlockMs)])
  assert.equal(code, 0, stderr)
  const dump = parseDump(stdout)
  // The blocks emitted between the start of the meter provider (after watchLoop()
  // and the fixture's warm-up) and the collection.
  const started = stdout.indexOf('{"metricsStarted":true}')
  assert.ok(started > 0)
  const events = parseEvents(stdout.slice(started, stdout.indexOf('{"otel":')))
  const metrics = dump.metrics.filter((m) => m.name === 'loopwatch.block.duration')
  assert.equal(metrics.length, 1)
  const [metric] = metrics as [(typeof metrics)[number]]
  assert.equal(metric.scope, 'loopwatch')
  assert.equal(metric.unit, 's')
  // Low cardinality only: no code location, no durations, in the attributes.
  for (const point of metric.dataPoints) {
    for (const key of Object.keys(point.attributes)) assert.ok(['loopwatch.block.hang', 'loopwatch.block.cause'].includes(key), key)
  }
  // Every block is counted: the three of renderReport (and any stall a loaded machine adds).
  const ours = events.filter((e) => e.stack.some((f) => f.functionName === 'renderReport'))
  assert.equal(ours.length, 3, JSON.stringify(events))
  const count = metric.dataPoints.reduce((sum, p) => sum + p.value.count, 0)
  const sum = metric.dataPoints.reduce((total, p) => total + p.value.sum, 0)
  assert.equal(count, events.length)
  assertClose(sum, seconds(events))
  // The three blocks (Atomics.wait: cause `wait`) fell in the (0.25 s, 0.5 s] bucket.
  const waits = metric.dataPoints.filter((p) => p.attributes['loopwatch.block.hang'] === false && p.attributes['loopwatch.block.cause'] === 'wait')
  assert.equal(waits.length, 1)
  const [{ value }] = waits as [(typeof waits)[number]]
  assert.deepEqual(value.buckets.boundaries, [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60])
  assert.ok(value.min >= 0.03)
  assert.ok((value.buckets.counts[5] ?? 0) >= 3, JSON.stringify(value.buckets))
  assert.equal(value.buckets.counts.reduce((a, b) => a + b, 0), value.count)

  // The span events say the same: one per job, their durations summing to the blocks'.
  const onSpans = blockEvents(dump).filter(({ span }) => span.name.startsWith('job-'))
  assert.deepEqual(onSpans.map(({ span }) => span.name).sort(), ['job-1', 'job-2', 'job-3'])
  const spanSeconds = onSpans.reduce((sum, { event }) => sum + (event.attributes['loopwatch.block.duration'] as number), 0)
  assertClose(spanSeconds, seconds(ours))
})

function seconds(events: BlockEvent[]): number {
  return events.reduce((sum, e) => sum + e.duration / 1000, 0)
}

function assertClose(actual: number, expected: number): void {
  assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} != ${expected}`)
}
