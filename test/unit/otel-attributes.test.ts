import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { BlockEvent, StackFrame } from '../../src/index.js'
import { FrameResolver } from '../../src/watchdog/frames.js'
import {
  blockAttributes, blockSummary, factsOf, formatStacktrace, kMaxStacktraceChars, kMaxStacktraceFrames, metricAttributes,
} from '../../src/otel/attributes.js'

const frame = (functionName: string, file: string, line = 10, column = 5, internal = false): StackFrame =>
  ({ functionName, file, line, column, internal })

const stack = [
  frame('JSON.parse', '', 0, 0, true),
  frame('async parseReport', '/app/src/report.ts', 12, 9),
  frame('handle', '/app/src/server.ts', 40, 3),
  frame('processTicksAndRejections', 'node:internal/process/task_queues', 95, 5, true),
]

function event(overrides: Partial<BlockEvent> = {}): BlockEvent {
  return { id: 1, startTime: 1_700_000_000_000.5, duration: 412.25, threshold: 100, thread: { id: 0, name: '' }, hang: false, stack, samples: 3, profile: [], cause: 'unknown', ...overrides }
}

test('attributes: durations in seconds, the culprit under the stable code.* names', () => {
  assert.deepEqual(blockAttributes(factsOf(event())), {
    'loopwatch.block.duration': 0.41225,
    'loopwatch.block.threshold': 0.1,
    'loopwatch.block.hang': false,
    'thread.id': 0,
    'loopwatch.block.culprit': 'async parseReport (/app/src/report.ts:12)',
    'code.function.name': 'parseReport',
    'code.file.path': '/app/src/report.ts',
    'code.line.number': 12,
    'code.column.number': 9,
    'code.stacktrace': [
      '    at JSON.parse (<anonymous>)',
      '    at async parseReport (/app/src/report.ts:12:9)',
      '    at handle (/app/src/server.ts:40:3)',
      '    at processTicksAndRejections (node:internal/process/task_queues:95:5)',
    ].join('\n'),
  })
})

