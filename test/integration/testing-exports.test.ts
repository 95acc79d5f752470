import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

// The public surface of loopwatch/testing, pinned: a change here is a change to the contract.
const kExports = ['LoopBlockedError', 'allowBlocking', 'expectNoBlock', 'failOnBlock']
const require = createRequire(import.meta.url)

test('loopwatch/testing: import and require expose the same named exports', async () => {
  const esm = (await import('loopwatch/testing')) as Record<string, unknown>
  const cjs = require('loopwatch/testing') as Record<string, unknown>
  assert.deepEqual(Object.keys(esm).filter((k) => k !== 'default').sort(), kExports)
  assert.deepEqual(Object.keys(cjs).sort(), kExports)
})

test('the runner entry points resolve: node, jest and mocha for import and require, vitest for import only', () => {
  // Resolved, not loaded: loading one hooks the runner it is for.
  for (const runner of ['node', 'jest', 'mocha']) {
    assert.match(fileURLToPath(import.meta.resolve(`loopwatch/testing/${runner}`)), new RegExp(`dist/testing-${runner}\\.js$`))
    assert.match(require.resolve(`loopwatch/testing/${runner}`), new RegExp(`dist/testing-${runner}\\.cjs$`))
  }
  assert.match(fileURLToPath(import.meta.resolve('loopwatch/testing/vitest')), /dist\/testing-vitest\.js$/)
  assert.throws(() => require.resolve('loopwatch/testing/vitest'), { code: 'ERR_PACKAGE_PATH_NOT_EXPORTED' })
})
