import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { TimedCallback } from '../../src/debug/async-timing.js'
import { ProbedCallbacks, whatMadeTheBlock } from '../../src/debug/debug-mode.js'

const timed = (type: string, duration: number, asyncId = 7): TimedCallback => ({ type, asyncId, triggerAsyncId: 1, duration })
const window = (top: TimedCallback[]) => ({ top, count: top.length, totalMs: top.reduce((sum, callback) => sum + callback.duration, 0) })
const reaction = { callback: { type: 'PROMISE', asyncId: 0, triggerAsyncId: 0 }, timed: false }

test('a timed callback over the threshold made the block', () => {
  assert.deepEqual(whatMadeTheBlock(620, 30, window([timed('Timeout', 610)]), undefined),
    { kind: 'callback', callback: timed('Timeout', 610) })
})

test('an untimed promise reaction that ran most of the stall beats a short callback stretched past the threshold', () => {
  // A 40 ms Timeout (the process was descheduled in it), then a 600 ms reaction no hook timed.
  assert.deepEqual(whatMadeTheBlock(650, 30, window([timed('Timeout', 40)]), reaction),
    { kind: 'callback', callback: { type: 'PROMISE', asyncId: 0, triggerAsyncId: 0, duration: 610 } })
})

test('the probe\'s callback, when the hook timed it, is the timed one', () => {
  const made = whatMadeTheBlock(620, 30, window([timed('Immediate', 605)]), { callback: { type: 'Immediate', asyncId: 7, triggerAsyncId: 1 }, timed: true })
  assert.deepEqual(made, { kind: 'callback', callback: timed('Immediate', 605) })
})

test('callbacks each under the threshold make a turn; one alone is the callback, with the stall\'s duration', () => {
  const turn = [timed('Immediate', 28, 3), timed('Immediate', 27, 4), timed('Immediate', 26, 5)]
  assert.deepEqual(whatMadeTheBlock(90, 30, window(turn), undefined), { kind: 'turn', callbacks: turn })
  const alone = { callback: { type: 'Timeout', asyncId: 9, triggerAsyncId: 1 }, timed: true }
  assert.deepEqual(whatMadeTheBlock(45, 30, window([timed('Timeout', 20, 9)]), alone),
    { kind: 'callback', callback: { type: 'Timeout', asyncId: 9, triggerAsyncId: 1, duration: 45 } })
  assert.equal(whatMadeTheBlock(45, 30, window([]), undefined), undefined)
})

test('the callback most probes found running is the one that made the block', () => {
  const timeout = { callback: { type: 'Timeout', asyncId: 5, triggerAsyncId: 1 }, timed: true }
  const tally = new ProbedCallbacks()
  // The first probe landed in a Timeout the loaded machine stretched; the next three in the reaction.
  for (const running of [timeout, reaction, reaction, reaction]) tally.add(running)
  assert.deepEqual(tally.mostSeen(), reaction)
  assert.deepEqual(whatMadeTheBlock(650, 30, window([timed('Timeout', 40, 5)]), tally.mostSeen()),
    { kind: 'callback', callback: { type: 'PROMISE', asyncId: 0, triggerAsyncId: 0, duration: 610 } })
  // The callback the probes sampled, with its timed duration, though a longer one ran later in the
  // same stall (unsampled: sampling ends when the sampled callback returns): the callback and the
  // stack the event shows agree.
  assert.deepEqual(whatMadeTheBlock(700, 30, window([timed('Immediate', 500, 9), timed('Timeout', 190, 5)]), timeout),
    { kind: 'callback', callback: timed('Timeout', 190, 5) })
  assert.equal(new ProbedCallbacks().mostSeen(), undefined)
})
