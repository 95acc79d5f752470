import assert from 'node:assert/strict'
import { test } from 'node:test'
import { formatBlock, formatHang, formatMs } from '../../src/report/format.js'
import type { BlockEvent, StackFrame } from '../../src/index.js'

const frame = (functionName: string, file: string, line = 1, internal = false): StackFrame =>
  ({ functionName, file, line, column: 5, internal })

const event = (stack: StackFrame[], duration = 412): BlockEvent =>
  ({ id: 1, startTime: 0, duration, threshold: 100, thread: { id: 0, name: '' }, hang: false, stack, samples: 1, profile: [], cause: 'cpu' })

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

const lib = (functionName: string, pkg: string, line: number): StackFrame =>
  ({ ...frame(functionName, `/app/node_modules/${pkg}/lib/x.js`, line), package: pkg })

test('a deep library stack folds its middle and keeps the library entry, the app frame and its callers', () => {
  const stack = [
    ...Array.from({ length: 30 }, (_, i) => lib(`parse${i}`, 'js-yaml', i + 1)),
    lib('load', 'js-yaml', 106),
    frame('loadSettings', '/app/src/settings.ts', 12),
    frame('listOnTimeout', 'node:internal/timers', 581, true),
    frame('start', '/app/src/main.ts', 3),
    ...Array.from({ length: 6 }, (_, i) => frame(`outer${i}`, '/app/src/main.ts', 10 + i)),
  ]
  const lines = formatBlock(event(stack), '/app').split('\n')
  assert.deepEqual(lines.slice(1), [
    '    at parse0 (node_modules/js-yaml/lib/x.js:1:5)',
    '    at parse1 (node_modules/js-yaml/lib/x.js:2:5)',
    '    at parse2 (node_modules/js-yaml/lib/x.js:3:5)',
    '    at parse3 (node_modules/js-yaml/lib/x.js:4:5)',
    '    at parse4 (node_modules/js-yaml/lib/x.js:5:5)',
    '    (25 js-yaml frames not shown)',
    '    at load (node_modules/js-yaml/lib/x.js:106:5)',
    '    at loadSettings (src/settings.ts:12:5)',
    '    at start (src/main.ts:3:5)',
    '    at outer0 (src/main.ts:10:5)',
    '    at outer1 (src/main.ts:11:5)',
    '    (4 outer frames not shown)',
    '    (1 node internal frame hidden)',
  ])
})

test('frames of several packages fold as "frames"; an app frame within reach is not folded', () => {
  const mixed = [...Array.from({ length: 14 }, (_, i) => lib(`a${i}`, i % 2 ? 'ajv' : 'fast-uri', i)), frame('compile', '/app/c.ts', 5),
    frame('main', '/app/m.ts', 1)]
  assert.match(formatBlock(event(mixed), '/app'), /\(8 frames not shown\)\n {4}at a13 .*\n {4}at compile \(c\.ts:5:5\)\n {4}at main/)
  const near = [...Array.from({ length: 8 }, (_, i) => lib(`a${i}`, 'ajv', i)), frame('compile', '/app/c.ts', 5),
    ...Array.from({ length: 10 }, (_, i) => frame(`o${i}`, '/app/m.ts', i))]
  const lines = formatBlock(event(near), '/app').split('\n')
  assert.equal(lines[9], '    at compile (c.ts:5:5)')
  assert.equal(lines.at(-1), '    (7 outer frames not shown)')
})

test('a source-mapped library frame also names the file on disk', () => {
  const mapped: StackFrame = {
    functionName: 'blockTokens', file: '/app/node_modules/marked/src/Lexer.ts', line: 80, column: 13, internal: false,
    package: 'marked', generated: { file: '/app/node_modules/marked/lib/marked.esm.js', line: 311, column: 20 },
  }
  const app: StackFrame = { ...frame('render', '/app/src/page.ts', 9), generated: { file: '/app/dist/page.js', line: 7, column: 2 } }
  assert.deepEqual(formatBlock(event([mapped, app]), '/app').split('\n').slice(1), [
    '    at blockTokens (node_modules/marked/src/Lexer.ts:80:13, on disk lib/marked.esm.js:311:20)',
    '    at render (src/page.ts:9:5)',
  ])
})

test('a worker hung in Atomics.wait() (piscina\'s atomics: \'sync\' between tasks) is told how to see its tasks\' blocks; the main thread is not', () => {
  const stack = [frame('Atomics.wait', '', 0, true), frame('atomicsWaitLoop', '/app/node_modules/piscina/dist/worker.js', 159)]
  const worker = formatHang(1000, 50, stack, '/app', { id: 2, name: 'pool' })
  assert.match(worker, /^loopwatch: worker 2 "pool": event loop blocked for 1000 ms so far/)
  assert.match(worker, /atomics: 'async', each task's blocks are reported on their own\)$/)
  assert.doesNotMatch(formatHang(1000, 50, stack, '/app'), /Atomics\.wait\(\), and/)
  assert.doesNotMatch(formatHang(1000, 50, [frame('spin', '/app/spin.js', 3)], '/app', { id: 2, name: '' }), /Atomics/)
})
