import assert from 'node:assert/strict'
import { test } from 'node:test'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { BlockEvent, StackFrame } from '../../src/index.js'
import { userFrames } from '../helpers/assert-block.js'
import { fixture, runFixture } from '../helpers/run-fixture.js'

// 13x the fixture's 30 ms threshold.
const kBlockMs = 400
const kOwnDirs = ['../../dist/', '../../src/'].map((dir) => fileURLToPath(new URL(dir, import.meta.url)))

/** Every frame an event carries: its stack, its profile, and its callbacks' scheduling stacks. */
function allFrames(event: BlockEvent): StackFrame[] {
  return [
    ...event.stack,
    ...event.profile.flatMap((entry) => entry.stack),
    ...(event.callback?.scheduledAt ?? []),
    ...(event.callbacks ?? []).flatMap((callback) => callback.scheduledAt ?? []),
  ]
}

/** Fails if loopwatch's own frames, or its message port as the blocking callback, appear in an event or the printed reports. */
function assertNothingOfLoopwatch(events: BlockEvent[], stderr: string): void {
  for (const event of events) {
    const own = allFrames(event).filter((frame) => kOwnDirs.some((dir) => frame.file.startsWith(dir)))
    assert.deepEqual(own, [], `loopwatch's own frames in ${JSON.stringify(event)}`)
    for (const callback of [event.callback, ...(event.callbacks ?? [])]) {
      assert.doesNotMatch(callback?.type ?? '', /MESSAGEPORT/, `loopwatch's message port blamed in ${JSON.stringify(event)}`)
    }
  }
  for (const dir of kOwnDirs) assert.ok(!stderr.includes(dir), `loopwatch's own files in the report:\n${stderr}`)
  assert.doesNotMatch(stderr, /MESSAGEPORT|MessagePort|callbackTrampoline/, `loopwatch's message port in the report:\n${stderr}`)
}

const line = (marker: string) => 1 + (readFixture().split('\n').findIndex((text) => text.includes(marker)))
let source: string | undefined
function readFixture(): string {
  return (source ??= readFileSync(fixture('own-frames.mjs'), 'utf8'))
}

for (const mode of ['debug-stacks', 'debug', 'plain']) {
  test(`${mode}: a block in a JSON.parse reviver names the reviver, with none of loopwatch's wrapper frames`, async () => {
    const { code, stderr, events, blockEvents } = await runFixture(fixture('own-frames.mjs'), ['inReviver', String(kBlockMs), mode])
    assert.equal(code, 0, stderr)
    assert.equal(blockEvents.length, 1, JSON.stringify(events))
    const [event] = blockEvents
    assert.ok(event)
    assert.ok(event.duration >= kBlockMs)
    // The live stack inside the reviver, not the JSON.parse call site it went through.
    assert.equal(event.cause, 'wait')
    const [first, reviver] = userFrames(event)
    assert.equal(first?.functionName, 'blockFor')
    assert.equal(reviver?.functionName, 'Object.reviver')
    assert.equal(reviver.line, line('REVIVER_LINE'))
    assertNothingOfLoopwatch(events, stderr)
  })
}

test('debug mode with scheduleStacks: a timer scheduled from a JSON.parse reviver is scheduled at the reviver, with no loopwatch frames', async () => {
  const { code, stderr, events, blockEvents } = await runFixture(fixture('own-frames.mjs'), ['reviverTimeout', String(kBlockMs), 'debug-stacks'])
  assert.equal(code, 0, stderr)
  assert.equal(blockEvents.length, 1, JSON.stringify(events))
  const [event] = blockEvents
  assert.equal(event?.kind, 'callback')
  assert.equal(event.callback?.type, 'Timeout')
  const [site, caller] = event.callback.scheduledAt ?? []
  assert.equal(site?.functionName, 'Object.reviver')
  assert.equal(site.line, line('SCHEDULED_LINE'))
  // The reviver's caller comes right after it: loopwatch's JSON.parse wrapper is not between them.
  assert.equal(caller?.functionName, 'Object.reviverTimeout')
  assert.match(stderr, /scheduled at:\n {4}at Object\.reviver /)
  assertNothingOfLoopwatch(events, stderr)
})
