import assert from 'node:assert/strict'
import type { BlockEvent, StackFrame } from '../../src/index.js'
import { fixture } from './run-fixture.js'

/** The line of `blockFor`'s Atomics.wait in fixtures/block.mjs. */
export const kBlockLine = 5

/** The innermost frames that are not internal. */
export function userFrames(event: BlockEvent): StackFrame[] {
  return event.stack.filter((frame) => !frame.internal)
}

/**
 * Asserts an event blamed `blockFor` (file and line) and measured at least the
 * block, at most max(5 ms, 5 %) above it.
 */
export function assertBlamesBlockFor(event: BlockEvent, blockMs: number): void {
  const [first] = userFrames(event)
  assert.ok(first, `no user frame in ${JSON.stringify(event.stack)}`)
  assert.equal(first.functionName, 'blockFor')
  assert.equal(first.file, fixture('block.mjs'))
  assert.equal(first.line, kBlockLine)
  assertDuration(event, blockMs)
}

export function assertDuration(event: BlockEvent, blockMs: number): void {
  assert.ok(event.duration >= blockMs, `duration ${event.duration} ms is under the ${blockMs} ms block`)
  // Within 5 %, besides the time the thread waited for a CPU around the
  // block, which a loaded machine adds to the stall (636 ms for a 600 ms
  // block at load average 8 on 2 cores).
  const slack = Math.max(5, blockMs * 0.05) + (event.cpu?.waiting ?? 0)
  assert.ok(event.duration <= blockMs + slack, `duration ${event.duration} ms is over ${blockMs} ms + ${slack} ms (${JSON.stringify(event.cpu)})`)
}
