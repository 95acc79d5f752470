import { sep } from 'node:path'
import { isRegExp } from 'node:util/types'
import type { BlockEvent, ProfileEntry } from '../core/events.js'
import { stackKey, type StackFrame } from '../watchdog/frames.js'
import type { AllowRule, Limits } from './options.js'
import { kOwnDir } from '../watchdog/own-dir.js'

/** Why a test failed: the blocks that broke its limits. */
export interface Verdict {
  /** Blocks whose counted time is longer than `limits.maxBlock`, in order. */
  long: BlockEvent[]
  /**
   * Every counted stall, when their total broke `limits.totalBlocked` (and
   * the long blocks alone do not explain it); else empty.
   */
  stalls: BlockEvent[]
  /** Total of the counted time (ms). */
  totalMs: number
  limits: Limits
  /**
   * Blocks that ran partly in allowed code, by id: the milliseconds that
   * count (the block's share of samples elsewhere in the test's code).
   */
  partlyAllowed: Record<number, number>
}

/**
 * Judges the blocks seen during one test against its limits. What allowed
 * code ran counts for nothing; the rest of a block counts as if it were a
 * block of its own. Returns `undefined` when the test passes.
 */
export function judge(blocks: readonly BlockEvent[], limits: Limits): Verdict | undefined {
  if (limits.off) return undefined
  const partlyAllowed: Record<number, number> = {}
  const counted: BlockEvent[] = []
  const wallTime = limits.wallTime ?? false
  for (const block of blocks) {
    if (isRuntimesOwn(block)) continue
    // A busy runner's stall, not the test's.
    if (block.cause === 'starved' && !wallTime) continue
    const share = allowedShare(block, limits.allow)
    if (share === 1) continue
    // The runner formatting a stack (jest's first `toThrow` of a file) is
    // not the test's doing: its share of the samples counts for nothing.
    const own = 1 - formattingShare(block)
    if (share > 0 || own < 1) partlyAllowed[block.id] = ownMs(block, wallTime) * own * (1 - share)
    counted.push(block)
  }
  const msOf = (block: BlockEvent) => countedMs(block, { partlyAllowed, limits })
  const long = counted.filter((block) => msOf(block) > limits.maxBlock)
  const totalMs = counted.reduce((sum, block) => sum + msOf(block), 0)
  const overTotal = totalMs > limits.totalBlocked
  if (long.length === 0 && !overTotal) return undefined
  // The total is worth a report of its own only when the long blocks do
  // not already explain it.
  const shortMs = counted.filter((block) => msOf(block) <= limits.maxBlock).reduce((sum, block) => sum + msOf(block), 0)
  const reportTotal = overTotal && (long.length === 0 || shortMs > limits.totalBlocked)
  return { long, stalls: reportTotal ? counted : [], totalMs, limits, partlyAllowed }
}

/**
 * What counts of a block: its own time (or all of it, with `wallTime`), or
 * what of that ran outside allowed code (see {@link Verdict.partlyAllowed}).
 */
export function countedMs(block: BlockEvent, { partlyAllowed, limits }: Pick<Verdict, 'partlyAllowed' | 'limits'>): number {
  return partlyAllowed[block.id] ?? ownMs(block, limits.wallTime ?? false)
}

/** A block's own time: its wall time minus its wait for a CPU, where that is measured; all of it with `wallTime`. */
export function ownMs(block: BlockEvent, wallTime: boolean): number {
  return wallTime || block.cpu?.waiting === undefined ? block.duration : block.duration - block.cpu.waiting - (block.cpu.othersWaiting ?? 0)
}

/** npm packages whose frames are the test runner's own machinery. */
export const kRunnerPackages = new Set(['mocha', 'jest-circus', 'jest-runner', 'jest-runtime', '@vitest/runner', 'vitest', 'tinypool'])
/** loopwatch's own files (mocha's test wrapper runs under the test's code), source-mapped or not. */
const kOwnDirs = kOwnDir === undefined ? [] : [kOwnDir.endsWith(sep) ? kOwnDir : kOwnDir + sep]

/** A frame of the test runner's (node:test's internals, a runner's package) or loopwatch's. */
export function isMachineryFrame(frame: StackFrame): boolean {
  return frame.file.startsWith('node:internal/test_runner/') ||
    (frame.package !== undefined && kRunnerPackages.has(frame.package)) ||
    frame.package === 'loopwatch' || kOwnDirs.some((dir) => frame.file.startsWith(dir))
}

/** A stack that runs code of the test or the app, not only Node's internals, the runner's or loopwatch's. */
export function runsUserCode(stack: readonly StackFrame[]): boolean {
  return !isStackFormatting(stack) && stack.some((frame) => !frame.internal && !isMachineryFrame(frame))
}

/** Packages that install an `Error.prepareStackTrace` for a runner (jest's, source-map-support). */
const kStackFormatters = new Set(['@jest/source-map', 'source-map-support', 'jest-util', 'vite', 'vite-node', '@vitest/utils'])

