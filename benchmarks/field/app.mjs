// The field benchmark's server: `node app.mjs <express|fastify> [--ts]`.
// An HTTP server in a real framework, traced by the real OpenTelemetry SDK
// (HTTP instrumentation, in-memory exporters), watched by loopwatch always-on
// with `otel: { spans: true, logs: true }`. It requests each case once, then
// prints one JSON line per case (the block event, the printed report, the
// OTel span event, block span and log record) and the summary() rows.
import { once } from 'node:events'
import { createRequire } from 'node:module'
import { context, trace } from '@opentelemetry/api'
import { logs } from '@opentelemetry/api-logs'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { registerInstrumentations } from '@opentelemetry/instrumentation'
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http'
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { watchLoop } from 'loopwatch'
import { cases as jsCases } from './handlers.mjs'

const [framework = 'express', ...flags] = process.argv.slice(2)
const typed = flags.includes('--ts')
const cases = typed ? (await import('./typed.ts')).typedCases : jsCases
const threshold = Number(process.env.FIELD_THRESHOLD ?? 40)

const spanExporter = new InMemorySpanExporter()
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spanExporter)] })
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
trace.setGlobalTracerProvider(tracerProvider)
const logExporter = new InMemoryLogRecordExporter()
const loggerProvider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter: logExporter })] })
logs.setGlobalLoggerProvider(loggerProvider)
registerInstrumentations({ instrumentations: [new HttpInstrumentation()] })
const require = createRequire(import.meta.url)
// Required after the instrumentation is registered, so that node:http is patched.
const http = require('node:http')

const texts = []
const events = []
const watcher = watchLoop({ threshold, otel: { spans: true, logs: true }, log: (text) => texts.push(text) })
watcher.on('block', (event) => events.push(event))

const handle = (name) => {
  const run = cases[name]
  if (run === undefined) return 404
  run()
  return 200
}
let port
if (framework === 'express') {
  const express = require('express')
  const app = express()
  app.get('/case/:name', (req, res) => {
    const status = handle(req.params.name)
    res.status(status).send('done')
  })
  const server = app.listen(0, '127.0.0.1')
  await once(server, 'listening')
  port = server.address().port
  process.once('beforeExit', () => server.close())
} else {
  const fastify = require('fastify')({ logger: false })
  fastify.get('/case/:name', async (request, reply) => {
    reply.code(handle(request.params.name))
    return 'done'
  })
  await fastify.listen({ port: 0, host: '127.0.0.1' })
  port = fastify.server.address().port
}

function get(path) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume().on('end', () => resolve(res.statusCode))
    }).on('error', reject)
  })
}
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
async function until(check, ms) {
  const deadline = performance.now() + ms
  while (!check() && performance.now() < deadline) await sleep(20)
}

await watcher.ready()
// Loads the framework's lazy code outside the measured requests.
await get('/case/none')
await sleep(200)
const serverSpans = () => spanExporter.getFinishedSpans().filter((s) => s.kind === 1)
for (const name of Object.keys(cases)) {
  const before = { events: events.length, texts: texts.length, spans: serverSpans().length, logs: logExporter.getFinishedLogRecords().length }
  const blockSpansBefore = spanExporter.getFinishedSpans().filter((s) => s.name === 'loopwatch.block').length
  const status = await get(`/case/${name}`)
  await until(() => events.length > before.events && serverSpans().length > before.spans
    && spanExporter.getFinishedSpans().filter((s) => s.name === 'loopwatch.block').length > blockSpansBefore, 5000)
  await sleep(150)
  const event = events.slice(before.events).sort((a, b) => b.duration - a.duration)[0]
  const server = serverSpans()[before.spans]
  // The block span and the log record of this event (others may come from the client's own stalls).
  const ms = ([s, ns]) => s * 1000 + ns / 1e6
  const near = (time) => event !== undefined && Math.abs(ms(time) - event.startTime) < 1
  const blockSpan = spanExporter.getFinishedSpans().find((s) => s.name === 'loopwatch.block' && near(s.startTime))
  const log = logExporter.getFinishedLogRecords().find((r) => near(r.hrTime))
  process.stdout.write(`${JSON.stringify({
    case: name,
    status,
    blocks: events.length - before.events,
    event: event && { duration: event.duration, cause: event.cause, kind: event.kind, stack: event.stack },
    texts: texts.slice(before.texts),
    spanEvent: server?.events.find((e) => e.name === 'loopwatch.block')?.attributes,
    blockSpan: blockSpan?.attributes,
    log: log?.attributes,
  })}\n`)
  await sleep(100)
}
process.stdout.write(`${JSON.stringify({ summary: watcher.summary() })}\n`)
await watcher.stop()
process.exit(0)
