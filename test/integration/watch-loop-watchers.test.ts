import assert from 'node:assert/strict'
import { test } from 'node:test'
import { kBlockLine } from '../helpers/assert-block.js'
import { fixture, parseLines, runFixture } from '../helpers/run-fixture.js'

test('two watchers with different thresholds each see the blocks above their own', async () => {
  const { code, stdout } = await runFixture(fixture('two-watchers.mjs'))
  assert.equal(code, 0)
  // Only the blocks under test: a loaded machine can add start-up stalls.
  const seen = stdout.trim().split('\n').map((line) => JSON.parse(line) as { watcher: string; duration: number; first?: string })
    .filter((event) => event.first === 'blockFor')
  const fast = seen.filter((e) => e.watcher === 'fast')
  const slow = seen.filter((e) => e.watcher === 'slow')
  assert.equal(fast.length, 2)
  assert.equal(slow.length, 1)
  assert.ok((slow[0]?.duration ?? 0) >= 400)
  assert.ok(fast.some((e) => e.duration >= 100 && e.duration < 200))
})

test('stop() is idempotent; a block in progress when it is called is not emitted, nor any after', async () => {
  const { code, stdout } = await runFixture(fixture('stop.mjs'))
  assert.equal(code, 0)
  assert.deepEqual(JSON.parse(stdout), { same: true, events: 0 })
})

test('a stall that moves is blamed on the function most samples saw, not on the first sample', async () => {
  const { code, blockEvents: events } = await runFixture(fixture('moving-block.mjs'))
  assert.equal(code, 0)
  assert.equal(events.length, 1, JSON.stringify(events))
  const [event] = events
  assert.ok(event)
  const first = event.stack.find((frame) => !frame.internal)
  assert.equal(first?.functionName, 'blockFor')
  assert.equal(first.line, kBlockLine)
  // The profile still shows where the stall began.
  assert.ok(event.profile.some((entry) => entry.stack.find((frame) => !frame.internal)?.functionName === 'prelude'),
    JSON.stringify(event.profile.map((entry) => [entry.stack[0]?.functionName, entry.count])))
})

test('watchers share one watchdog thread: a later, lower threshold is served from ready(); each has its own hang timeout and its own copy of the stack', async () => {
  const { code, stdout, stderr } = await runFixture(fixture('shared-watchdog.mjs'))
  assert.equal(code, 0, stderr)
  const lines = parseLines(stdout)
  const seen = lines.filter((l) => l['first'] === 'blockFor') as { watcher: string; duration: number; hang: boolean; frames: number }[]
  const fast = seen.filter((e) => e.watcher === 'fast')
  const slow = seen.filter((e) => e.watcher === 'slow')
  // fast: the 100, 400 and (after slow stopped) 100 ms blocks; slow: the 400 ms one.
  assert.deepEqual(fast.map((e) => e.duration >= 400), [false, true, false], stdout)
  assert.equal(slow.length, 1, stdout)
  assert.ok((slow[0]?.duration ?? 0) >= 400)
  // Past fast's 250 ms hangTimeout, not slow's 5 s one.
  assert.deepEqual(fast.map((e) => e.hang), [false, true, false])
  assert.equal(slow[0]?.hang, false)
  // Each event had its stack, though the listener of the other watcher emptied its own.
  assert.ok([...fast, ...slow].every((e) => e.frames > 0), stdout)
  const threads = lines.find((l) => 'running' in l) as { before: number; running: number; after: number } | undefined
  assert.equal(threads?.running, (threads?.before ?? 0) + 1, `one watchdog thread for both: ${JSON.stringify(threads)}`)
})

test('a watcher with a high threshold gets its stack though a low-threshold watcher used up the regular samples long before', async () => {
  const { code, stdout, stderr } = await runFixture(fixture('shared-watchdog-long.mjs'), [], { timeout: 30_000 })
  assert.equal(code, 0, stderr)
  const seen = parseLines(stdout).filter((l) => (l['duration'] as number) >= 2600) as { watcher: string; first?: string; samples: number }[]
  assert.deepEqual(seen.map((e) => e.watcher).sort(), ['high', 'low'], stdout)
  assert.ok(seen.every((e) => e.first === 'blockFor' && e.samples > 0), stdout)
})
