import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { BlockEvent, StackFrame } from '../../src/index.js'
import { LoopBlockedError } from '../../src/testing/errors.js'
import { resolveLimits } from '../../src/testing/options.js'
import { formatVerdict, testFrames } from '../../src/testing/report.js'
import { allowedShare, frameMatches, isAllowed, judge } from '../../src/testing/verdict.js'

const cwd = '/app'

function frame(functionName: string, file = '/app/src/code.ts', line = 1, extra: Partial<StackFrame> = {}): StackFrame {
  return { functionName, file, line, column: 3, internal: file === '' || file.startsWith('node:'), ...extra }
}

let nextId = 1
/** A block event with what the verdict reads; other fields (added by other features) are left out. */
function block(duration: number, stack: StackFrame[] = [], profile: StackFrame[][] = []): BlockEvent {
  return fill<BlockEvent>({
    id: nextId++, startTime: 0, duration, threshold: 10, hang: false, stack,
    samples: profile.length, profile: profile.map((s) => ({ stack: s, count: 1 })),
  })
}

function fill<T>(partial: Partial<T>): T {
  return partial as T
}

test('a block over the limit fails the test; one under it does not', () => {
  const limits = resolveLimits({ threshold: 50 })
  const long = block(120, [frame('parse')])
  assert.equal(judge([block(40)], limits), undefined)
  assert.deepEqual(judge([block(40), long], limits)?.long, [long])
})

test('totalBlocked adds up every stall; allowed stalls count for nothing', () => {
  const stalls = [block(30, [frame('tick')]), block(30, [frame('tick')]), block(30, [frame('tick')]), block(30, [frame('seed')])]
  const limits = resolveLimits({ threshold: 50, budget: { totalBlocked: 100 } })
  const verdict = judge(stalls, limits)
  assert.ok(verdict)
  assert.deepEqual(verdict.long, [])
  assert.deepEqual(verdict.stalls, stalls)
  assert.equal(verdict.totalMs, 120)
  assert.equal(judge(stalls, resolveLimits({ threshold: 50, budget: { totalBlocked: 100 }, allow: ['seed'] })), undefined)
})

test('the total is reported on its own only when the long blocks do not explain it', () => {
  const limits = resolveLimits({ threshold: 50, budget: { totalBlocked: 100 } })
  assert.deepEqual(judge([block(300), block(20)], limits)?.stalls, [])
  const shorts = [block(40), block(40), block(40)]
  assert.equal(judge([block(300), ...shorts], limits)?.stalls.length, 4)
})

test('allowBlocking() without options turns the check off for the test', () => {
  assert.equal(judge([block(1000)], resolveLimits({ threshold: 50 }, [], true)), undefined)
})

test('string rules match a function name, a method, an async function, a package, or a path', () => {
  assert.ok(frameMatches(frame('loadFixture'), 'loadFixture'))
  assert.ok(frameMatches(frame('Loader.loadFixture'), 'loadFixture'))
  assert.ok(frameMatches(frame('async loadFixture'), 'loadFixture'))
  assert.ok(frameMatches(frame('Database.exec', '/app/node_modules/better-sqlite3/lib/db.js', 1, { package: 'better-sqlite3' }), 'better-sqlite3'))
  assert.ok(frameMatches(frame('x', '/app/test/fixtures/seed.ts'), 'test/fixtures/'))
  assert.ok(!frameMatches(frame('loadFixtures'), 'loadFixture'))
  assert.ok(!frameMatches(frame('download', '/app/src/download.ts'), 'load'), 'a string without a slash is not a path')
})

test('RegExp rules test the function name and the file; global RegExps too', () => {
  assert.ok(frameMatches(frame('seedDatabase'), /^seed/))
  assert.ok(frameMatches(frame('x', '/app/test/fixtures/a.ts'), /fixtures/))
  const global = /seed/g
  assert.ok(frameMatches(frame('seed'), global))
  assert.ok(frameMatches(frame('seed'), global), 'lastIndex does not carry over')
  assert.ok(!frameMatches(frame('JSON.parse', ''), /^$/), 'an empty file is not tested')
})

test('RegExp rules test the bare function name too: /^spin/ matches Object.spinFor, as the string spinFor does', () => {
  assert.ok(frameMatches(frame('Object.spinFor'), /^spin/))
  assert.ok(frameMatches(frame('Object.spinFor'), 'spinFor'))
  assert.ok(frameMatches(frame('async Db.seedUsers'), /^seed/i))
  assert.ok(frameMatches(frame('new Seeder'), /^Seeder$/))
  assert.ok(frameMatches(frame('Object.spinFor'), /^Object\.spin/), 'the full name still matches')
  assert.ok(!frameMatches(frame('Object.respin'), /^spin/))
})

