import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fixture, runFixture } from '../helpers/run-fixture.js'

// An inspector session still connected when the process exits makes Node
// print "Waiting for the debugger to disconnect...": at exit the host ends the
// stall and waits (briefly, synchronously) for the watchdog to disconnect.
for (const [mode, exitCode, title] of [['capture', 7, 'while the watchdog samples a block'], ['hang', 9, 'after a hang report']] as const) {
  test(`process.exit() ${title}: exit code kept, prompt`, async () => {
    const started = performance.now()
    const { code } = await runFixture(fixture('fault-exit.mjs'), [mode])
    assert.equal(code, exitCode)
    assert.ok(performance.now() - started < 10_000)
  })

  test(`process.exit() ${title}: no "Waiting for the debugger" output`, async () => {
    const { stderr } = await runFixture(fixture('fault-exit.mjs'), [mode])
    assert.doesNotMatch(stderr, /Waiting for the debugger/)
  })
}
