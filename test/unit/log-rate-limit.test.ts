import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { BlockEvent, StackFrame } from '../../src/index.js'
import { createBlockLogger, kLogWindowMs, kReportsPerWindow, type LoggerDeps } from '../../src/report/log.js'

const parse: StackFrame[] = [{ functionName: 'parseReport', file: `${process.cwd()}/src/report.ts`, line: 12, column: 5, internal: false }]
const render: StackFrame[] = [{ functionName: 'render', file: `${process.cwd()}/src/page.ts`, line: 3, column: 1, internal: false }]
const event = (stack: StackFrame[], duration = 110): BlockEvent =>
  ({ id: 1, startTime: 0, duration, threshold: 100, thread: { id: 0, name: '' }, hang: false, stack, samples: 1, profile: [], cause: 'cpu' })

/** A clock and timers the test moves by hand. */
function fakeDeps() {
  let nowMs = 0
  let timer: { atMs: number; fn: () => void } | undefined
  let exitFn: (() => void) | undefined
  const deps: LoggerDeps = {
    now: () => nowMs,
    schedule(fn, ms) {
      const entry = { atMs: nowMs + ms, fn }
      timer = entry
      return () => {
        if (timer === entry) timer = undefined
      }
    },
    onExit(fn) {
      exitFn = fn
      return () => {
        exitFn = undefined
      }
    },
  }
  return {
    deps,
    /** Moves the clock, stopping at each timer that falls due on the way. */
    advance(ms: number) {
      const targetMs = nowMs + ms
      while (timer !== undefined && timer.atMs <= targetMs) {
        const { fn, atMs } = timer
        nowMs = atMs
        timer = undefined
        fn()
      }
      nowMs = targetMs
    },
    exit: () => exitFn?.(),
    hasExitHook: () => exitFn !== undefined,
  }
}

test('1,000 blocks from one culprit: a few full reports, then one line that counts the rest', () => {
  const clock = fakeDeps()
  const lines: string[] = []
  const logger = createBlockLogger((text) => lines.push(text), clock.deps)
  for (let i = 0; i < 1000; i++) {
    logger.log(event(parse, 40))
    clock.advance(50) // 1,000 blocks in 50 s: one window
  }
  assert.equal(lines.length, kReportsPerWindow)
  assert.ok(lines.every((l) => l.startsWith('loopwatch: event loop blocked for 40 ms')))
  clock.advance(kLogWindowMs)
  assert.equal(lines.length, kReportsPerWindow + 1)
  assert.equal(lines.at(-1), 'loopwatch: parseReport (src/report.ts:12) blocked 997 more times, 39.9 s in total, in the last 60 s')
})

test('each culprit has its own budget; a new window reports in full again', () => {
  const clock = fakeDeps()
  const lines: string[] = []
  const logger = createBlockLogger((text) => lines.push(text), clock.deps)
  for (let i = 0; i < 5; i++) logger.log(event(parse))
  for (let i = 0; i < 2; i++) logger.log(event(render))
  assert.equal(lines.filter((l) => l.includes('parseReport')).length, kReportsPerWindow)
  assert.equal(lines.filter((l) => l.includes('render')).length, 2)
  clock.advance(kLogWindowMs + 1)
  assert.match(lines.at(-1) ?? '', /^loopwatch: parseReport \(src\/report\.ts:12\) blocked 2 more times, 220 ms in total, in the last 60 s$/)
  logger.log(event(parse))
  assert.match(lines.at(-1) ?? '', /^loopwatch: event loop blocked for 110 ms/)
})

test('a single folded block reads "once more"; flush() (stop) writes the pending lines at once', () => {
  const clock = fakeDeps()
  const lines: string[] = []
  const logger = createBlockLogger((text) => lines.push(text), clock.deps)
  for (let i = 0; i <= kReportsPerWindow; i++) logger.log(event(parse, 2000))
  clock.advance(12_000)
  logger.flush()
  assert.equal(lines.at(-1), 'loopwatch: parseReport (src/report.ts:12) blocked once more, 2.0 s in total, in the last 12 s')
  assert.equal(clock.hasExitHook(), false)
  logger.flush()
  assert.equal(lines.length, kReportsPerWindow + 1)
})

test('the pending line is written at exit too', () => {
  const clock = fakeDeps()
  const lines: string[] = []
  const logger = createBlockLogger((text) => lines.push(text), clock.deps)
  for (let i = 0; i < 10; i++) logger.log(event(parse))
  assert.equal(clock.hasExitHook(), true)
  clock.advance(3000)
  clock.exit()
  assert.match(lines.at(-1) ?? '', /blocked 7 more times, 770 ms in total, in the last 3 s$/)
})

test('log: false writes nothing and keeps no state', () => {
  const clock = fakeDeps()
  const logger = createBlockLogger(false, clock.deps)
  for (let i = 0; i < 10; i++) logger.log(event(parse))
  logger.flush()
  assert.equal(clock.hasExitHook(), false)
})
