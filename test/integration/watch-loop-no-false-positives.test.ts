import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fixture, runFixture } from '../helpers/run-fixture.js'

test('thousands of short callbacks and HTTP requests raise no block', async () => {
  const { code, events, stdout, stderr } = await runFixture(fixture('busy.mjs'), [], { timeout: 60_000 })
  assert.equal(code, 0, stderr)
  assert.deepEqual(events.map((e) => `${Math.round(e.duration)} ms ${e.cause}`), [])
  assert.equal(stderr, '')
  const stats = (JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { stats: { blocks: number; utilization: number } }).stats
  assert.equal(stats.blocks, 0)
  // It was busy: this is not a test of an idle process.
  assert.ok(stats.utilization > 0.3, `utilization ${stats.utilization}`)
})
