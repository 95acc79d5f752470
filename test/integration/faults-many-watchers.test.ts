import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fixture, parseLines, runFixture } from '../helpers/run-fixture.js'

// The soak (npm run soak) calls watchLoop() 100 times; here 25, to stay fast.
test('watchLoop() called many times: one watchdog thread serves them all, each watcher gets the block with its stack; stop() gives the thread back', async () => {
  const count = 25
  const { code, stdout, stderr } = await runFixture(fixture('fault-many.mjs'), [String(count)], { timeout: 60_000 })
  assert.equal(code, 0, stderr)
  const result = parseLines(stdout).find((l) => 'withStack' in l) as { sawBlock: number; withStack: number; status: number; before: { threads: number }; running: { threads: number }; after: { threads: number } } | undefined
  assert.ok(result, stdout)
  assert.equal(result.status, 200)
  assert.equal(result.sawBlock, count, `${result.sawBlock} of ${count} watchers reported the block`)
  assert.equal(result.withStack, count, `${result.withStack} of ${count} watchers had a stack`)
  assert.equal(result.running.threads, result.before.threads + 1, `one watchdog thread: ${JSON.stringify(result)}`)
  assert.ok(result.after.threads <= result.before.threads + 1, `threads: ${JSON.stringify(result)}`)
})
