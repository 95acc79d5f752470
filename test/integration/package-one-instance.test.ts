import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fixture, runFixture } from '../helpers/run-fixture.js'

// A dependency that require()s loopwatch inside an ESM app, next to the
// app's own import and a preload, is the common case: they must share one
// module instance, so one watchdog thread serves every watcher.
test('import, require, --import and --require of loopwatch in one process: one watchdog thread, every watcher gets the stack', async () => {
  const result = await runFixture(fixture('one-instance.mjs'), [], {
    nodeArgs: ['--import', 'loopwatch/register', '--require', 'loopwatch/register'],
    env: { DEBUG: 'loopwatch', LOOPWATCH_THRESHOLD: '30' },
    timeout: 15_000,
  })
  assert.equal(result.code, 0, result.stderr)
  assert.match(result.stdout, /"sameModule":true/)
  assert.equal(result.stderr.match(/watchdog worker started/g)?.length, 1, result.stderr)
  // The preload's watcher (it logs) and the app's two watchers (they print JSON).
  assert.equal(result.blockEvents.length, 2, result.stdout)
  for (const event of result.blockEvents) {
    assert.ok(event.duration >= 300, `duration ${event.duration}`)
    assert.ok(event.stack.some((frame) => frame.functionName.endsWith('appWork')), JSON.stringify(event.stack))
  }
  assert.match(result.stderr, /loopwatch: event loop blocked for \d+ ms \(threshold 30 ms/)
})
