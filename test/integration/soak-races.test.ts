import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fixture, parseLines, runFixture } from '../helpers/run-fixture.js'
import { analyzeRaces } from '../helpers/soak.js'

// Blocks that end at random offsets around the threshold, with decoy
// callbacks right after each: a probe that arrives late lands in a decoy or
// in the next block. No event may name a function that was not blocking.
test('capture races: no stale stack named as culprit, the main thread never left paused', async () => {
  const { code, stdout, stderr } = await runFixture(fixture('races.mjs'), ['20', '200', '11'], { timeout: 60_000 })
  assert.equal(code, 0, stderr)
  const lines = parseLines(stdout)
  const end = lines.find((l) => 'responsive' in l) as { maxLateMs: number } | undefined
  assert.ok(end, 'the fixture did not reach its end')
  // Generous: a shared machine can be late; a paused thread never answers.
  assert.ok(end.maxLateMs < 1000, `timers ran ${end.maxLateMs} ms late`)
  const result = analyzeRaces(lines)
  assert.equal(result.blocks, 200)
  assert.ok(result.events > 0, 'no block was reported at all')
  assert.deepEqual(result.stale, [], 'stale stacks reported as culprit')
  assert.doesNotMatch(stderr, /Waiting for the debugger/)
})
