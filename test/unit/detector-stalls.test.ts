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

test("loopwatch's own work between beats is left out: it is neither a stall nor part of the app's", () => {
  const clock = fakeClock()
  let ownMs = 0
  const detector = createDetector({ thresholdMs: 50, intervalMs: 25, clock, ownMs: () => ownMs })
  // 90 ms of reporting alone: no stall.
  clock.advance(90)
  ownMs += 90
  assert.equal(detector.peek().durationMs, 0)
  assert.equal(detector.beat().stall, undefined)
  // 40 ms of reporting then 30 ms of the app's: 30 ms, under the threshold.
  clock.advance(40)
  ownMs += 40
  clock.advance(30)
  assert.equal(detector.beat().stall, undefined)
  // 40 ms of reporting then the app's 70 ms block: the block alone.
  clock.advance(40)
  ownMs += 40
  clock.advance(70)
  assert.equal(detector.beat().stall?.durationMs, 70)
})
