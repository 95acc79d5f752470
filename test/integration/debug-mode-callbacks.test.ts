import assert from 'node:assert/strict'
import { test } from 'node:test'
import { assertDuration, kBlockLine, userFrames } from '../helpers/assert-block.js'
import { fixture, runFixture } from '../helpers/run-fixture.js'

// 20x the fixtures' 30 ms threshold. A block's duration runs 7-19 ms over it
// (the same busy stretch's other work: ~3 ms before, 2-9 ms after, and the
// probes' interrupts), which sat at the 5 % edge of a 300 ms block.
const kBlockMs = 600

// kind -> [Node's resource type, the function and line of block-kinds.mjs that scheduled it]
const kinds: Record<string, [string, string, number]> = {
  timeout: ['Timeout', 'Object.timeout', 16],
  immediate: ['Immediate', 'Object.immediate', 19],
  nextTick: ['TickObject', 'Object.nextTick', 22],
  then: ['PROMISE', 'Object.then', 25],
  afterAwait: ['PROMISE', 'inAsync', 29],
  readFile: ['FSREQCALLBACK', 'Object.readFile', 36],
  httpSync: ['HTTPINCOMINGMESSAGE', 'request', 55],
  httpAsync: ['PROMISE', 'Server.inAsyncHandler', 44],
}

for (const [kind, [type, scheduler, line]] of Object.entries(kinds)) {
  test(`debug mode, ${kind}: one merged event with the callback's type, duration, live stack and scheduling site`, async () => {
    const { code, blockEvents: events } = await runFixture(fixture('block-kinds.mjs'), [kind, String(kBlockMs), 'debug-stacks'])
    assert.equal(code, 0)
    assert.equal(events.length, 1, JSON.stringify(events))
    const [event] = events
    assert.ok(event)
    assert.equal(event.kind, 'callback')
    assert.equal(event.cause, 'wait')
    const { callback } = event
    assert.ok(callback)
    assert.equal(callback.type, type)
    assert.ok(callback.asyncId > 0)
    if (type === 'PROMISE') {
      // Promise reactions are not timed by the hook: their duration is the
      // stall's, which on a loaded machine can include other work.
      assert.ok(callback.duration >= kBlockMs, `duration ${callback.duration} ms is under the block`)
    } else {
      assertDuration({ ...event, duration: callback.duration }, kBlockMs)
    }
    const [first] = userFrames(event)
    assert.equal(first?.functionName, 'blockFor')
    assert.equal(first.line, kBlockLine)
    const [site] = callback.scheduledAt ?? []
    assert.equal(site?.functionName, scheduler)
    assert.equal(site.file, fixture('block-kinds.mjs'))
    assert.equal(site.line, line)
    assert.ok((callback.scheduledAt ?? []).every((frame) => !frame.internal))
  })
}

// Without scheduleStacks the hook leaves promises out (Node >= 22), or runs
// only from the first stall on (Node 20): each kind is still one event with
// its type and a duration of at least the block.
for (const [kind, [type]] of Object.entries(kinds)) {
  test(`debug mode without scheduleStacks, ${kind}: one event with the callback's type and duration, no scheduling stack`, async () => {
    const { code, blockEvents: events } = await runFixture(fixture('block-kinds.mjs'), [kind, String(kBlockMs), 'debug'])
    assert.equal(code, 0)
    assert.equal(events.length, 1, JSON.stringify(events))
    const [event] = events
    assert.equal(event?.kind, 'callback')
    const { callback } = event
    assert.ok(callback)
    assert.equal(callback.type, type)
    assert.ok(type === 'PROMISE' ? callback.asyncId >= 0 : callback.asyncId > 0)
    assert.ok(callback.duration >= kBlockMs, `duration ${callback.duration} ms is under the block`)
    assert.ok(callback.duration <= event.duration)
    assert.equal(callback.scheduledAt, undefined)
    assert.equal(userFrames(event)[0]?.functionName, 'blockFor')
  })
}
