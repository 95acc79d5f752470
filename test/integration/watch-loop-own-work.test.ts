import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { BlockEvent } from '../../src/index.js'
import { fixture, runFixture } from '../helpers/run-fixture.js'

// 15x the fixture's 20 ms threshold.
const kBlockMs = 300
const kThresholdMs = 20

/** Node's source-map parser, which loopwatch runs on the main thread to map tsx's in-memory maps. */
const mapsParsing = (event: BlockEvent) => JSON.stringify([event.stack, event.profile]).includes('node:internal/source_map')

async function run(mode: string, then?: string) {
  const args = [mode, String(kThresholdMs), String(kBlockMs), ...(then === undefined ? [] : [then])]
  const result = await runFixture(fixture('own-work.mjs'), args, { nodeArgs: ['--import', 'tsx'], timeout: 60_000 })
  assert.equal(result.code, 0, result.stderr)
  const [block] = result.blockEvents
  assert.ok(block, `no event for the block: ${JSON.stringify(result.events)}`)
  const after = result.events.filter((event) => event.startTime > block.startTime)
  return { ...result, block, after }
}

for (const mode of ['plain', 'debug-stacks']) {
  test(`${mode}: loopwatch's own work after a block (mapping tsx's source map, printing the report) is not a block`, async () => {
    const { block, after, stderr } = await run(mode)
    assert.ok(block.duration >= kBlockMs)
    assert.equal(block.stack.find((frame) => !frame.internal)?.functionName, 'blockFor')
    // Parsing the module's source map takes tens of ms on the main thread, after the block.
    assert.deepEqual(after.filter(mapsParsing), [], 'the source-map parsing was reported')
    // A loaded machine may stall the process now and then ('starved'); nothing else blocks after the block.
    const blocks = after.filter((event) => event.cause !== 'starved' && event.duration >= 3 * kThresholdMs)
    assert.deepEqual(blocks, [], `blocks after the block: ${JSON.stringify(blocks)}`)
    assert.match(stderr, /at blockFor \(.*big\.ts:\d+:\d+\)/)
  })

  test(`${mode}: a 'block' listener that blocks is measured alone, and blamed on the listener, not on loopwatch's callback`, async () => {
    const { after } = await run(mode, 'listener')
    const inListener = after.filter((event) => event.stack.some((frame) => frame.functionName.endsWith('blockInListener')))
    assert.equal(inListener.length, 1, JSON.stringify(after))
    const [event] = inListener
    assert.ok(event)
    assert.ok(event.duration >= kBlockMs)
    assert.equal(event.cause, 'wait')
    // The source map parsed right before the listener ran is not part of its block.
    assert.equal(mapsParsing(event), false, JSON.stringify(event.profile))
    // The callback that ran the listener is loopwatch's: debug mode names none.
    assert.equal(event.callback, undefined)
    assert.notEqual(event.kind, 'turn')
  })
}
