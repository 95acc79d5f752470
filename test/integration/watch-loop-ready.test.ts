import assert from 'node:assert/strict'
import { test } from 'node:test'
import { watchLoop, type BlockEvent } from 'loopwatch'

function blockFor(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

test('ready() resolves once the watchdog is up: a block right after it gets its stack', async (t) => {
  const watcher = watchLoop({ threshold: 20, log: false })
  // flush() may wait on the (unref'd) worker's samples: keep the test's process alive.
  const keepAlive = setInterval(() => undefined, 1000)
  t.after(async () => {
    clearInterval(keepAlive)
    await watcher.stop()
  })
  const events: BlockEvent[] = []
  watcher.on('block', (event) => events.push(event))
  await watcher.ready()
  blockFor(200)
  await watcher.flush()
  assert.equal(events.length, 1)
  assert.ok((events[0]?.duration ?? 0) >= 200)
  assert.equal(events[0]?.stack.find((frame) => !frame.internal)?.functionName, 'blockFor')
})

test('ready() settles after stop(), and never rejects', async () => {
  const watcher = watchLoop({ threshold: 20, log: false })
  await watcher.stop()
  await watcher.ready()
})
