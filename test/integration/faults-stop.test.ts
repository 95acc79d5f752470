import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fixture, parseLines, runFixture } from '../helpers/run-fixture.js'

interface Result { events: number; durations: number[]; status: number; stoppedInCapture: boolean }

const modes = {
  early: 'stop() a few ms into a block, before any capture',
  capture: 'stop() inside a block once the watchdog\'s probe has run on it',
  listener: 'stop() from inside a \'block\' listener',
}

for (const [mode, title] of Object.entries(modes)) {
  test(`${title}: nothing after it is emitted, the app serves and exits by itself`, async () => {
    const started = performance.now()
    const { code, stdout, stderr } = await runFixture(fixture('fault-stop.mjs'), [mode])
    assert.equal(code, 0, stderr)
    assert.equal(stderr, '')
    const result = parseLines(stdout).find((l) => 'durations' in l) as Result | undefined
    assert.ok(result, stdout)
    assert.equal(result.status, 200)
    // The fixture's blocks are 200 ms; start-up stalls of a loaded machine are shorter.
    const blocks = result.durations.filter((ms) => ms >= 150)
    if (mode === 'listener') assert.equal(blocks.length, 1, JSON.stringify(result.durations))
    else assert.deepEqual(blocks, [])
    if (mode === 'capture') assert.ok(result.stoppedInCapture, 'the probe never ran during the block')
    // A worker left running would keep it alive until the hard timeout.
    assert.ok(performance.now() - started < 15_000)
  })
}
