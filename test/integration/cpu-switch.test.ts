import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fixture, parseLines, runFixture } from '../helpers/run-fixture.js'

const linux = process.platform === 'linux'

const titles = {
  on: 'cpu: true splits a block and keeps schedstat open',
  off: 'cpu: false leaves the split out and opens no schedstat',
  mixed: 'a watcher with cpu: false that stops leaves the other watcher\'s accounting on',
}
for (const mode of ['on', 'off', 'mixed'] as const) {
  test(titles[mode],
    { skip: !linux }, async () => {
      const { code, blockEvents, stdout, stderr } = await runFixture(fixture('cpu-switch.mjs'), [mode], { timeout: 60_000 })
      assert.equal(code, 0, stderr)
      const event = blockEvents.sort((a, b) => b.duration - a.duration)[0]
      assert.ok(event && event.duration >= 200, `no 400 ms block; the fixture printed:\n${stdout}`)
      assert.equal(event.cause, 'wait')
      const schedstat = parseLines(stdout).find((line) => 'schedstat' in line)?.['schedstat'] as string[] | undefined
      assert.ok(schedstat, stdout)
      if (mode !== 'off') {
        assert.ok(event.cpu && event.cpu.offCpu >= 100, JSON.stringify(event.cpu))
        assert.ok(schedstat.length >= 1, JSON.stringify(schedstat))
        assert.match(stderr, /cause: wait; [^)]*off CPU/)
      } else {
        assert.equal('cpu' in event, false, JSON.stringify(event))
        assert.deepEqual(schedstat, [])
        assert.match(stderr, /event loop blocked for \d+ ms \(threshold 20 ms, cause: wait\)/)
      }
    })
}

test('LOOPWATCH_CPU=0 turns the accounting off under loopwatch/register', { skip: !linux }, async () => {
  const { code, stderr } = await runFixture(fixture('app-blocks.mjs'), [], {
    nodeArgs: ['--import', 'loopwatch/register'], env: { LOOPWATCH_CPU: '0' },
  })
  assert.equal(code, 3, stderr)
  assert.doesNotMatch(stderr, /LOOPWATCH_INVALID_ENV/)
  assert.match(stderr, /loopwatch: event loop blocked for \d+ ms \(threshold 100 ms, cause: wait\)\n/)
  assert.doesNotMatch(stderr, /on CPU|off CPU/)
})
