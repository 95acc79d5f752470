import assert from 'node:assert/strict'
import { test } from 'node:test'
import { formatSaturation } from '../../src/report/format.js'
import { SaturationMonitor, summarizeHot } from '../../src/saturation/saturation.js'
import type { StackFrame } from '../../src/watchdog/frames.js'

const f = (functionName: string, file: string, line: number, internal = false): StackFrame =>
  ({ functionName, file, line, column: 1, internal })

const getVersion = f('getPackageVersion', '/app/node_modules/acme-instr/lib/version.js', 14)
const wrap = f('wrapHandler', '/app/node_modules/acme-instr/lib/wrap.js', 3)
const render = f('renderPage', '/app/src/render.ts', 40)

test('hot code: Node internals fold into the API their user caller called; shares add up', () => {
  const { samples, hot } = summarizeHot([
    { stack: [f('read', 'node:fs', 1, true), f('readFileSync', 'node:fs', 2, true), getVersion, wrap], count: 61 },
    { stack: [f('JSON.parse', '', 0, true), { ...getVersion, line: 15 }, wrap], count: 12 },
    { stack: [render, wrap], count: 9 },
    { stack: [f('processTicksAndRejections', 'node:internal/process/task_queues', 1, true)], count: 18 },
  ])
  assert.equal(samples, 100)
  assert.deepEqual(hot.map((h) => [h.frames.map((x) => x.functionName).join(' <- '), h.selfShare]), [
    ['readFileSync <- getPackageVersion <- wrapHandler', 0.61],
    ['processTicksAndRejections', 0.18],
    ['JSON.parse <- getPackageVersion <- wrapHandler', 0.12],
    ['renderPage <- wrapHandler', 0.09],
  ])
  // getPackageVersion is on 73 of the 100 stacks.
  assert.equal(hot[0]?.totalShare, 0.73)
})

test('the report reads like a profile summary', () => {
  const { samples, hot } = summarizeHot([
    { stack: [f('readFileSync', 'node:fs', 2, true), getVersion, wrap], count: 3 },
    { stack: [render], count: 1 },
  ])
  const text = formatSaturation({ startTime: 0, duration: 10_000, utilization: 0.96, samples, blocks: 0, hot }, 100, '/app')
  assert.equal(text, [
    'loopwatch: event loop saturated: 96% busy for 10.0 s, no single block over 100 ms',
    '  hottest code (4 samples):',
    '     75%  readFileSync <- getPackageVersion (node_modules/acme-instr/lib/version.js:14) <- wrapHandler',
    '     25%  renderPage (src/render.ts:40)',
  ].join('\n'))
})

test('the report gives the sampled stretch\'s CPU split, and says when the loop mostly waited for a CPU', () => {
  const { samples, hot } = summarizeHot([{ stack: [render], count: 50 }])
  const event = { startTime: 0, duration: 3000, utilization: 0.99, samples, blocks: 0, hot }
  const ran = formatSaturation({ ...event, cpu: { onCpu: 940, waiting: 45, offCpu: 15 } }, 100, '/app').split('\n')
  assert.equal(ran[1], '  while sampled (1000 ms): on CPU 940 ms, waiting for a CPU 45 ms, off CPU 15 ms')
  const waited = formatSaturation({ ...event, cpu: { onCpu: 310, waiting: 680, offCpu: 10 } }, 100, '/app').split('\n')
  assert.equal(waited[1], '  while sampled (1000 ms): on CPU 310 ms, waiting for a CPU 680 ms, off CPU 10 ms; '
    + 'it mostly waited for a CPU: the machine or the container\'s CPU limit, more than this code')
  assert.equal(waited[2], '  hottest code (50 samples):')
  // Not measured: no line.
  assert.equal(formatSaturation(event, 100, '/app').split('\n')[1], '  hottest code (50 samples):')
})

test('saturation is reported after an unbroken window at or above the level, once, until the loop recovers', () => {
  // Window 1000 ms: utilization is judged per 250 ms bucket of five 50 ms beats.
  const monitor = new SaturationMonitor(0.9, 1000, 60_000)
  let now = 0
  const bucket = (busyPerBeat: number) => {
    let result
    for (let i = 0; i < 5; i++) result = monitor.beat((now += 50), busyPerBeat, 50, false)
    return result
  }
  for (let i = 0; i < 3; i++) assert.equal(bucket(48), undefined)
  const stretch = bucket(48)
  assert.deepEqual(stretch && { ...stretch, busyMs: Math.round(stretch.busyMs) }, { startMs: 0, busyMs: 960, elapsedMs: 1000, blocks: 0 })
  for (let i = 0; i < 10; i++) assert.equal(bucket(48), undefined, 'one report per episode')
  assert.equal(bucket(30), undefined, 'the loop recovers')
  for (let i = 0; i < 3; i++) assert.equal(bucket(50), undefined)
  assert.ok(bucket(50), 'a new episode after recovery')
})

test('a few idle milliseconds in a beat do not end a saturated stretch', () => {
  const monitor = new SaturationMonitor(0.9, 1000)
  let now = 0
  let reported
  for (let i = 0; i < 20; i++) reported ??= monitor.beat((now += 50), i % 5 === 0 ? 40 : 50, 50, false)
  assert.ok(reported)
})

test('a stretch with idle periods is not saturation', () => {
  const monitor = new SaturationMonitor(0.9, 1000)
  let now = 0
  for (let i = 0; i < 100; i++) {
    assert.equal(monitor.beat((now += 50), i % 2 === 0 ? 20 : 50, 50, false), undefined)
  }
})

test('one long block is a block, not saturation; blocks within a saturated stretch neither make nor break it', () => {
  const monitor = new SaturationMonitor(0.9, 1000)
  let now = 0
  // An app's 7 s start-up, measured by one heartbeat.
  assert.equal(monitor.beat((now += 7000), 7000, 7000, true), undefined)
  for (let i = 0; i < 10; i++) assert.equal(monitor.beat((now += 50), 5, 50, false), undefined)
  let reported
  for (let i = 0; i < 30 && reported === undefined; i++) {
    // A saturated loop with a 300 ms block every tenth beat.
    reported = i % 10 === 5 ? monitor.beat((now += 300), 300, 300, true) : monitor.beat((now += 50), 49, 50, false)
  }
  assert.ok(reported)
  assert.equal(reported.blocks, 2)
  assert.equal(reported.elapsedMs, 1000)
})
