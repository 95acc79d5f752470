import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fixture, runFixture } from '../helpers/run-fixture.js'

test("a crash right after a block: the app's error and exit code, no 'Waiting for the debugger'", async () => {
  const { code, stderr } = await runFixture(fixture('exit-during-block.mjs'), ['throw'])
  assert.equal(code, 1)
  assert.match(stderr, /Error: boom after a block/)
  assert.doesNotMatch(stderr, /Waiting for the debugger/)
})

test('process.exit() right after a block: exit code kept, no "Waiting for the debugger"', async () => {
  const { code, stderr } = await runFixture(fixture('exit-during-block.mjs'), ['exit'])
  assert.equal(code, 7)
  assert.doesNotMatch(stderr, /Waiting for the debugger/)
})
