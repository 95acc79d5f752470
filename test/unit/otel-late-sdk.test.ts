import assert from 'node:assert/strict'
import { test } from 'node:test'
import { metrics, trace } from '@opentelemetry/api'
import { MeterProvider, MetricReader, type HistogramMetricData } from '@opentelemetry/sdk-metrics'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import type { BlockEvent } from '../../src/index.js'
import { validateOptions } from '../../src/core/options.js'
import { OtelExtension } from '../../src/otel/otel.js'

class CollectingReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

const block = (id: number): BlockEvent =>
  ({ id, startTime: Date.now() - 500, duration: 250, threshold: 100, thread: { id: 0, name: '' }, hang: false, stack: [], samples: 0, profile: [], cause: 'unknown' })

test('global providers registered after watchLoop() still get the blocks that follow', async (t) => {
  // As with `node --import loopwatch/register app.js`, where the app starts the SDK later.
  const extension = new OtelExtension(validateOptions({ otel: { spans: true } }))
  extension.block(block(1), undefined)

  const reader = new CollectingReader()
  const meterProvider = new MeterProvider({ readers: [reader] })
  const exporter = new InMemorySpanExporter()
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
  assert.ok(metrics.setGlobalMeterProvider(meterProvider))
  assert.ok(trace.setGlobalTracerProvider(tracerProvider))
  t.after(async () => {
    metrics.disable()
    trace.disable()
    await Promise.all([meterProvider.shutdown(), tracerProvider.shutdown()])
  })

  extension.block(block(2), undefined)
  extension.block(block(3), undefined)
  const { resourceMetrics } = await reader.collect()
  const histogram = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === 'loopwatch.block.duration')
  assert.equal((histogram as HistogramMetricData | undefined)?.dataPoints[0]?.value.count, 2)
  // Without a blocked span (the probe did not run), the block span is a root span.
  const spans = exporter.getFinishedSpans()
  assert.equal(spans.length, 2)
  for (const span of spans) {
    assert.equal(span.name, 'loopwatch.block')
    assert.equal(span.parentSpanContext, undefined)
  }
})
