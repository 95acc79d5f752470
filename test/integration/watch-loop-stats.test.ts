import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { LoopStats } from '../../src/index.js'
import { fixture, runFixture } from '../helpers/run-fixture.js'

test('stats(): block totals since start, delay and utilization since the last call', async () => {
  const { code, stdout } = await runFixture(fixture('stats.mjs'))
  assert.equal(code, 0)
  const { first, second } = JSON.parse(stdout) as { first: LoopStats; second: LoopStats }
  // At least the 300 ms block (a loaded machine may add a stall of its own).
  assert.ok(first.blocks >= 1)
  assert.ok(first.longest >= 300)
  assert.ok(first.blockedTime >= first.longest)
  assert.ok(first.delay.max >= 300, 'max delay must show the block')
  assert.ok(first.delay.min <= first.delay.p50 && first.delay.p50 <= first.delay.p90 && first.delay.p90 <= first.delay.max)
  assert.ok(first.utilization > 0 && first.utilization <= 1)
  // The second window saw no block: its figures reset, the totals did not.
  assert.ok(second.blocks >= first.blocks)
  assert.ok(second.delay.max < 300)
  assert.ok(second.utilization < first.utilization)
})
