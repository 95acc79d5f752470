import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { expectNoBlock, LoopBlockedError } from 'loopwatch/testing'

const kThisFile = fileURLToPath(import.meta.url)

function blockFor(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms) // the line blockFor is blamed on
}
const kBlockLine = 10

/** Probes installed on the process: each live watcher has one. */
function liveProbes(): number {
  const registry = (process as unknown as Record<symbol, { probes: Map<number, unknown> } | undefined>)[Symbol.for('loopwatch.probes')]
  return registry?.probes.size ?? 0
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(() => assert.fail('expected a rejection'), (error: unknown) => error)
}

test('resolves with the value of a sync fn that does not block, and stops its watcher', async () => {
  const before = liveProbes()
  assert.equal(await expectNoBlock(() => 42), 42)
  assert.equal(liveProbes(), before)
})

test('a block before fn starts (while the watchdog thread starts) is not counted against it', async () => {
  let blocked = false
  setTimeout(() => {
    blockFor(300)
    blocked = true
  }, 0)
  assert.equal(await expectNoBlock(() => blocked), true)
})

test('resolves with the value of an async fn that does not block', async () => {
  assert.equal(await expectNoBlock(async () => {
    await sleep(20)
    return 'done'
  }), 'done')
})

test('rejects with LoopBlockedError, its blocks and the culprit when a sync fn blocks; stops its watcher', async () => {
  const before = liveProbes()
  const error = await rejection(expectNoBlock(() => {
    blockFor(300)
  }, { threshold: 30 }))
  assert.equal(liveProbes(), before)
  assert.ok(error instanceof LoopBlockedError)
  assert.ok(error instanceof Error)
  assert.equal(error.code, 'ERR_LOOPWATCH_BLOCKED')
  assert.equal(error.name, 'LoopBlockedError')
  assert.equal(error.blocks.length, 1)
  const [block] = error.blocks
  assert.ok((block?.duration ?? 0) >= 300, `measured ${block?.duration ?? 0} ms`)
  const culprit = block?.stack.find((frame) => !frame.internal)
  assert.deepEqual([culprit?.functionName, culprit?.file, culprit?.line], ['blockFor', kThisFile, kBlockLine])
  assert.match(error.message, /^the event loop was blocked for \d+ ms while the function ran \(limit 30 ms\)\n/)
  assert.match(error.message, new RegExp(`\\n {4}at blockFor \\([^)]*testing-expect-no-block\\.test\\.ts:${kBlockLine}:\\d+\\)`))
  assert.equal(error.stack, `LoopBlockedError: ${error.message}`)
})

test('rejects when an async fn blocks after an await', async () => {
  const error = await rejection(expectNoBlock(async () => {
    await sleep(10)
    blockFor(300)
    return 'never seen'
  }, { threshold: 30 }))
  assert.ok(error instanceof LoopBlockedError)
  assert.ok((error.blocks[0]?.duration ?? 0) >= 300)
})

test('a total budget catches many short blocks that no threshold would', async () => {
  const error = await rejection(expectNoBlock(async () => {
    for (let i = 0; i < 6; i++) {
      blockFor(40)
      await sleep(15)
    }
  }, { threshold: 1000, budget: { totalBlocked: 100 } }))
  assert.ok(error instanceof LoopBlockedError)
  assert.ok(error.blocks.length >= 3, `${error.blocks.length} stalls`)
  assert.ok(error.blocks.reduce((sum, b) => sum + b.duration, 0) > 100)
  assert.match(error.message, /in total while the function ran, in \d+ stalls of 10 ms or more \(budget\.totalBlocked 100 ms\)/)
})

test('an allowed blocker does not reject', async () => {
  assert.equal(await expectNoBlock(() => {
    blockFor(300)
    return 'allowed'
  }, { threshold: 30, allow: ['blockFor'] }), 'allowed')
})

test("rejects with fn's own error when fn throws, and stops its watcher", async () => {
  const before = liveProbes()
  const thrown = new Error('from fn')
  assert.equal(await rejection(expectNoBlock(() => {
    blockFor(100)
    throw thrown
  }, { threshold: 30 })), thrown)
  assert.equal(liveProbes(), before)
})

test('bad input rejects (never throws synchronously), with a TypeError or RangeError and a code', async () => {
  const wrongType = expectNoBlock(() => 1, { threshold: '50' } as never)
  assert.ok(wrongType instanceof Promise)
  await assert.rejects(wrongType, { name: 'TypeError', code: 'ERR_LOOPWATCH_INVALID_OPTION',
    message: "Expected `threshold` to be a positive number of milliseconds, got '50' (string)" })
  await assert.rejects(expectNoBlock(() => 1, { threshold: 5 }), { name: 'RangeError',
    message: /Expected `threshold` to be at least 10 ms, the shortest stall loopwatch\/testing measures, got 5 \(number\)/ })
  await assert.rejects(expectNoBlock(() => 1, { treshold: 50 } as never),
    { name: 'TypeError', message: /Unknown option `treshold`; known options are `threshold`, `allow`, `budget`/ })
  await assert.rejects(expectNoBlock('not a function' as never),
    { name: 'TypeError', message: "Expected `fn` to be a function, got 'not a function' (string)" })
})