/**
 * Node's `Error.prepareStackTrace` call is on the stack, and the function it
 * called is the runner's (jest's source-mapping formatter) or Node's own
 * (`--enable-source-maps`): the sample is stack formatting, whatever test
 * code lies below it. One the test or the app installed is its own code.
 */
export function isStackFormatting(stack: readonly StackFrame[]): boolean {
  const at = stack.findIndex((frame) => frame.functionName === 'prepareStackTraceCallback' && frame.file.startsWith('node:internal/'))
  if (at === -1) return false
  const formatter = stack.slice(0, at).findLast((frame) => !frame.internal)
  return formatter === undefined || (formatter.package !== undefined &&
    (kStackFormatters.has(formatter.package) || kRunnerPackages.has(formatter.package)))
}

/** The share of a block's samples (0 to 1) that the runner spent formatting a stack. */
export function formattingShare(block: BlockEvent): number {
  let formatting = 0
  let all = 0
  for (const { stack, count } of block.profile) {
    all += count
    if (isStackFormatting(stack)) formatting += count
  }
  if (all === 0) return isStackFormatting(block.stack) ? 1 : 0
  return formatting / all
}

/**
 * The sampled stacks that run the test's or the app's code: the event's
 * stack first, then the others, most sampled first. A sample can land in
 * the runner's code once the blocking function has returned (its hooks run
 * on the same turn of the loop): it says nothing about the test.
 */
export function userStacks(block: BlockEvent): StackFrame[][] {
  return userSamples(block).map((entry) => entry.stack)
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
 * How much of a block allowed code ran, from 0 to 1. All of it when a
 * function rule accepts the block. Else the share of its samples in the
 * test's or app's code that hold a frame a string or RegExp rule matches:
 * a block that went on in other code of the test after the allowed
 * function returned still counts for that part, while one sample taken as
 * the test's function called the allowed one counts for little. None for a
 * block without a stack.
 */
export function allowedShare(block: BlockEvent, rules: readonly AllowRule[]): number {
  const frameRules: (string | RegExp)[] = []
  for (const rule of rules) {
    if (typeof rule === 'function') {
      if (rule(block)) return 1
    } else {
      frameRules.push(rule)
    }
  }
  if (frameRules.length === 0) return 0
  let inside = 0
  let all = 0
  for (const { stack, count } of userSamples(block)) {
    all += count
    if (passesThrough(stack, frameRules)) inside += count
  }
  return all === 0 ? 0 : inside / all
}

/** A block allowed altogether: see {@link allowedShare}. */
export function isAllowed(block: BlockEvent, rules: readonly AllowRule[]): boolean {
  return allowedShare(block, rules) === 1
}

/** Does the stack hold a frame one of the string or RegExp `rules` matches? */
export function passesThrough(stack: readonly StackFrame[], rules: readonly AllowRule[]): boolean {
  return stack.some((frame) => rules.some((rule) => typeof rule !== 'function' && frameMatches(frame, rule)))
}

/**
 * The samples in the test's or app's code, as stacks with their counts, the
 * event's stack first. The event's stack counts as one sample when no
 * sample saw it: debug mode puts there the call site of a long synchronous
 * call, which the watchdog could only sample after the call returned.
 */
function userSamples(block: BlockEvent): ProfileEntry[] {
  const key = stackKey(block.stack)
  const own = block.profile.find((entry) => stackKey(entry.stack) === key) ??
    (block.stack.length > 0 ? { stack: block.stack, count: 1 } : undefined)
  const samples = own === undefined ? block.profile : [own, ...block.profile.filter((entry) => entry !== own)]
  return samples.filter((entry) => runsUserCode(entry.stack))
}

/** Does one frame match one string or RegExp rule? See `AllowRule`. */
export function frameMatches(frame: StackFrame, rule: string | RegExp): boolean {
  if (isRegExp(rule)) {
    // A global or sticky RegExp keeps state between test() calls.
    // Tried on the bare name too: `/^spin/` must match `Object.spinFor`
    // (a CommonJS helper called as `helpers.spinFor()`), as `'spinFor'` does.
    const bare = bareName(frame.functionName)
    for (const text of bare === frame.functionName ? [bare, frame.file] : [frame.functionName, bare, frame.file]) {
      rule.lastIndex = 0
      if (text !== '' && rule.test(text)) return true
    }
    return false
  }
  const name = frame.functionName.replace(/^async /, '')
  if (name === rule || name.endsWith(`.${rule}`) || frame.package === rule) return true
  return rule.includes('/') && frame.file.replaceAll('\\', '/').includes(rule)
}

/** A frame's function name without its receiver and prefixes: `spinFor` of `async Object.spinFor`. */
export function bareName(functionName: string): string {
  const name = functionName.replace(/^(async |new )/, '')
  return name.slice(name.lastIndexOf('.') + 1)
}
