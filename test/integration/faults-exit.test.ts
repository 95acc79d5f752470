import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fixture, runFixture } from '../helpers/run-fixture.js'

// Known bug: the watchdog's inspector session is still connected to the main
// thread when the process exits in the middle of a capture, and Node prints
// "Waiting for the debugger to disconnect..." (it does not wait: the exit
// stays prompt). Marked todo until the host disconnects the session on exit.
const todo = 'loopwatch bug: exit during a capture prints "Waiting for the debugger to disconnect..."'

for (const [mode, exitCode, title] of [['capture', 7, 'while the watchdog samples a block'], ['hang', 9, 'after a hang report']] as const) {
  test(`process.exit() ${title}: exit code kept, prompt`, async () => {
    const started = performance.now()
    const { code } = await runFixture(fixture('fault-exit.mjs'), [mode])
    assert.equal(code, exitCode)
    assert.ok(performance.now() - started < 10_000)
  })

  test(`process.exit() ${title}: no "Waiting for the debugger" output`, { todo }, async () => {
    const { stderr } = await runFixture(fixture('fault-exit.mjs'), [mode])
    assert.doesNotMatch(stderr, /Waiting for the debugger/)
  })
}
