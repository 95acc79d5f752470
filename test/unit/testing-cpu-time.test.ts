import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { BlockEvent, StackFrame } from '../../src/index.js'
import { optionsFromEnv, resolveLimits, validateTestingOptions } from '../../src/testing/options.js'
import { formatVerdict } from '../../src/testing/report.js'
import { judge } from '../../src/testing/verdict.js'

const cwd = '/app'
const frame = (functionName: string, line = 1): StackFrame => ({ functionName, file: '/app/src/code.ts', line, column: 3, internal: false })

let nextId = 1
function block(duration: number, cpu: BlockEvent['cpu'], cause: BlockEvent['cause'] = 'cpu'): BlockEvent {
  const stack = [frame('spin', 7)]
  return {
    id: nextId++, startTime: 0, duration, threshold: 10, thread: { id: 0, name: '' }, hang: false, stack, samples: 1, profile: [{ stack, count: 1 }], cause,
    ...(cpu === undefined ? {} : { cpu }),
  }
}

test('a starved stall never fails a test; with wallTime it does', () => {
  const starved = block(120, { onCpu: 4, waiting: 112, offCpu: 4 }, 'starved')
  assert.equal(judge([starved], resolveLimits({ threshold: 50 })), undefined)
  assert.equal(judge([starved], resolveLimits({ threshold: 50, budget: { totalBlocked: 50 } })), undefined)
  assert.deepEqual(judge([starved], resolveLimits({ threshold: 50, wallTime: true }))?.long, [starved])
})

test('a block counts for its own time: its wait for a CPU is taken off', () => {
  // 80 ms wall, 35 of its own: under the 50 ms limit.
  assert.equal(judge([block(80, { onCpu: 35, waiting: 45, offCpu: 0 })], resolveLimits({ threshold: 50 })), undefined)
  const real = block(302, { onCpu: 254, waiting: 40, offCpu: 8 })
  const verdict = judge([real], resolveLimits({ threshold: 50 }))
  assert.ok(verdict)
  assert.equal(formatVerdict(verdict, { workerThread: false, cwd }), [
    'the event loop was blocked for 262 ms during this test (limit 50 ms)',
    '  on CPU 254 ms, waiting for a CPU 40 ms, off CPU 8 ms (302 ms wall; the wait for a CPU does not count)',
    '    at spin (src/code.ts:7:3)',
  ].join('\n'))
  const wall = judge([real], resolveLimits({ threshold: 50, wallTime: true }))
  assert.ok(wall)
  assert.match(formatVerdict(wall, { workerThread: false, cwd }),
    /^the event loop was blocked for 302 ms during this test \(limit 50 ms\)\n {2}on CPU 254 ms, waiting for a CPU 40 ms, off CPU 8 ms \(302 ms wall\)\n/)
  // Unmeasured (not Linux): the wall time, as before.
  const plain = judge([block(120, undefined)], resolveLimits({ threshold: 50 }))
  assert.ok(plain)
  assert.match(formatVerdict(plain, { workerThread: false, cwd }), /^the event loop was blocked for 120 ms during this test \(limit 50 ms\)\n {4}at spin/)
})

test('wallTime: an option and LOOPWATCH_WALL_TIME', () => {
  assert.deepEqual(validateTestingOptions({ wallTime: true }), { wallTime: true })
  assert.throws(() => validateTestingOptions({ wallTime: 'yes' }), /^TypeError: Expected `wallTime` to be a boolean/)
  assert.deepEqual(optionsFromEnv({ LOOPWATCH_WALL_TIME: '1' }), { wallTime: true })
  assert.deepEqual(optionsFromEnv({ LOOPWATCH_WALL_TIME: 'false' }), { wallTime: false })
  assert.deepEqual(optionsFromEnv({ LOOPWATCH_WALL_TIME: '' }), {})
  assert.throws(() => optionsFromEnv({ LOOPWATCH_WALL_TIME: 'sure' }), /LOOPWATCH_WALL_TIME.*1, true, 0 or false/)
  assert.equal(resolveLimits({ threshold: 50, wallTime: true }).wallTime, true)
})
