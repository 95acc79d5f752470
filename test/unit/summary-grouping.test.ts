import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { BlockEvent, StackFrame } from '../../src/index.js'
import { BlockSummary, kMaxCulprits, percentile } from '../../src/report/summary.js'

const frame = (functionName: string, file: string, line: number, internal = false): StackFrame =>
  ({ functionName, file, line, column: 3, internal })
const native = frame('JSON.parse', '', 0, true)
const timers = frame('listOnTimeout', 'node:internal/timers', 581, true)

let nextId = 1
function block(duration: number, stack: StackFrame[], extra: Partial<BlockEvent> = {}): BlockEvent {
  return { id: nextId++, startTime: 1000 * nextId, duration, threshold: 50, thread: { id: 0, name: '' }, hang: false, stack, samples: 1, profile: [], cause: 'cpu', ...extra }
}

test('groups by the first user frame, sorts by total blocked time, with count, max, p95 and causes', () => {
  const summary = new BlockSummary()
  // parseReport blocks at two lines of one function: one culprit.
  for (let i = 0; i < 10; i++) summary.add(block(100 + i, [native, frame('parseReport', '/app/src/report.ts', 12 + (i % 2)), timers]))
  summary.add(block(900, [frame('renderPage', '/app/src/page.ts', 40), timers], { cause: 'sync-io' }))
  summary.add(block(950, [frame('renderPage', '/app/src/page.ts', 41), timers], { cause: 'gc' }))
  summary.add(block(60, [], { cause: 'unknown' }))
  const rows = summary.summary('/app')
  assert.deepEqual(rows.map((r) => [r.culprit, r.count, Math.round(r.total), Math.round(r.max)]), [
    ['renderPage (src/page.ts:41)', 2, 1850, 950],
    // Labelled with the longest block's line, the stack that goes with it.
    ['parseReport (src/report.ts:13)', 10, 1045, 109],
    ['(no stack sampled)', 1, 60, 60],
  ])
  const [render, parse] = rows
  assert.ok(render && parse)
  assert.deepEqual(render.causes, { 'sync-io': 1, gc: 1 })
  assert.deepEqual(parse.causes, { cpu: 10 })
  // Nearest rank: the 10th of 10 values.
  assert.equal(parse.p95, 109)
  // The longest block's stack is the example.
  assert.equal(render.stack[0]?.line, 41)
  assert.equal(render.frame?.functionName, 'renderPage')
})

test('start-up blocks form their own group', () => {
  const summary = new BlockSummary()
  const stack = [frame('loadConfig', '/app/src/config.ts', 12)]
  summary.add(block(204, stack), { startup: true })
  summary.add(block(120, stack, { cause: 'wait' }))
  const rows = summary.summary('/app')
  assert.deepEqual(rows.map((r) => [r.culprit, r.startup, r.count, r.causes]), [
    ['loadConfig (src/config.ts:12)', true, 1, { cpu: 1 }],
    ['loadConfig (src/config.ts:12)', false, 1, { wait: 1 }],
  ])
})

test('anonymous functions are told apart by line; library frames keep their package', () => {
  const summary = new BlockSummary()
  summary.add(block(100, [frame('<anonymous>', '/app/a.js', 1)]))
  summary.add(block(100, [frame('<anonymous>', '/app/a.js', 9)]))
  summary.add(block(100, [{ ...frame('getVersion', '/app/node_modules/otel/lib/v.js', 14), package: 'otel' }]))
  const rows = summary.summary('/app')
  assert.equal(rows.length, 3)
  assert.ok(rows.some((r) => r.culprit === 'getVersion (node_modules/otel/lib/v.js:14)' && r.frame?.package === 'otel'))
})

test('p95 is the nearest rank, exact up to 1,024 blocks', () => {
  assert.equal(percentile([], 95), 0)
  assert.equal(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 95), 95)
  const summary = new BlockSummary()
  const stack = [frame('f', '/app/f.js', 1)]
  for (let i = 1; i <= 1000; i++) summary.add(block(i, stack))
  assert.equal(summary.summary()[0]?.p95, 950)
})

test('memory is bounded: culprits past the limit share one group, durations are sampled', () => {
  const summary = new BlockSummary()
  for (let i = 0; i < kMaxCulprits + 10; i++) summary.add(block(100, [frame(`f${i}`, '/app/f.js', i + 1)]))
  const rows = summary.summary()
  assert.equal(rows.length, kMaxCulprits + 1)
  assert.equal(rows.reduce((n, r) => n + r.count, 0), kMaxCulprits + 10)
  assert.ok(rows.some((r) => r.culprit === '(other culprits)' && r.count === 10))
  const many = new BlockSummary()
  for (let i = 0; i < 5000; i++) many.add(block(i % 100, [frame('g', '/app/g.js', 1)]))
  const [row] = many.summary()
  assert.ok(row)
  assert.equal(row.count, 5000)
  assert.ok(row.p95 >= 90 && row.p95 <= 99, `p95 ${row.p95}`)
})

test('profiles merge sampled stacks per culprit; the timeline keeps every block', () => {
  const summary = new BlockSummary({ timeline: true, profiles: true })
  const a = [frame('spin', '/app/s.js', 3), frame('main', '/app/s.js', 9)]
  const b = [frame('spin', '/app/s.js', 4), frame('main', '/app/s.js', 9)]
  summary.add(block(300, a, { profile: [{ stack: a, count: 3 }, { stack: b, count: 1 }] }))
  summary.add(block(200, a, { profile: [{ stack: a, count: 2 }] }), { pid: 7 })
  const [group] = summary.groups()
  assert.deepEqual([...(group?.profile.values() ?? [])].map((p) => p.count), [5, 1])
  const { entries, dropped } = summary.timeline()
  assert.deepEqual(entries.map((e) => [e.duration, e.pid]), [[300, undefined], [200, 7]])
  assert.equal(dropped, 0)
})

test("blocks inside a library group by the app's own frame, the library's entry frame as the detail", () => {
  const summary = new BlockSummary()
  const yaml = (fn: string, line: number): StackFrame => ({ ...frame(fn, '/app/node_modules/js-yaml/dist/js-yaml.js', line), package: 'js-yaml' })
  const settings = (line: number) => frame('loadSettings', '/app/src/settings.ts', line)
  // Five calls, sampled in different js-yaml functions: one culprit.
  summary.add(block(120, [yaml('readBlockMapping', 900), yaml('load', 1700), settings(12), timers]))
  summary.add(block(130, [yaml('composeNode', 1200), yaml('readBlockMapping', 900), yaml('load', 1700), settings(12), timers]))
  summary.add(block(150, [native, yaml('readScalar', 400), yaml('load', 1700), settings(12), timers]))
  summary.add(block(110, [yaml('load', 1700), settings(13), timers]))
  summary.add(block(140, [yaml('readScalar', 400), yaml('load', 1700), settings(12), timers]))
  // The library's own callback, no app frame on the stack: blamed on the library.
  summary.add(block(100, [yaml('onTimer', 5), timers]))
  const rows = summary.summary('/app')
  assert.deepEqual(rows.map((r) => [r.culprit, r.count]), [
    ['loadSettings (src/settings.ts:12) via js-yaml load', 5],
    ['onTimer (node_modules/js-yaml/dist/js-yaml.js:5)', 1],
  ])
  const [top, library] = rows
  assert.ok(top && library)
  assert.equal(top.frame?.functionName, 'loadSettings')
  assert.equal(top.via?.functionName, 'load')
  assert.equal(library.via, undefined)
})
