import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { test } from 'node:test'

// The public surface, pinned: a change here is a change to the contract.
const kExports = ['LoopWatcher', 'codes', 'formatBlock', 'watchLoop']

test('import and require expose the same named exports', async () => {
  const esm = (await import('loopwatch')) as Record<string, unknown>
  const cjs = createRequire(import.meta.url)('loopwatch') as Record<string, unknown>
  assert.deepEqual(Object.keys(esm).filter((k) => k !== 'default').sort(), kExports)
  assert.deepEqual(Object.keys(cjs).sort(), kExports)
  assert.equal(typeof esm['watchLoop'], 'function')
  assert.deepEqual(cjs['codes'], esm['codes'])
})