test('attributes: a block inside a library names the app\'s frame that called it in code.*, the library in loopwatch.block.culprit', () => {
  const lib = (functionName: string, line: number): StackFrame => ({ ...frame(functionName, `/app/node_modules/js-yaml/dist/js-yaml.js`, line, 3), package: 'js-yaml' })
  const inLibrary = [lib('readBlockMapping', 900), lib('load', 2700), frame('loadSettings', '/app/src/settings.ts', 58, 53), frame('main', '/app/src/main.ts', 3, 1)]
  const attributes = blockAttributes(factsOf(event({ stack: inLibrary })))
  assert.equal(attributes['code.function.name'], 'loadSettings')
  assert.equal(attributes['code.file.path'], '/app/src/settings.ts')
  assert.equal(attributes['code.line.number'], 58)
  assert.equal(attributes['code.column.number'], 53)
  assert.equal(attributes['loopwatch.block.culprit'], 'loadSettings (/app/src/settings.ts:58) via js-yaml load')
  assert.match(String(attributes['code.stacktrace']), /^ {4}at readBlockMapping \(/)
  assert.equal(blockSummary(factsOf(event({ stack: inLibrary }))),
    'event loop blocked for 412 ms (threshold 100 ms) in loadSettings (/app/src/settings.ts:58:53) via js-yaml load')
})

test('code.stacktrace of a resolved stack has none of loopwatch\'s own frames (its wrappers of native calls)', () => {
  const resolved = new FrameResolver('/app/node_modules/loopwatch/dist').resolve([
    ['readFileSync', 'node:fs', 470, 19], ['readFileSync', '/app/node_modules/loopwatch/dist/chunk.cjs', 1284, 32], ['readParts', '/does/not/exist/parts.js', 9, 2],
  ])
  assert.equal(formatStacktrace(resolved), '    at readFileSync (node:fs:470:19)\n    at readParts (/does/not/exist/parts.js:9:2)')
})

test('attributes: the cause when known, the callback type when debug mode gave one', () => {
  const facts = factsOf(event({ cause: 'sync-io', callback: { type: 'Timeout', asyncId: 5, triggerAsyncId: 1, duration: 412 }, hang: true }))
  assert.equal(blockAttributes(facts)['loopwatch.block.cause'], 'sync-io')
  assert.equal(blockAttributes(facts)['loopwatch.block.callback.type'], 'Timeout')
  assert.deepEqual(metricAttributes(facts), { 'loopwatch.block.hang': true, 'loopwatch.block.cause': 'sync-io' })
  const plain = factsOf(event({ cause: 'unknown' }))
  assert.equal('loopwatch.block.cause' in blockAttributes(plain), false)
  assert.equal('loopwatch.block.callback.type' in blockAttributes(plain), false)
  assert.deepEqual(metricAttributes(plain), { 'loopwatch.block.hang': false })
})

test('attributes: the thread under the semantic conventions\' thread.id and thread.name (a name only when it has one)', () => {
  const main = blockAttributes(factsOf(event()))
  assert.equal(main['thread.id'], 0)
  assert.equal('thread.name' in main, false)
  const named = blockAttributes(factsOf(event({ thread: { id: 3, name: 'resize' } })))
  assert.equal(named['thread.id'], 3)
  assert.equal(named['thread.name'], 'resize')
  // A worker without a name, or on Node 20 (which does not tell a worker its name).
  const unnamed = blockAttributes(factsOf(event({ thread: { id: 4, name: '' } })))
  assert.equal(unnamed['thread.id'], 4)
  assert.equal('thread.name' in unnamed, false)
  // Facts without a thread (built by hand) are the main thread's.
  assert.equal(blockAttributes({ startTime: 0, duration: 200, threshold: 100, hang: false, stack: [] })['thread.id'], 0)
  // The histogram stays low-cardinality: no thread.
  assert.equal('thread.id' in metricAttributes(factsOf(event({ thread: { id: 3, name: 'resize' } }))), false)
})

test('attributes: no code.* without a stack; internal frames only name the innermost one', () => {
  const none = blockAttributes(factsOf(event({ stack: [] })))
  assert.deepEqual(Object.keys(none).filter((k) => k.startsWith('code.')), [])
  const internal = blockAttributes(factsOf(event({ stack: [frame('pbkdf2Sync', 'node:internal/crypto/pbkdf2', 3, 2, true)] })))
  assert.equal(internal['code.function.name'], 'pbkdf2Sync')
  assert.equal(internal['code.file.path'], 'node:internal/crypto/pbkdf2')
})

test('code.stacktrace keeps at most 32 frames and counts the rest', () => {
  const deep = Array.from({ length: 100 }, (_, i) => frame(`f${i}`, '/app/deep.js', i + 1, 1))
  const lines = formatStacktrace(deep).split('\n')
  assert.equal(lines.length, kMaxStacktraceFrames + 1)
  assert.equal(lines.at(-1), '    ... 68 more frames')
  assert.equal(formatStacktrace(deep.slice(0, 33)).split('\n').at(-1), '    ... 1 more frame')
})

test('code.stacktrace is bounded in length, cut at a frame', () => {
  const long = Array.from({ length: 30 }, (_, i) => frame(`f${i}`, `/app/${'x'.repeat(400)}.js`, i + 1, 1))
  const text = formatStacktrace(long)
  assert.ok(text.length <= kMaxStacktraceChars, `${text.length} characters`)
  const lines = text.split('\n')
  assert.match(lines.at(-1) ?? '', /^ {4}\.\.\. \d+ more frames$/)
  for (const line of lines.slice(0, -1)) assert.match(line, /^ {4}at f\d+ \(\/app\/x+\.js:\d+:1\)$/)
})

test('the log body is one readable line', () => {
  assert.equal(blockSummary(factsOf(event())), 'event loop blocked for 412 ms (threshold 100 ms) in async parseReport (/app/src/report.ts:12:9)')
  assert.equal(blockSummary(factsOf(event({ stack: [] }))), 'event loop blocked for 412 ms (threshold 100 ms)')
})
