import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createDetector, heartbeatInterval } from '../../src/core/detector.js'
import { fakeClock } from '../helpers/fake-clock.js'

test('reports a stall when the loop was busy longer than the threshold between beats', () => {
  const clock = fakeClock()
  const detector = createDetector({ thresholdMs: 50, intervalMs: 25, clock })
  clock.sleep(5)
  clock.advance(120)
  const beat = detector.beat()
  assert.deepEqual(beat.stall, { startMs: 1005, durationMs: 120 })
  assert.equal(beat.delayMs, 100)
})

test('idle time between beats is not counted: a block that starts mid-period is measured whole', () => {
  const clock = fakeClock()
  const detector = createDetector({ thresholdMs: 50, intervalMs: 25, clock })
  clock.sleep(24)
  clock.advance(80)
  assert.equal(detector.beat().stall?.durationMs, 80)
})

test('no stall at or under the threshold, and none for an idle loop', () => {
  const clock = fakeClock()
  const detector = createDetector({ thresholdMs: 50, intervalMs: 25, clock })
  clock.advance(50)
  assert.equal(detector.beat().stall, undefined)
  clock.sleep(500)
  assert.equal(detector.beat().stall, undefined)
})

test('each beat measures from the previous one', () => {
  const clock = fakeClock()
  const detector = createDetector({ thresholdMs: 50, intervalMs: 25, clock })
  clock.advance(60)
  assert.equal(detector.beat().stall?.durationMs, 60)
  clock.sleep(25)
  assert.equal(detector.beat().stall, undefined)
  clock.advance(30)
  clock.sleep(1)
  clock.advance(30)
  assert.equal(detector.beat().stall?.durationMs, 60)
})

test('the heartbeat is half the threshold, between 1 and 50 ms', () => {
  assert.equal(heartbeatInterval(100), 50)
  assert.equal(heartbeatInterval(30), 15)
  assert.equal(heartbeatInterval(1000), 50)
  assert.equal(heartbeatInterval(1), 1)
})
