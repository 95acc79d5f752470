import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fixture, runFixture } from '../helpers/run-fixture.js'

test('the context store of the blocked code is attached to each event', async () => {
  const { code, blockEvents: events } = await runFixture(fixture('context.mjs'))
  assert.equal(code, 0)
  assert.deepEqual(events.map((e) => e.context), [{ requestId: 'req-1' }, { requestId: 'req-2' }])
})
