import assert from 'node:assert/strict'
import { test } from 'node:test'
import { userFrames } from '../helpers/assert-block.js'
import { fixture, runFixture } from '../helpers/run-fixture.js'

test('the context store of the blocked code is attached to each event', async () => {
  const { code, events } = await runFixture(fixture('context.mjs'))
  assert.equal(code, 0)
  // The two blocks (a loaded machine may add stalls of its own).
  const blocks = events.filter((e) => userFrames(e)[0]?.functionName === 'blockFor')
  assert.deepEqual(blocks.map((e) => e.context), [{ requestId: 'req-1' }, { requestId: 'req-2' }])
})
