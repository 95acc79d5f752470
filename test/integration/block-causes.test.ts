import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { BlockEvent } from '../../src/index.js'
import { userFrames } from '../helpers/assert-block.js'
import { fixture, runFixture } from '../helpers/run-fixture.js'

/** The longest event since the case began: the one it made (low thresholds also catch start-up stalls). */
async function longestBlock(which: string, mode: 'plain' | 'debug', threshold = 20): Promise<BlockEvent> {
  const { code, blockEvents: events, stdout, stderr } = await runFixture(fixture('causes.mjs'), [which, mode, String(threshold)],
    { nodeArgs: ['--expose-gc'], timeout: 60_000 })
  assert.equal(code, 0, stderr)
  const event = events.sort((a, b) => b.duration - a.duration)[0]
  assert.ok(event, `no event for ${which}; the fixture printed:\n${stdout}`)
  return event
}

const causes: [string, string][] = [
  ['loop', 'cpu'],
  ['execSync', 'sync-io'],
  ['readFileSync', 'sync-io'],
  ['pbkdf2Sync', 'sync-io'],
  ['atomics', 'wait'],
  ['gc', 'gc'],
]

for (const mode of ['plain', 'debug'] as const) {
  for (const [which, cause] of causes) {
    test(`cause of a ${which} block is ${cause} (${mode === 'plain' ? 'always-on' : 'debug'} mode)`, async () => {
      const event = await longestBlock(which, mode, which === 'readFileSync' ? 10 : 20)
      assert.equal(event.cause, cause)
    })
  }
}

test('debug mode names a function whose last act is one long JSON.parse, with its line', async () => {
  const event = await longestBlock('jsonParse', 'debug', 10)
  assert.equal(event.stack[0]?.functionName, 'JSON.parse')
  const [first] = userFrames(event)
  assert.equal(first?.functionName, 'parseHuge')
  assert.equal(first.line, 28)
})

test('debug mode names a function ending in readFileSync of a 64 MB file, with its line', async () => {
  const event = await longestBlock('readFileSync', 'debug', 10)
  assert.equal(event.stack[0]?.functionName, 'readFileSync')
  const [first] = userFrames(event)
  assert.equal(first?.functionName, 'readBig')
  assert.equal(first.line, 25)
})
