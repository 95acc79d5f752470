import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fixture, runFixture } from '../helpers/run-fixture.js'

for (const file of ['only-watch.mjs', 'only-watch.cjs']) {
  test(`a script that only calls watchLoop() exits at once, silently (${file})`, async () => {
    const started = performance.now()
    const { code, stdout, stderr } = await runFixture(fixture(file), [], { timeout: 10_000 })
    const elapsedMs = performance.now() - started
    assert.equal(code, 0)
    assert.equal(stdout, '')
    assert.equal(stderr, '')
    // Generous: a Node start-up on a loaded machine. A watchdog that kept the
    // process alive would hit the 10 s timeout instead.
    assert.ok(elapsedMs < 5000, `took ${elapsedMs} ms`)
  })
}

test('preloaded with --import: one watchdog, the block reported, the exit code kept', async () => {
  const { code, stderr } = await runFixture(fixture('app-blocks.mjs'), [], {
    nodeArgs: ['--import', './preload-watch.mjs'],
    env: { DEBUG: 'loopwatch' },
  })
  assert.equal(code, 3)
  assert.equal(stderr.match(/watchdog worker started/g)?.length, 1, stderr)
  assert.match(stderr, /loopwatch: event loop blocked for \d+ ms \(threshold 30 ms, cause: wait(; [^)]*)?\)\n(.*\n)? {4}at blockFor \(block\.mjs:5:\d+\)\n {4}at Timeout\.appWork/)
})

test('preloaded through NODE_OPTIONS with --require: one watchdog', async () => {
  const { code, stderr } = await runFixture(fixture('app-blocks.mjs'), [], {
    env: { DEBUG: 'loopwatch', NODE_OPTIONS: '--require ./preload-watch.cjs' },
  })
  assert.equal(code, 3)
  assert.equal(stderr.match(/watchdog worker started/g)?.length, 1, stderr)
  assert.match(stderr, /at Timeout\.appWork/)
})

test('an app started with --inspect: blocks reported, no "Waiting for the debugger"', async () => {
  const { code, stderr } = await runFixture(fixture('app-blocks.mjs'), [], {
    nodeArgs: ['--inspect=127.0.0.1:0', '--import', './preload-watch.mjs'],
  })
  assert.equal(code, 3)
  assert.match(stderr, /at Timeout\.appWork/)
  assert.doesNotMatch(stderr, /Waiting for the debugger/)
})
