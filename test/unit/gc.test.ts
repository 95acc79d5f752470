import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { FullGcSentinel, inferGcPauses } from '../../src/core/gc.js'

setFlagsFromString('--expose-gc')
const fullGc = runInNewContext('gc') as () => void

/** The sentinel's WeakRef target stays alive to the end of the job that read it: check in a later one. */
const nextTask = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

test('the sentinel tells a full GC from scavenges', async () => {
  const sentinel = new FullGcSentinel()
  await nextTask()
  assert.equal(sentinel.check(), false)
  // Many scavenges, no full GC: short-lived garbage only.
  let garbage: object[] = []
  for (let i = 0; i < 2e5; i++) {
    garbage.push({ i })
    if (garbage.length > 100) garbage = []
  }
  await nextTask()
  assert.equal(sentinel.check(), false)
  await nextTask()
  fullGc()
  await nextTask()
  assert.equal(sentinel.check(), true)
  await nextTask()
  assert.equal(sentinel.check(), false, 'a full GC is reported once')
})

test('GC pauses are inferred only when a full GC ran, on the performance.now() timeline', () => {
  const nowMs = performance.now()
  const hrMs = Number(process.hrtime.bigint()) / 1e6
  const stretch: [number, number] = [hrMs - 300, hrMs - 100]
  assert.deepEqual(inferGcPauses(false, [stretch]), [])
  assert.deepEqual(inferGcPauses(true, undefined), [])
  const [pause] = inferGcPauses(true, [stretch])
  assert.ok(pause)
  assert.ok(Math.abs(pause.startMs - (nowMs - 300)) < 1, `start ${pause.startMs} vs ${nowMs - 300}`)
  assert.equal(pause.durationMs, 200)
})
