import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fixture, parseLines, runFixture } from '../helpers/run-fixture.js'

for (const [mode, title] of [['throw', 'a `log` function and a \'block\' listener that throw'], ['reject', 'a `log` function that throws and an async \'block\' listener that rejects']] as const) {
  test(`${title}: warnings, the other listeners still get every event, the app keeps serving`, async () => {
    const { code, stdout, stderr } = await runFixture(fixture('fault-listeners.mjs'), [mode])
    assert.equal(code, 0, stderr)
    const result = parseLines(stdout).find((l) => 'seen' in l) as { seen: number; warnings: string[]; status: number } | undefined
    assert.ok(result, stdout)
    assert.ok((result.seen) >= 2, `the good listener saw ${result.seen} events`)
    assert.equal(result.status, 200)
    // The log function and the listener fail at each of the two blocks.
    assert.ok(result.warnings.filter((w) => w === 'LOOPWATCH_LISTENER_FAILED').length >= 4, JSON.stringify(result.warnings))
  })
}

test('flush() right after a block, with nothing else alive, still resolves with the block emitted', async () => {
  const { code, stdout, stderr } = await runFixture(fixture('flush-alone.mjs'))
  assert.equal(code, 0, stderr)
  const result = parseLines(stdout).find((l) => 'flushed' in l) as { flushed: boolean; events: number } | undefined
  assert.ok(result?.flushed, 'flush() never resolved: the process exited first')
  assert.ok(result.events >= 1)
})
