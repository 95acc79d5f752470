import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Worker } from 'node:worker_threads'
import { kMaxThreads, OtherThreadsWait } from '../../src/watchdog/threads-wait.js'

test('the other threads\' wait is read for at most maxThreads threads, the oldest first', { skip: process.platform !== 'linux' }, async (t) => {
  const cell = new Int32Array(new SharedArrayBuffer(4))
  const workers = Array.from({ length: 6 }, () => new Worker(
    'const { workerData } = require("node:worker_threads"); Atomics.wait(workerData, 0, 0)', { eval: true, workerData: cell }))
  t.after(async () => {
    Atomics.store(cell, 0, 1)
    Atomics.notify(cell, 0)
    await Promise.all(workers.map((worker) => worker.terminate()))
  })
  await Promise.all(workers.map((worker) => new Promise((resolve) => worker.once('online', resolve))))
  const all = new OtherThreadsWait(process.pid).read()
  assert.ok(all && all.size >= 6, `the 6 workers and Node's own threads: ${all?.size}`)
  assert.ok(all.size <= kMaxThreads)
  const capped = new OtherThreadsWait(process.pid, 3).read()
  assert.ok(capped)
  assert.equal(capped.size, 3)
  // The threads kept are the first ones listed: those started with the process.
  assert.deepEqual([...capped.keys()], [...all.keys()].slice(0, 3))
})
