import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { fixture } from './run-fixture.js'

type Attributes = Record<string, unknown>

export interface DumpedSpan {
  name: string
  kind: number
  traceId: string
  spanId: string
  parentSpanId?: string
  scope: string
  /** Epoch ms. */
  start: number
  end: number
  attributes: Attributes
  events: { name: string; time: number; attributes: Attributes }[]
}

export interface DumpedMetric {
  scope: string
  name: string
  unit: string
  description: string
  dataPoints: {
    attributes: Attributes
    value: { count: number; sum: number; min: number; max: number; buckets: { boundaries: number[]; counts: number[] } }
  }[]
}

export interface DumpedLog {
  eventName?: string
  body?: unknown
  severityNumber?: number
  severityText?: string
  time: number
  attributes: Attributes
  traceId?: string
  spanId?: string
  scope: string
}

export interface OtelDump {
  spans: DumpedSpan[]
  metrics: DumpedMetric[]
  logs: DumpedLog[]
}

/** The line otel-sdk.mjs printed with everything the SDK recorded. */
export function parseDump(stdout: string): OtelDump {
  const line = stdout.split('\n').find((l) => l.startsWith('{"otel":'))
  assert.ok(line, `no OpenTelemetry dump in stdout:\n${stdout}`)
  return (JSON.parse(line) as { otel: OtelDump }).otel
}

/** The line of renderReport()'s Atomics.wait in fixtures/otel-sdk.mjs. */
export const kRenderReportLine =
  readFileSync(fixture('otel-sdk.mjs'), 'utf8').split('\n').findIndex((l) => l.includes('// BLOCKS_HERE')) + 1

/** Every `loopwatch.block` span event, with the span that carries it. */
export function blockEvents(dump: OtelDump): { span: DumpedSpan; event: DumpedSpan['events'][number] }[] {
  return dump.spans.flatMap((span) => span.events.filter((e) => e.name === 'loopwatch.block').map((event) => ({ span, event })))
}

/**
 * Asserts the attributes loopwatch puts on span events, block spans and log
 * records, for a block of at least `blockMs` in renderReport() with the
 * fixtures' 30 ms threshold.
 */
export function assertBlockAttributes(attributes: Attributes, blockMs: number): void {
  const duration = attributes['loopwatch.block.duration']
  assert.equal(typeof duration, 'number')
  assert.ok((duration as number) >= blockMs / 1000, `loopwatch.block.duration ${String(duration)} s is under ${blockMs} ms`)
  assert.equal(attributes['loopwatch.block.threshold'], 0.03)
  assert.equal(attributes['loopwatch.block.hang'], false)
  assert.equal(attributes['code.function.name'], 'renderReport')
  assert.equal(attributes['code.file.path'], fixture('otel-sdk.mjs'))
  assert.equal(attributes['code.line.number'], kRenderReportLine)
  assert.equal(typeof attributes['code.column.number'], 'number')
  assert.ok((attributes['code.column.number'] as number) > 0)
  const stacktrace = attributes['code.stacktrace']
  assert.equal(typeof stacktrace, 'string')
  const lines = (stacktrace as string).split('\n')
  assert.ok(lines.includes(`    at renderReport (${fixture('otel-sdk.mjs')}:${kRenderReportLine}:${String(attributes['code.column.number'])})`),
    stacktrace as string)
  for (const line of lines) assert.match(line, /^ {4}(at \S.* \(.+\)|\.\.\. \d+ more frames?)$/)
  assert.ok((stacktrace as string).length <= 4096)
  for (const deprecated of ['code.function', 'code.filepath', 'code.lineno', 'code.column']) {
    assert.equal(attributes[deprecated], undefined, `deprecated attribute ${deprecated} is set`)
  }
}
