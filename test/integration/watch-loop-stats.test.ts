import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { LoopStats } from '../../src/index.js'
import { fixture, runFixture } from '../helpers/run-fixture.js'

test('stats(): block totals since start, delay and utilization since the last call', async () => {
  const { code, stdout } = await runFixture(fixture('stats.mjs'))
  assert.equal(code, 0)
  const { first, second } = JSON.parse(stdout) as { first: LoopStats; second: LoopStats }
  assert.equal(first.blocks, 1)
  assert.ok(first.blockedTime >= 300)
  assert.equal(first.longest, first.blockedTime)
  assert.ok(first.delay.max >= 300, 'max delay must show the block')
  assert.ok(first.delay.min <= first.delay.p50 && first.delay.p50 <= first.delay.p90 && first.delay.p90 <= first.delay.max)
  assert.ok(first.utilization > 0 && first.utilization <= 1)
  // The second window saw no block: its figures reset, the totals did not.
  assert.equal(second.blocks, 1)
  assert.ok(second.delay.max < 300)
  assert.ok(second.utilization < first.utilization)
})
