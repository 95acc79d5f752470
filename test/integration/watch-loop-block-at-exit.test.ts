import assert from 'node:assert/strict'
import { test } from 'node:test'
import { assertBlamesBlockFor } from '../helpers/assert-block.js'
import { fixture, runFixture } from '../helpers/run-fixture.js'

const kBlockMs = 600 // 20x the fixture's threshold (see watch-loop-callback-kinds.test.ts)

test('a block right before process.exit() is still reported, with its stack, and the exit code is kept', async () => {
  const { code, blockEvents: events, stderr } = await runFixture(fixture('block-at-exit.mjs'), ['exit'])
  assert.equal(code, 3, stderr)
  assert.equal(events.length, 1, JSON.stringify(events))
  const [event] = events
  assert.ok(event)
  assertBlamesBlockFor(event, kBlockMs)
  assert.equal(stderr, '')
})

test('a block right before the loop runs dry is still reported', async () => {
  const { code, blockEvents: events } = await runFixture(fixture('block-at-exit.mjs'), ['drain'])
  assert.equal(code, 0)
  assert.equal(events.length, 1, JSON.stringify(events))
  const [event] = events
  assert.ok(event)
  assertBlamesBlockFor(event, kBlockMs)
})

test('a worker thread that calls process.exit() right after a block reports it, with its stack', async () => {
  const { code, blockEvents: events, stderr } = await runFixture(fixture('block-at-exit.mjs'), ['worker'])
  assert.equal(code, 0)
  assert.equal(events.length, 1, JSON.stringify(events))
  const [event] = events
  assert.ok(event && event.duration >= kBlockMs)
  assert.ok(event.thread.id > 0, JSON.stringify(event.thread))
  assert.equal(event.stack.find((frame) => !frame.internal)?.functionName, 'blockFor')
  // The printed report names the worker.
  assert.match(stderr, /^loopwatch: worker \d+(?: "[^"]*")?: event loop blocked for \d+ ms/m)
})
