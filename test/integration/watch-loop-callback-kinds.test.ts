import assert from 'node:assert/strict'
import { test } from 'node:test'
import { assertBlamesBlockFor, userFrames } from '../helpers/assert-block.js'
import { fixture, runFixture } from '../helpers/run-fixture.js'

// 20x the fixtures' 30 ms threshold. A block's duration runs 7-19 ms over it
// (the same busy stretch's other work: ~3 ms before, 2-9 ms after, and the
// probes' interrupts), which sat at the 5 % edge of a 300 ms block.
const kBlockMs = 600

// kind -> the function that called blockFor, as V8 names it.
const kinds: Record<string, string> = {
  timeout: 'Timeout.inTimeout',
  immediate: 'Immediate.inImmediate',
  nextTick: 'inNextTick',
  then: 'inThen',
  afterAwait: 'inAsync',
  readFile: 'inReadFile',
  httpSync: 'Server.inHandler',
  httpAsync: 'Server.inAsyncHandler',
}

for (const [kind, caller] of Object.entries(kinds)) {
  test(`a block in a ${kind} callback yields one event naming the blocking function`, async () => {
    const { code, blockEvents: events } = await runFixture(fixture('block-kinds.mjs'), [kind, String(kBlockMs)])
    assert.equal(code, 0)
    assert.equal(events.length, 1, JSON.stringify(events))
    const [event] = events
    assert.ok(event)
    assertBlamesBlockFor(event, kBlockMs)
    assert.equal(userFrames(event)[1]?.functionName, caller)
    assert.ok(event.samples >= 1)
    assert.equal(event.threshold, 30)
    assert.equal(event.hang, false)
  })
}

test('a block in top-level module code, while the watchdog is still starting', async () => {
  const { code, blockEvents: events } = await runFixture(fixture('top-level.mjs'), [String(kBlockMs)])
  assert.equal(code, 0)
  assert.equal(events.length, 1, JSON.stringify(events))
  const [event] = events
  assert.ok(event)
  assertBlamesBlockFor(event, kBlockMs)
})
