import { join, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { isRegExp } from 'node:util/types'
import type { BlockEvent } from '../events.js'
import type { StackFrame } from '../stack.js'
import type { AllowRule, Limits } from './options.js'

/** Why a test failed: the blocks that broke its limits. */
export interface Verdict {
  /** Blocks longer than `limits.maxBlock`, in order. */
  long: BlockEvent[]
  /**
   * Every counted stall, when their total broke `limits.totalBlocked` (and
   * the long blocks alone do not explain it); else empty.
   */
  stalls: BlockEvent[]
  /** Total of the counted stalls (ms). */
  totalMs: number
  limits: Limits
}

/**
 * Judges the blocks seen during one test against its limits. Allowed blocks
 * count for nothing. Returns `undefined` when the test passes.
 */
export function judge(blocks: readonly BlockEvent[], limits: Limits): Verdict | undefined {
  if (limits.off) return undefined
  const counted = blocks.filter((block) => !isAllowed(block, limits.allow, limits.maxBlock) && !isRuntimesOwn(block))
  const long = counted.filter((block) => block.duration > limits.maxBlock)
  const totalMs = counted.reduce((sum, block) => sum + block.duration, 0)
  const overTotal = totalMs > limits.totalBlocked
  if (long.length === 0 && !overTotal) return undefined
  // The total is worth a report of its own only when the long blocks do
  // not already explain it.
  const shortMs = counted.filter((block) => block.duration <= limits.maxBlock).reduce((sum, block) => sum + block.duration, 0)
  const reportTotal = overTotal && (long.length === 0 || shortMs > limits.totalBlocked)
  return { long, stalls: reportTotal ? counted : [], totalMs, limits }
}

/** npm packages whose frames are the test runner's own machinery. */
export const kRunnerPackages = new Set(['mocha', 'jest-circus', 'jest-runner', 'jest-runtime', '@vitest/runner', 'vitest', 'tinypool'])
/** loopwatch's own files (mocha's test wrapper runs under the test's code), source-mapped or not. */
const kOwnRoot = fileURLToPath(new URL('..', import.meta.url))
const kOwnDirs = [join(kOwnRoot, 'dist') + sep, join(kOwnRoot, 'src') + sep]

/** A frame of the test runner's (node:test's internals, a runner's package) or loopwatch's. */
export function isMachineryFrame(frame: StackFrame): boolean {
  return frame.file.startsWith('node:internal/test_runner/') ||
    (frame.package !== undefined && kRunnerPackages.has(frame.package)) ||
    frame.package === 'loopwatch' || kOwnDirs.some((dir) => frame.file.startsWith(dir))
}

/** A stack that runs code of the test or the app, not only Node's internals, the runner's or loopwatch's. */
export function runsUserCode(stack: readonly StackFrame[]): boolean {
  return stack.some((frame) => !frame.internal && !isMachineryFrame(frame))
}

/**
 * The sampled stacks that run the test's or the app's code, first sample
 * first. A sample can land in the runner's code once the blocking function
 * has returned (its hooks run on the same turn of the loop): it says nothing
 * about the test.
 */
export function userStacks(block: BlockEvent): StackFrame[][] {
  const stacks = [block.stack, ...block.profile.map((entry) => entry.stack)]
  return stacks.filter(runsUserCode)
}

/**
 * Not the test's doing: stacks were sampled, and none holds a frame of the
 * test's or the app's code, only Node's internals and the runner's (node
 * --test's reporter writing results from the test's process, say). A block
 * without any stack cannot be told apart, and counts.
 */
export function isRuntimesOwn(block: BlockEvent): boolean {
  return block.stack.length > 0 && userStacks(block).length === 0
}

/**
 * A block is allowed when a function rule accepts it, or when the samples
 * in the test's or app's code put it in code a string or RegExp rule
 * matches, and what they put elsewhere is no longer than `maxBlockMs` (the
 * block's duration times the share of those samples). A block that went on
 * in other code of the test after the allowed function returned still
 * counts when that part alone would break the limit; a lone sample taken as
 * the test's function was entered does not.
 */
export function isAllowed(block: BlockEvent, rules: readonly AllowRule[], maxBlockMs = 0): boolean {
  if (rules.length === 0) return false
  const frameRules: (string | RegExp)[] = []
  for (const rule of rules) {
    if (typeof rule === 'function') {
      if (rule(block)) return true
    } else {
      frameRules.push(rule)
    }
  }
  if (frameRules.length === 0) return false
  let inside = 0
  let outside = 0
  for (const { stack, count } of userSamples(block)) {
    if (stack.some((frame) => frameRules.some((rule) => frameMatches(frame, rule)))) inside += count
    else outside += count
  }
  return inside > 0 && block.duration * outside / (inside + outside) <= maxBlockMs
}

/** The samples in the test's or app's code, as stacks with their counts. */
function userSamples(block: BlockEvent): { stack: StackFrame[], count: number }[] {
  const profile = block.profile.length > 0 ? block.profile : [{ stack: block.stack, count: 1 }]
  return profile.filter((entry) => runsUserCode(entry.stack))
}

/** Does one frame match one string or RegExp rule? See `AllowRule`. */
export function frameMatches(frame: StackFrame, rule: string | RegExp): boolean {
  if (isRegExp(rule)) {
    // A global or sticky RegExp keeps state between test() calls.
    rule.lastIndex = 0
    if (rule.test(frame.functionName)) return true
    rule.lastIndex = 0
    return frame.file !== '' && rule.test(frame.file)
  }
  const name = frame.functionName.replace(/^async /, '')
  if (name === rule || name.endsWith(`.${rule}`) || frame.package === rule) return true
  return rule.includes('/') && frame.file.replaceAll('\\', '/').includes(rule)
}
