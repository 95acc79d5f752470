import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fixture, parseLines, runFixture } from '../helpers/run-fixture.js'

// The soak (npm run soak) calls watchLoop() 100 times; here 25, to stay fast.
test('watchLoop() called many times: each watcher measures the block, stacks come through; stop() gives the threads back', async () => {
  const count = 25
  const { code, stdout, stderr } = await runFixture(fixture('fault-many.mjs'), [String(count)], { timeout: 60_000 })
  assert.equal(code, 0, stderr)
  const result = parseLines(stdout).find((l) => 'withStack' in l) as { sawBlock: number; withStack: number; status: number; before: { threads: number }; running: { threads: number }; after: { threads: number } } | undefined
  assert.ok(result, stdout)
  assert.equal(result.status, 200)
  assert.equal(result.sawBlock, count, `${result.sawBlock} of ${count} watchers reported the block`)
  // Each watcher has a worker of its own; on a loaded machine not all of them
  // get their probe in during the block (the soak reports how many do).
  assert.ok(result.withStack >= 1, 'no watcher had a stack')
  assert.ok(result.running.threads >= result.before.threads + count)
  assert.ok(result.after.threads <= result.before.threads + 1, `threads: ${JSON.stringify(result)}`)
})
