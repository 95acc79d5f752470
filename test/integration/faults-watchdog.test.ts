import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fixture, parseLines, runFixture } from '../helpers/run-fixture.js'

interface Result {
  events: { duration: number; frames: number }[]
  warnings: { code: string; message: string }[]
  status: number
  workerExitCode: number | string
}

const modes = {
  terminate: 'the watchdog worker is terminated from outside',
  throw: 'the watchdog worker throws while sampling (malformed probe output)',
  oom: 'the watchdog worker runs out of memory',
}

// Node 22+ aborts the whole process (V8 "Fatal JavaScript out of memory: GC
// during deserialization") when a worker's 1 MB heap cannot even hold its
// start-up snapshot; Node 20 turns it into the worker's error. Nothing a
// library can catch, so the case runs where Node lets a process survive it.
const kOomAbortsProcess = Number(process.versions.node.split('.')[0]) >= 22
  ? 'skipped on Node >= 22: a worker whose tiny heap cannot load its snapshot aborts the whole process there'
  : false

for (const [mode, title] of Object.entries(modes)) {
  test(`${title}: blocks are still measured, without stacks, one warning, the app still serves`, { skip: mode === 'oom' && kOomAbortsProcess }, async () => {
    const { code, stdout, stderr } = await runFixture(fixture('fault-worker.mjs'), [mode])
    assert.equal(code, 0, stderr)
    const result = parseLines(stdout).find((l) => 'events' in l) as Result | undefined
    assert.ok(result, stdout)
    assert.equal(result.status, 200)
    assert.notEqual(result.workerExitCode, 'still running')
    // Three 200 ms blocks, all measured; start-up stalls of a loaded machine may add more.
    const blocks = result.events.filter((e) => e.duration >= 200)
    assert.equal(blocks.length, 3, JSON.stringify(result.events))
    if (mode !== 'oom') assert.ok((blocks[0]?.frames ?? 0) > 0, 'the block before the failure has a stack')
    assert.equal(blocks[2]?.frames, 0, 'after the failure: durations only')
    assert.deepEqual(result.warnings.map((w) => w.code), ['LOOPWATCH_WATCHDOG_FAILED'])
    assert.equal(stderr.match(/LOOPWATCH_WATCHDOG_FAILED/g)?.length, 1, stderr)
  })
}
