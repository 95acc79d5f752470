import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fixture, runFixture } from '../helpers/run-fixture.js'

test('debug mode: ten 30 ms callbacks in one turn are one block of kind "turn" listing them', async () => {
  const { code, blockEvents: events } = await runFixture(fixture('turn.mjs'), ['debug'])
  assert.equal(code, 0)
  assert.equal(events.length, 1, JSON.stringify(events))
  const [event] = events
  assert.ok(event)
  assert.equal(event.kind, 'turn')
  assert.ok(event.duration >= 300)
  const callbacks = event.callbacks ?? []
  assert.equal(callbacks.length, 5)
  for (const callback of callbacks) {
    assert.equal(callback.type, 'Immediate')
    assert.ok(callback.duration >= 30 && callback.duration < event.threshold, String(callback.duration))
    assert.equal(callback.scheduledAt?.[0]?.functionName, 'Timeout.scheduleTurn')
  }
})

test('always-on mode sees the same turn as one block of several callbacks, blamed on none of them', async () => {
  const { blockEvents: events } = await runFixture(fixture('turn.mjs'), ['plain'])
  assert.equal(events.length, 1)
  const event = events[0] ?? assert.fail('no block event')
  assert.ok(event.duration >= 300)
  // Ten 30 ms callbacks against a 100 ms threshold: none blocked alone.
  assert.equal(event.kind, 'turn')
  assert.ok((event.callbacksSampled ?? 0) >= 1, JSON.stringify(event))
  assert.equal(event.callback, undefined)
})
