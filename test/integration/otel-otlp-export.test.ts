import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import { gunzipSync } from 'node:zlib'
import { kRenderReportLine } from '../helpers/otel.js'
import { fixture, runFixture } from '../helpers/run-fixture.js'

const kBlockMs = 300 // 10x the fixture's 30 ms threshold

interface KeyValue { key: string; value: Record<string, unknown> }
interface OtlpSpan {
  name: string
  traceId: string
  spanId: string
  events?: { name: string; timeUnixNano: string | number; attributes?: KeyValue[] }[]
}
interface OtlpRequest { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] }

test('end to end: the OTLP/HTTP trace exporter delivers the span with its loopwatch.block event to a receiver', async (t) => {
  const requests: { contentType: string | undefined; body: OtlpRequest }[] = []
  const receiver = createServer((req, res) => {
    void readBody(req).then((body) => {
      requests.push({ contentType: req.headers['content-type'], body: JSON.parse(body.toString('utf8')) as OtlpRequest })
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
    })
  })
  receiver.listen(0, '127.0.0.1')
  await once(receiver, 'listening')
  t.after(() => receiver.close())
  const { port } = receiver.address() as AddressInfo

  const { code, stderr, events } = await runFixture(fixture('otel-otlp.cjs'), [String(kBlockMs)], {
    env: { OTLP_URL: `http://127.0.0.1:${port}/v1/traces` },
  })
  assert.equal(code, 0, stderr)
  const block = events.find((e) => e.stack.some((f) => f.functionName === 'renderReport'))
  assert.ok(block, JSON.stringify(events))

  assert.ok(requests.length >= 1, 'the receiver got nothing')
  for (const { contentType } of requests) assert.equal(contentType, 'application/json')
  const spans = requests.flatMap(({ body }) => body.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)))
  const checkout = spans.filter((s) => s.name === 'checkout')
  assert.equal(checkout.length, 1, JSON.stringify(spans))
  const blockEvents = (checkout[0]?.events ?? []).filter((e) => e.name === 'loopwatch.block')
  assert.equal(blockEvents.length, 1)
  const [event] = blockEvents as [NonNullable<OtlpSpan['events']>[number]]
  assert.ok(Math.abs(Number(BigInt(event.timeUnixNano) / 1000n) / 1000 - block.startTime) < 1)

  const attributes = Object.fromEntries((event.attributes ?? []).map(({ key, value }) => [key, value]))
  const duration = attributes['loopwatch.block.duration']?.['doubleValue']
  assert.equal(typeof duration, 'number')
  assert.ok((duration as number) >= kBlockMs / 1000)
  assert.deepEqual(attributes['loopwatch.block.threshold'], { doubleValue: 0.03 })
  assert.deepEqual(attributes['loopwatch.block.hang'], { boolValue: false })
  assert.deepEqual(attributes['code.function.name'], { stringValue: 'renderReport' })
  assert.deepEqual(attributes['code.file.path'], { stringValue: fixture('otel-sdk.mjs') })
  assert.deepEqual(attributes['code.line.number'], { intValue: kRenderReportLine })
  assert.ok(Number(attributes['code.column.number']?.['intValue']) > 0)
  assert.match(String(attributes['code.stacktrace']?.['stringValue']), /\n {4}at Timeout\.inTimer \(.*otel-otlp\.cjs:\d+:\d+\)/)
})

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  const body = Buffer.concat(chunks)
  return req.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body
}