test('allowed code counts for nothing; the rest of a block counts as a block of its own', () => {
  const inFixture = [frame('readFileSync', 'node:fs'), frame('loadFixture'), frame('test', '/app/test/a.test.ts')]
  const elsewhere = [frame('heavy')]
  assert.ok(isAllowed(block(300, inFixture, [inFixture]), ['loadFixture']))
  assert.equal(allowedShare(block(300, inFixture, [inFixture, elsewhere]), ['loadFixture']), 0.5)
  assert.ok(!isAllowed(block(300, []), ['loadFixture']), 'no stack, nothing to match')
  assert.ok(isAllowed(block(300, []), [(b) => b.duration < 500]), 'function rules see the whole block')
  assert.ok(!isAllowed(block(300, inFixture), []))
  const limits = resolveLimits({ threshold: 50, allow: ['loadFixture'] })
  // A 200 ms block sampled every 10 ms: one sample caught the test's function on its way in.
  const entering = [frame('test', '/app/test/a.test.ts')]
  const edge = fill<BlockEvent>({ ...block(200, inFixture), samples: 19, profile: [{ stack: inFixture, count: 18 }, { stack: entering, count: 1 }] })
  assert.equal(judge([edge], limits), undefined)
  // Half of it in the test's own code: 100 ms outside allowed code, over the 50 ms limit.
  const halfway = fill<BlockEvent>({ ...edge, profile: [{ stack: inFixture, count: 10 }, { stack: elsewhere, count: 10 }] })
  const verdict = judge([halfway], limits)
  assert.deepEqual(verdict?.long, [halfway])
  assert.deepEqual(verdict.partlyAllowed, { [halfway.id]: 100 })
  assert.match(formatVerdict(verdict, { workerThread: false, cwd }),
    /^the event loop was blocked for 100 ms outside allowed code \(of a 200 ms block\) during this test \(limit 50 ms\)\n {4}at heavy \(src\/code\.ts:1:3\)$/)
})

test('what allowed blocks ran elsewhere adds up against totalBlocked', () => {
  const inFixture = [frame('loadFixture'), frame('test', '/app/test/a.test.ts')]
  const own = [frame('test', '/app/test/a.test.ts', 9)]
  // 240 ms blocks: 200 ms in loadFixture, 40 ms in the test's own code.
  const blocks = Array.from({ length: 5 }, () =>
    fill<BlockEvent>({ ...block(240, inFixture), samples: 6, profile: [{ stack: inFixture, count: 5 }, { stack: own, count: 1 }] }))
  const limits = resolveLimits({ threshold: 50, allow: ['loadFixture'], budget: { totalBlocked: 150 } })
  const verdict = judge(blocks, limits)
  assert.ok(verdict)
  assert.deepEqual(verdict.long, [])
  assert.equal(Math.round(verdict.totalMs), 200)
  assert.match(formatVerdict(verdict, { workerThread: false, cwd }),
    /^the event loop was blocked for 200 ms in total during this test, in 5 stalls of 10 ms or more \(budget\.totalBlocked 150 ms\)\n5 stalls, 200 ms in all \(longest 40 ms\):\n {4}at test \(test\/a\.test\.ts:9:3\)$/)
  assert.equal(judge(blocks, resolveLimits({ threshold: 50, allow: ['loadFixture'], budget: { totalBlocked: 250 } })), undefined)
})

test('the report: the culprit stack under one line that says what broke which limit', () => {
  const stack = [frame('Atomics.wait', ''), frame('parseReport', '/app/src/report.ts', 12), frame('handle', '/app/src/server.ts', 40)]
  const verdict = judge([block(301.6, stack)], resolveLimits({ threshold: 50 }))
  assert.ok(verdict)
  assert.equal(formatVerdict(verdict, { workerThread: false, cwd }), [
    'the event loop was blocked for 302 ms during this test (limit 50 ms)',
    '    at Atomics.wait (native)',
    '    at parseReport (src/report.ts:12:3)',
    '    at handle (src/server.ts:40:3)',
  ].join('\n'))
})

test('the report of a blown total groups the stalls by culprit', () => {
  const tick = [frame('tick', '/app/src/tick.ts', 5)]
  const seed = [frame('seed', '/app/src/seed.ts', 9)]
  const verdict = judge([block(30, tick), block(30, tick), block(45, seed)], resolveLimits({ threshold: 50, budget: { totalBlocked: 100 } }))
  assert.ok(verdict)
  assert.equal(formatVerdict(verdict, { workerThread: false, cwd, during: 'while the function ran' }), [
    'the event loop was blocked for 105 ms in total while the function ran, in 3 stalls of 10 ms or more (budget.totalBlocked 100 ms)',
    '2 stalls, 60 ms in all (longest 30 ms):',
    '    at tick (src/tick.ts:5:3)',
    '1 stall for 45 ms:',
    '    at seed (src/seed.ts:9:3)',
  ].join('\n'))
})

