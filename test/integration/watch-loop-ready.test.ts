import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import { watchLoop, type BlockEvent } from 'loopwatch'

function blockFor(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

/** A watcher that collects its events and stops after the test. */
function watchInTest(t: TestContext, threshold: number): { watcher: ReturnType<typeof watchLoop>; events: BlockEvent[] } {
  const watcher = watchLoop({ threshold, log: false })
  // flush() may wait on the (unref'd) worker's samples: keep the test's process alive.
  const keepAlive = setInterval(() => undefined, 1000)
  t.after(async () => {
    clearInterval(keepAlive)
    await watcher.stop()
  })
  const events: BlockEvent[] = []
  watcher.on('block', (event) => events.push(event))
  return { watcher, events }
}

test('ready() resolves once the watchdog is up: a block right after it gets its stack', async (t) => {
  const { watcher, events } = watchInTest(t, 20)
  await watcher.ready()
  const blockAt = performance.timeOrigin + performance.now()
  blockFor(200)
  await watcher.flush()
  // Only the block under test: with a 20 ms threshold, a loaded machine can
  // add a stall of this process's own start-up (loading, compiling) before it.
  const ours = events.filter((event) => event.startTime + event.duration > blockAt)
  assert.equal(ours.length, 1, JSON.stringify(events.map((event) => [event.startTime - blockAt, event.duration])))
  assert.ok((ours[0]?.duration ?? 0) >= 200)
  assert.equal(ours[0]?.stack.find((frame) => !frame.internal)?.functionName, 'blockFor')
})

test('a block that begins before the watchdog thread is up still gets its stack', async (t) => {
  // node:test's hooks do not wait for the thread (node --test starts one per
  // file): one that comes up during a block samples it from there.
  const { watcher, events } = watchInTest(t, 100)
  // The same synchronous run as watchLoop(): the thread takes tens of
  // milliseconds to boot, so it is not up when the block begins.
  blockFor(1000)
  await watcher.flush()
  const block = events.find((event) => event.duration >= 1000)
  assert.ok(block, JSON.stringify(events.map((event) => event.duration)))
  assert.equal(block.stack.find((frame) => !frame.internal)?.functionName, 'blockFor')
})

test('ready() settles after stop(), and never rejects', async () => {
  const watcher = watchLoop({ threshold: 20, log: false })
  await watcher.stop()
  await watcher.ready()
})
