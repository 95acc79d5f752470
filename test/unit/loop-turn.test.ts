import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isTurn } from '../../src/core/watch-loop.js'

const event = { duration: 250, threshold: 50 }
const oneCallback = { callbacks: 1, topCallbackSamples: 1, samples: 1 }

test('always-on turn: the probed callback returned before the stall was a threshold old', () => {
  assert.equal(isTurn({ ...oneCallback, sealedAtMs: 40, firstSampleAtMs: 38 }, event), true)
})

test('always-on turn: a late probe in one ~5 ms request of a loaded server, the loop busy long after it returned', () => {
  // Seen running 3 ms (from 96 to 99 ms), then 151 ms more of other callbacks.
  assert.equal(isTurn({ ...oneCallback, sealedAtMs: 99, firstSampleAtMs: 96 }, event), true)
})

test('a long callback is its own block: it ran until the stall (nearly) ended, or longer than what followed it', () => {
  assert.equal(isTurn({ ...oneCallback, sealedAtMs: 248, firstSampleAtMs: 45 }, event), false)
  // 155 ms seen running, then 60 ms of short callbacks.
  assert.equal(isTurn({ ...oneCallback, sealedAtMs: 190, firstSampleAtMs: 35 }, event), false)
  // Less than half a threshold after it: the next heartbeat's lateness on a busy machine.
  assert.equal(isTurn({ ...oneCallback, sealedAtMs: 230, firstSampleAtMs: 228 }, event), false)
  // The stall ended before the callback returned (or no probe ran).
  assert.equal(isTurn(oneCallback, event), false)
})

test('always-on turn: samples in several callbacks, none with two thirds of them', () => {
  assert.equal(isTurn({ callbacks: 3, topCallbackSamples: 2, samples: 5 }, event), true)
  assert.equal(isTurn({ callbacks: 2, topCallbackSamples: 4, samples: 5 }, event), false)
})
