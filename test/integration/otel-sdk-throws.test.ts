import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fixture, runFixture } from '../helpers/run-fixture.js'

const kBlockMs = 300 // 10x the fixture's 30 ms threshold

test('an OpenTelemetry SDK that throws becomes warnings: the events, their stacks and the app carry on', async () => {
  const { code, stdout, stderr, events } = await runFixture(fixture('otel-throws.mjs'), [String(kBlockMs)])
  assert.equal(code, 0, stderr)
  const blocks = events.filter((e) => e.stack.some((f) => f.functionName === 'renderReport'))
  assert.equal(blocks.length, 3, JSON.stringify(events))
  // The spans still end, once each, through loopwatch's wrapper as well.
  const lines = stdout.split('\n').filter((l) => l.startsWith('{"ended"') || l.startsWith('{"alive"'))
  assert.deepEqual(lines, ['{"ended":"published"}', '{"ended":"inside"}', '{"alive":true}'])
  const warnings = (what: string) => stderr.split('\n').filter((l) => l.includes('[LOOPWATCH_OTEL_FAILED]') && l.includes(what))
  // Once per kind of failure, however many blocks hit it.
  assert.equal(warnings('recording the block duration: Error: record boom').length, 1, stderr)
  assert.equal(warnings('recording a block span: Error: startSpan boom').length, 1, stderr)
  assert.equal(warnings('emitting a block log record: Error: emit boom').length, 1, stderr)
  assert.equal(warnings('adding a block event to the span: Error: addEvent boom').length, 1, stderr)
  assert.equal(warnings('adding a block event to an ending span: Error: addEvent boom').length, 1, stderr)
  assert.equal(warnings('reading the blocked span: Error: isRecording boom').length, 1, stderr)
  assert.doesNotMatch(stderr, /LOOPWATCH_LISTENER_FAILED|Uncaught|at process\.processTicksAndRejections/)
})
