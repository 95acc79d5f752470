import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fixture, runFixture } from '../helpers/run-fixture.js'

test('two watchers with different thresholds each see the blocks above their own', async () => {
  const { code, stdout } = await runFixture(fixture('two-watchers.mjs'))
  assert.equal(code, 0)
  // Only the blocks under test: a loaded machine can add start-up stalls.
  const seen = stdout.trim().split('\n').map((line) => JSON.parse(line) as { watcher: string; duration: number; first?: string })
    .filter((event) => event.first === 'blockFor')
  const fast = seen.filter((e) => e.watcher === 'fast')
  const slow = seen.filter((e) => e.watcher === 'slow')
  assert.equal(fast.length, 2)
  assert.equal(slow.length, 1)
  assert.ok((slow[0]?.duration ?? 0) >= 400)
  assert.ok(fast.some((e) => e.duration >= 100 && e.duration < 200))
})

test('stop() is idempotent; a block in progress when it is called is not emitted, nor any after', async () => {
  const { code, stdout } = await runFixture(fixture('stop.mjs'))
  assert.equal(code, 0)
  assert.deepEqual(JSON.parse(stdout), { same: true, events: 0 })
})
