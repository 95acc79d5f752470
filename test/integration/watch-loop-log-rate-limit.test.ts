import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Clock } from '../../src/core/clock.js'
import { validateOptions } from '../../src/core/options.js'
import { LoopWatcher } from '../../src/core/watch-loop.js'

test('1,000 blocks from one culprit: every one counted and emitted, a handful of log lines', async (t) => {
  // A clock on which the loop is always busy: every heartbeat (and every
  // flush) measures a 1.5 s stall. The real watchdog never samples (the real
  // heartbeat is fresh), so every block has the same, empty stack.
  let nowMs = 0
  const busy: Clock = { now: () => (nowMs += 1500), idle: () => 0 }
  const lines: string[] = []
  const watcher = new LoopWatcher(validateOptions({ threshold: 1000, log: (text) => lines.push(text) }), busy)
  t.after(() => watcher.stop())
  let events = 0
  watcher.on('block', () => {
    if (++events === 1000) void watcher.stop()
  })
  while (events < 1000) await watcher.flush()
  await watcher.stop()
  assert.equal(events, 1000)
  assert.equal(watcher.stats().blocks, 1000)
  assert.equal(watcher.summary()[0]?.count, 1000)
  assert.equal(lines.length, 4, lines.join('\n'))
  assert.equal(lines.filter((l) => l.startsWith('loopwatch: event loop blocked for 1500 ms')).length, 3)
  assert.match(lines[3] ?? '', /^loopwatch: \(no stack sampled\) blocked 997 more times, 24 m 56 s in total, in the last \d+ (ms|s)$/)
})
