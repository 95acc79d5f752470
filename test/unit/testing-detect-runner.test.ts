import assert from 'node:assert/strict'
import { test } from 'node:test'
import { detectRunner, runsNodeTests } from '../../src/testing/runners.js'

const hook = (): void => undefined

test('vitest and jest are told by the variables they set in their workers', () => {
  assert.equal(detectRunner({ VITEST: 'true', VITEST_WORKER_ID: '1' }, {}, []), 'vitest')
  assert.equal(detectRunner({}, { __vitest_worker__: {} }, []), 'vitest')
  assert.equal(detectRunner({ JEST_WORKER_ID: '1' }, { beforeEach: hook, afterEach: hook }, []), 'jest')
})

test('mocha is told by its interface globals (bdd or tdd)', () => {
  assert.equal(detectRunner({}, { before: hook, after: hook, beforeEach: hook, afterEach: hook }, []), 'mocha')
  assert.equal(detectRunner({}, { suiteSetup: hook, teardown: hook }, []), 'mocha')
})

test('node:test: the child processes of node --test, or node --test without isolation', () => {
  assert.equal(detectRunner({ NODE_TEST_CONTEXT: 'child-v8' }, {}, []), 'node')
  assert.equal(detectRunner({}, {}, ['--test', '--test-isolation=none']), 'node')
  assert.equal(detectRunner({}, {}, ['--test', '--experimental-test-isolation=none']), 'node')
  // The orchestrating process runs no tests of its own.
  assert.ok(!runsNodeTests({}, ['--test']))
})

test('anything else is no runner', () => {
  assert.equal(detectRunner({}, {}, []), undefined)
  assert.equal(detectRunner({}, { beforeEach: hook, afterEach: hook }, ['--import', 'x']), undefined)
})
