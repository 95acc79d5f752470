import assert from 'node:assert/strict'
import { test } from 'node:test'
import { classifyCause } from '../../src/core/cause.js'
import type { StackFrame } from '../../src/watchdog/frames.js'

const f = (functionName: string, file: string, internal = file.startsWith('node:') || file === ''): StackFrame =>
  ({ functionName, file, line: 1, column: 1, internal })
const block = { startMs: 1000, durationMs: 300 }
const user = f('handler', '/app/server.js')

test('the stack decides: Atomics.wait, a Node *Sync call, or JavaScript', () => {
  assert.equal(classifyCause([f('Atomics.wait', ''), user], block, []), 'wait')
  assert.equal(classifyCause([f('readFileSync', 'node:fs'), user], block, []), 'sync-io')
  assert.equal(classifyCause([f('execSync', 'node:child_process'), user], block, []), 'sync-io')
  assert.equal(classifyCause([f('pbkdf2Sync', 'node:internal/crypto/pbkdf2'), user], block, []), 'sync-io')
  assert.equal(classifyCause([user], block, []), 'cpu')
  assert.equal(classifyCause([], block, []), 'unknown')
})

test('only frames above the first user frame count: a *Sync call further out is not the cause', () => {
  assert.equal(classifyCause([user, f('readFileSync', 'node:fs')], block, []), 'cpu')
})

test('a stack in a sync call wins over a stretch the probe could not run: the call held the thread', () => {
  const pauses = [{ startMs: 1000, durationMs: 150 }, { startMs: 1160, durationMs: 130 }]
  assert.equal(classifyCause([f('writeSync', 'node:fs'), user], block, pauses), 'sync-io')
  assert.equal(classifyCause([f('Atomics.wait', ''), user], block, pauses), 'wait')
})

test('a GC inside a sync call is the call\'s; most of the block in GC with a JS stack is gc', () => {
  const pauses = [{ startMs: 1000, durationMs: 180 }]
  assert.equal(classifyCause([f('readFileSync', 'node:fs'), user], block, pauses), 'sync-io')
  assert.equal(classifyCause([user], block, pauses), 'gc')
  assert.equal(classifyCause([user], block, [{ startMs: 500, durationMs: 100 }]), 'cpu')
})
