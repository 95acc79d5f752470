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

test('always-on mode sees the same turn as one block', async () => {
  const { blockEvents: events } = await runFixture(fixture('turn.mjs'), ['plain'])
  assert.equal(events.length, 1)
  assert.ok((events[0]?.duration ?? 0) >= 300)
  assert.equal(events[0]?.kind, undefined)
})
