import assert from 'node:assert/strict'
import { test } from 'node:test'
import { formatBlock, formatMs } from '../../src/report/format.js'
import type { BlockEvent, StackFrame } from '../../src/index.js'

const frame = (functionName: string, file: string, line = 1, internal = false): StackFrame =>
  ({ functionName, file, line, column: 5, internal })

const event = (stack: StackFrame[], duration = 412): BlockEvent =>
  ({ id: 1, startTime: 0, duration, threshold: 100, hang: false, stack, samples: 1, profile: [], cause: 'cpu' })

test('the report leads with the native call, then user frames, relative to cwd, internals counted', () => {
  const text = formatBlock(event([
    frame('JSON.parse', '', 0, true),
    frame('parseReport', '/app/src/report.ts', 12),
    frame('listOnTimeout', 'node:internal/timers', 581, true),
    frame('handleRequest', '/app/src/server.ts', 40),
    frame('processTimers', 'node:internal/timers', 519, true),
  ]), '/app')
  assert.equal(text, [
    'loopwatch: event loop blocked for 412 ms (threshold 100 ms, cause: cpu)',
    '    at JSON.parse (native)',
    '    at parseReport (src/report.ts:12:5)',
    '    at handleRequest (src/server.ts:40:5)',
    '    (2 node internal frames hidden)',
  ].join('\n'))
})

test('files outside cwd keep their absolute path; long stacks are cut', () => {
  const stack = Array.from({ length: 20 }, (_, i) => frame(`f${i}`, '/lib/x.js', i + 1))
  const lines = formatBlock(event(stack), '/app').split('\n')
  assert.equal(lines[1], '    at f0 (/lib/x.js:1:5)')
  assert.equal(lines.at(-1), '    (8 outer frames not shown)')
})

test('a block without samples says so, and an unknown cause is not shown', () => {
  const text = formatBlock({ ...event([]), cause: 'unknown' })
  assert.match(text, /^loopwatch: event loop blocked for 412 ms \(threshold 100 ms\)\n {4}\(no stack: the watchdog could not sample the main thread during the block\)$/)
})

test('debug mode: the callback, where it blocked and where it was scheduled', () => {
  const text = formatBlock({
    ...event([frame('crunch', '/app/src/stats.ts', 88)], 212),
    threshold: 50,
    kind: 'callback',
    callback: { type: 'Timeout', asyncId: 7, triggerAsyncId: 1, duration: 212, scheduledAt: [frame('startRefreshLoop', '/app/src/cache.ts', 12)] },
  }, '/app')
  assert.equal(text, [
    'loopwatch: Timeout callback took 212 ms (threshold 50 ms, cause: cpu)',
    '  blocked in:',
    '    at crunch (src/stats.ts:88:5)',
    '  scheduled at:',
    '    at startRefreshLoop (src/cache.ts:12:5)',
  ].join('\n'))
})

test('debug mode: a turn lists its longest callbacks', () => {
  const text = formatBlock({
    ...event([frame('step', '/app/src/job.ts', 3)], 300),
    kind: 'turn',
    callbacks: [{ type: 'Immediate', asyncId: 9, triggerAsyncId: 1, duration: 31, scheduledAt: [frame('main', '/app/src/job.ts', 9)] }],
  }, '/app')
  assert.match(text, /^loopwatch: event loop blocked for 300 ms by several callbacks in one loop turn \(threshold 100 ms, cause: cpu\)\n {2}longest callbacks:\n {6}31 ms {2}Immediate, scheduled at main \(src\/job\.ts:9:5\)\n {2}blocked in:\n {4}at step/)
})

test('durations read as ms, s, then minutes', () => {
  assert.deepEqual([formatMs(412.4), formatMs(12_345), formatMs(312_000)], ['412 ms', '12.3 s', '5 m 12 s'])
})