test('without a stack the report says which thread the watchdog could not sample', () => {
  const verdict = judge([block(200), block(150)], resolveLimits({ threshold: 50 }))
  assert.ok(verdict)
  const worker = formatVerdict(verdict, { workerThread: true, cwd })
  assert.match(worker, /^the event loop was blocked 2 times during this test for longer than the 50 ms limit\n2 blocks, 350 ms in all \(longest 200 ms\):\n/)
  assert.match(worker, /no stack: the watchdog could not sample this worker thread during the block/)
  assert.match(formatVerdict(verdict, { workerThread: false, cwd }), /no stack: the watchdog could not sample the main thread/)
})

test("the runner's own frames are cut from the report", () => {
  const stack = [
    frame('heavy', '/app/test/a.test.ts'),
    frame('callFn', '/app/node_modules/mocha/lib/runnable.js', 1, { package: 'mocha' }),
    frame('Runnable.run', '/app/node_modules/mocha/lib/runnable.js', 2, { package: 'mocha' }),
  ]
  assert.deepEqual(testFrames(stack).map((f) => f.functionName), ['heavy'])
})

test('LoopBlockedError: code, name, stack, non-enumerable blocks, instanceof across copies of the class', () => {
  const blocks = [block(100)]
  const error = new LoopBlockedError('the event loop was blocked', blocks)
  assert.equal(error.code, 'ERR_LOOPWATCH_BLOCKED')
  assert.equal(error.name, 'LoopBlockedError')
  assert.equal(error.stack, 'LoopBlockedError: the event loop was blocked')
  assert.equal(error.blocks, blocks)
  assert.deepEqual(Object.keys(error), ['code'])
  // Each entry point bundles its own copy; jest loads one per test file.
  const fromElsewhere = Object.assign(new Error('x'), { name: 'LoopBlockedError', code: 'ERR_LOOPWATCH_BLOCKED', blocks: [] })
  assert.ok(fromElsewhere instanceof LoopBlockedError)
  assert.ok(!(new Error('x') instanceof LoopBlockedError))
  assert.ok(!(Object.assign(new Error('x'), { code: 'ERR_LOOPWATCH_BLOCKED' }) instanceof LoopBlockedError))
})

test('long blocks with the same culprit are reported once, with their count', () => {
  const render = [frame('renderPage', '/app/src/render.ts', 5)]
  const parse = [frame('parse', '/app/src/parse.ts', 7)]
  const verdict = judge([block(90, render), block(120, parse), block(70, render)], resolveLimits({ threshold: 50 }))
  assert.ok(verdict)
  assert.equal(formatVerdict(verdict, { workerThread: false, cwd }), [
    'the event loop was blocked 3 times during this test for longer than the 50 ms limit',
    '2 blocks, 160 ms in all (longest 90 ms):',
    '    at renderPage (src/render.ts:5:3)',
    'blocked for 120 ms:',
    '    at parse (src/parse.ts:7:3)',
  ].join('\n'))
})

test("the runner's and Node's own work does not count against the test; a block without a stack does", () => {
  const reporter = [frame('Uint8Array.set', ''), frame('v8Reporter', 'node:internal/test_runner/reporter/v8-serializer', 37)]
  const circus = [frame('_callCircusTest', '/app/node_modules/jest-circus/build/a.js', 1, { package: 'jest-circus' })]
  const test = [frame('heavy', '/app/test/a.test.ts'), ...circus]
  const limits = resolveLimits({ threshold: 50 })
  assert.equal(judge([block(126, reporter), block(90, circus)], limits), undefined)
  assert.equal(judge([block(126, test)], limits)?.long.length, 1)
  const streams = [frame('onwrite', 'node:internal/streams/writable', 615), frame('Socket._write', 'node:net', 970)]
  assert.equal(judge([block(183, streams)], limits), undefined, "Node's internals only: not the test's code")
  assert.equal(judge([block(126, [])], limits)?.long.length, 1)
  assert.equal(judge([block(126, reporter, [reporter, test])], limits)?.long.length, 1, 'one sample in test code is enough')
})

test("samples that landed in the runner's code after the blocking function returned say nothing about the test", () => {
  const inFixture = [frame('loadFixture'), frame('test', '/app/test/a.test.ts')]
  const inRunner = [frame('_callCircusTest', '/app/node_modules/jest-circus/build/a.js', 1, { package: 'jest-circus' })]
  const late = block(300, inRunner, [inFixture, inRunner])
  assert.ok(isAllowed(late, ['loadFixture']))
  const verdict = judge([late], resolveLimits({ threshold: 50 }))
  assert.ok(verdict)
  assert.match(formatVerdict(verdict, { workerThread: false, cwd }), /\n {4}at loadFixture \(src\/code\.ts:1:3\)\n/, 'the culprit shown is the sample in user code')
  const elsewhere = block(300, inFixture, [inFixture, [frame('render', '/app/src/render.ts')]])
  assert.ok(!isAllowed(elsewhere, ['loadFixture']), 'other user code during the block still counts')
})
