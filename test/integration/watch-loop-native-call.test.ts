import assert from 'node:assert/strict'
import { test } from 'node:test'
import { assertDuration, userFrames } from '../helpers/assert-block.js'
import { fixture, runFixture } from '../helpers/run-fixture.js'

test('execSync inside a named function: the event names that function', async () => {
  const { code, events } = await runFixture(fixture('exec-sync.mjs'))
  assert.equal(code, 0)
  assert.equal(events.length, 1)
  const [event] = events
  assert.ok(event)
  const [first] = userFrames(event)
  assert.equal(first?.functionName, 'runSleep')
  assert.equal(first.file, fixture('exec-sync.mjs'))
  assert.equal(first.line, 9)
  // The probe ran only once the native call returned into JavaScript.
  assert.ok(event.stack.some((frame) => frame.functionName === 'execSync' && frame.internal))
  assert.ok(event.duration >= 500)
  assertDuration(event, event.duration)
})
