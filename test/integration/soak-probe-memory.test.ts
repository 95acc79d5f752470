import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fixture, parseLines, runFixture } from '../helpers/run-fixture.js'

// Known bug: the probe's expression embeds the heartbeat sequence
// (`...probes.get(id)?.(seq)`), so every Runtime.evaluate compiles a new
// script, and V8 keeps each one: about 1 KB of the main thread's heap per
// sample, for ever (12 MB/min of RSS in the HTTP soak). Evaluating the same
// source every time does not grow (measured: 3,000 evaluations, +0.07 MB
// against +1.8 MB). Marked todo until the expression is constant per watcher.
const todo = 'loopwatch bug: each probe leaks ~1 KB of the main heap (a new script per Runtime.evaluate)'

test('the main thread\'s heap does not grow with the number of samples', { todo }, async () => {
  const { code, stdout, stderr } = await runFixture(fixture('probe-memory.mjs'), ['400'], { nodeArgs: ['--expose-gc'], timeout: 60_000 })
  assert.equal(code, 0, stderr)
  const result = parseLines(stdout).find((l) => 'growthKB' in l) as { sampled: number; growthKB: number } | undefined
  assert.ok(result, stdout)
  assert.ok(result.sampled >= 200, `only ${result.sampled} samples taken`)
  assert.ok(result.growthKB < 150, `the heap grew ${result.growthKB.toFixed(0)} KB over ${result.sampled} samples`)
})
