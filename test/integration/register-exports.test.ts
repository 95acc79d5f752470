import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

const dist = fileURLToPath(new URL('../../dist/', import.meta.url))

test('loopwatch/register resolves to the ESM build for --import and the CJS build for --require', () => {
  assert.equal(fileURLToPath(import.meta.resolve('loopwatch/register')), `${dist}register.js`)
  assert.equal(createRequire(import.meta.url).resolve('loopwatch/register'), `${dist}register.cjs`)
})
