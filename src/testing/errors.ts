import { withCode } from '../core/errors.js'
import type { BlockEvent } from '../core/events.js'

/** Error codes of `loopwatch/testing`. */
export const testingCodes = {
  /** A test, or the function given to `expectNoBlock()`, blocked the event loop past its limits. */
  blocked: 'ERR_LOOPWATCH_BLOCKED',
  /** `failOnBlock()` could not tell which test runner is running. */
  noRunner: 'ERR_LOOPWATCH_NO_RUNNER',
  /** `allowBlocking()` was called while no test was running. */
  notInTest: 'ERR_LOOPWATCH_NOT_IN_TEST',
} as const

/**
 * Thrown (as a test failure) or rejected with (by `expectNoBlock()`) when the
 * event loop was blocked past the limits. The message holds the culprits'
 * stacks; `blocks` holds the events.
 */
export class LoopBlockedError extends Error {
  /** `'ERR_LOOPWATCH_BLOCKED'`. */
  readonly code = testingCodes.blocked
  /** The blocks that broke the limits, in order. */
  declare readonly blocks: readonly BlockEvent[]

  constructor(message: string, blocks: readonly BlockEvent[]) {
    super(message)
    // Not enumerable: runners print an error's own properties, and a list of
    // events with their profiles would bury the message.
    Object.defineProperty(this, 'blocks', { value: blocks, enumerable: false })
    // The culprits' frames are in the message; the frames of the hook that
    // threw this would only point away from them.
    this.stack = `${this.name}: ${message}`
  }

  /**
   * Recognises the error across copies of this class: each entry point
   * bundles its own, and jest loads one per test file in its own realm.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (typeof value !== 'object' || value === null) return false
    const candidate = value as { code?: unknown; name?: unknown; blocks?: unknown }
    return candidate.code === testingCodes.blocked && candidate.name === 'LoopBlockedError' && Array.isArray(candidate.blocks)
  }
}
Object.defineProperty(LoopBlockedError.prototype, 'name', { value: 'LoopBlockedError', configurable: true, writable: true })

/** `failOnBlock()` found no runner it knows. */
export function noRunnerError(detail = ''): Error {
  return withCode(new Error(
    `failOnBlock() could not tell which test runner is running${detail}. It supports node:test, vitest, jest and mocha: ` +
    'use the entry point for yours (node --import loopwatch/testing/node --test; vitest setupFiles: [\'loopwatch/testing/vitest\']; ' +
    'jest setupFilesAfterEnv: [\'loopwatch/testing/jest\']; mocha --require loopwatch/testing/mocha), ' +
    'or check a piece of code with `await expectNoBlock(fn)` instead.',
  ), testingCodes.noRunner)
}
