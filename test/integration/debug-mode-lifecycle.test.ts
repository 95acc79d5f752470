import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fixture, runFixture } from '../helpers/run-fixture.js'

test('debug mode keeps memory bounded over 1e6 promises, and stop() restores the patched APIs', async () => {
  const { code, stdout, stderr } = await runFixture(fixture('debug-memory.mjs'), [], { nodeArgs: ['--expose-gc'], timeout: 60_000 })
  assert.equal(code, 0, stderr)
  const { growthMb, restored } = JSON.parse(stdout) as { growthMb: number; restored: boolean }
  // 1e6 promises with a scheduling stack each would hold hundreds of MB if
  // anything kept them; what remains is V8's own heap noise.
  assert.ok(growthMb < 32, `heap grew ${growthMb} MB`)
  assert.equal(restored, true, 'JSON.parse must be the original again after stop()')
})
