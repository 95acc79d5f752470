import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { BlockEvent } from '../../src/index.js'
import { fixture, runFixture } from '../helpers/run-fixture.js'

const linux = process.platform === 'linux'

async function blockOf(which: string): Promise<BlockEvent> {
  const { code, blockEvents, stdout, stderr } = await runFixture(fixture('causes.mjs'), [which, 'plain', '20'], { timeout: 60_000 })
  assert.equal(code, 0, stderr)
  const event = blockEvents.sort((a, b) => b.duration - a.duration)[0]
  assert.ok(event, `no event for ${which}; the fixture printed:\n${stdout}`)
  return event
}

/** The parts add up to the block; lower bounds only: a loaded machine moves time from on CPU to waiting. */
function assertSplit(event: BlockEvent): NonNullable<BlockEvent['cpu']> {
  const { cpu } = event
  assert.ok(cpu, `no cpu accounting in ${JSON.stringify(event)}`)
  assert.ok(cpu.waiting !== undefined, 'Linux measures the run-queue wait')
  assert.ok(Math.abs(cpu.onCpu + cpu.waiting + cpu.offCpu - event.duration) < 0.01, JSON.stringify(cpu))
  return cpu
}

test('a JavaScript loop is on CPU or waiting for one, and stays a cpu block', { skip: !linux }, async () => {
  const event = await blockOf('loop')
  const cpu = assertSplit(event)
  assert.equal(event.cause, 'cpu')
  assert.ok(cpu.onCpu + (cpu.waiting ?? 0) >= 0.8 * event.duration, JSON.stringify(cpu))
})

for (const [which, cause] of [['atomics', 'wait'], ['execSync', 'sync-io']] as const) {
  test(`${which} is off CPU, and stays ${cause}`, { skip: !linux }, async () => {
    const event = await blockOf(which)
    const cpu = assertSplit(event)
    assert.equal(event.cause, cause)
    assert.ok(cpu.offCpu >= 0.8 * event.duration, JSON.stringify(cpu))
  })
}
