import { isRegExp } from 'node:util/types'
import { codes, describe, invalidType, invalidValue, withCode } from '../core/errors.js'
import type { BlockEvent } from '../core/events.js'
import { expectPositiveMs } from '../core/options.js'

/**
 * A known, accepted blocker (BlockHound's `allowBlockingCallsInside`). The
 * part of a block that the samples in the test's or app's code put in a
 * matching frame counts for nothing; the rest counts as a block of its own.
 * A rule matches like this:
 * - a string matches a frame's function name (`loadFixture`, or the method of
 *   `Loader.loadFixture`), an npm package name (`better-sqlite3`), or, when it
 *   contains a `/`, part of the frame's file path (`test/fixtures/`);
 * - a RegExp is tested against the function name, the bare name (`spinFor`
 *   of `Object.spinFor`) and the file path;
 * - a function receives the whole block and returns `true` to allow it.
 */
export type AllowRule = string | RegExp | ((block: BlockEvent) => boolean)

/** Per-test limits. Times in milliseconds. */
export interface Budget {
  /**
   * The longest single block a test may have (ms).
   * @default `threshold`
   */
  maxBlock?: number
  /**
   * The most a test may block in total (ms): every stall of 10 ms or more
   * counts, not only those above `threshold`, so a test fails on many short
   * blocks too. Unlimited when unset.
   */
  totalBlocked?: number
}

/** Options for `failOnBlock()`, `expectNoBlock()` and `allowBlocking()`. */
export interface FailOnBlockOptions {
  /**
   * A block of the event loop longer than this many milliseconds fails the
   * test. At least 10 ms, the shortest stall loopwatch/testing measures.
   * The default is measured on real suites (README, "Why 200 ms"): below it,
   * cold-start work (a first schema compile, a first module load) lands at
   * the limit and verdicts change between identical runs.
   * @default 200 (ms)
   */
  threshold?: number
  /** Blockers that never fail a test. See {@link AllowRule}. */
  allow?: readonly AllowRule[]
  /** Per-test limits: the longest block and the total blocked time. */
  budget?: Budget
  /**
   * Count a block's wall time, its wait for a CPU included. By default (on
   * Linux, where the wait is measured) a block counts for its own time only,
   * and a stall of cause `starved` (a busy runner's, not the code's) never
   * fails a test. Also `LOOPWATCH_WALL_TIME=1`.
   * @default false
   */
  wallTime?: boolean
  /**
   * Fail no test: print what would fail each test to stderr instead, to see
   * what a suite blocks on before turning the check on (`expectNoBlock()`
   * still rejects). Also `LOOPWATCH_REPORT_ONLY=1`.
   * @default false
   */
  reportOnly?: boolean
}

/** The limits one test is held to, every default filled in. */
export interface Limits {
  /** Blocks longer than this fail the test (ms). */
  readonly maxBlock: number
  /** The total blocked time allowed (ms); `Infinity` when unlimited. */
  readonly totalBlocked: number
  readonly allow: readonly AllowRule[]
  /** Set by `allowBlocking()` without options: nothing this test does fails it. */
  readonly off: boolean
  /** Count wall time, run-queue wait included (see {@link FailOnBlockOptions.wallTime}). */
  readonly wallTime?: boolean
  /** Print verdicts instead of failing tests (see {@link FailOnBlockOptions.reportOnly}). */
  readonly reportOnly?: boolean
}

/**
 * Default `threshold`, in milliseconds. At 50 ms the failing set changed
 * between identical quiet runs of real suites (a first ajv compile alone is
 * 42 ms); at 200 ms only real blocks failed, and the same ones every run.
 * pyleak uses 200 ms too.
 */
export const kDefaultTestThreshold = 200
/**
 * The watcher's own threshold, in milliseconds: every stall longer than this
 * is measured (and sampled) so that `totalBlocked` can add them up.
 */
export const kStallFloor = 10

const kKnown = ['threshold', 'allow', 'budget', 'wallTime', 'reportOnly']
const kBudgetKeys = ['maxBlock', 'totalBlocked']

/** The environment variables the runner entry points read, by option. */
export const kEnv = {
  threshold: 'LOOPWATCH_THRESHOLD',
  maxBlock: 'LOOPWATCH_MAX_BLOCK',
  totalBlocked: 'LOOPWATCH_TOTAL_BLOCKED',
  allow: 'LOOPWATCH_ALLOW',
  wallTime: 'LOOPWATCH_WALL_TIME',
  reportOnly: 'LOOPWATCH_REPORT_ONLY',
} as const

/**
 * Checks options once, synchronously; works on objects from another realm
 * too (jest hands us the test file's arrays and RegExps).
 */
export function validateTestingOptions(options: unknown): FailOnBlockOptions {
  if (options === undefined) return {}
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw invalidType('options', 'an object', options)
  }
  const record = options as Record<string, unknown>
  rejectUnknown('', record, kKnown)
  const result: FailOnBlockOptions = {}
  if (record['threshold'] !== undefined) result.threshold = expectTestMs('threshold', record['threshold'])
  if (record['allow'] !== undefined) result.allow = validateAllow('allow', record['allow'])
  for (const key of ['wallTime', 'reportOnly'] as const) {
    if (record[key] === undefined) continue
    if (typeof record[key] !== 'boolean') throw invalidType(key, 'a boolean', record[key])
    result[key] = record[key]
  }
  if (record['budget'] !== undefined) {
    const budget = record['budget']
    if (budget === null || typeof budget !== 'object' || Array.isArray(budget)) {
      throw invalidType('budget', 'an object', budget)
    }
    const raw = budget as Record<string, unknown>
    rejectUnknown('budget.', raw, kBudgetKeys)
    result.budget = {}
    if (raw['maxBlock'] !== undefined) result.budget.maxBlock = expectTestMs('budget.maxBlock', raw['maxBlock'])
    if (raw['totalBlocked'] !== undefined) {
      result.budget.totalBlocked = expectPositiveMs('budget.totalBlocked', raw['totalBlocked'])
    }
  }
  return result
}

function rejectUnknown(prefix: string, record: Record<string, unknown>, known: string[]): void {
  for (const key of Object.keys(record)) {
    if (!known.includes(key)) {
      throw withCode(new TypeError(`Unknown option \`${prefix}${key}\`; known options are ${
        known.map((k) => `\`${prefix}${k}\``).join(', ')}`), codes.invalidOption)
    }
  }
}

function expectTestMs(name: string, value: unknown): number {
  const ms = expectPositiveMs(name, value)
  if (ms < kStallFloor) {
    throw invalidValue(name, `at least ${kStallFloor} ms, the shortest stall loopwatch/testing measures`, ms)
  }
  return ms
}

function validateAllow(name: string, value: unknown): AllowRule[] {
  if (!Array.isArray(value)) throw invalidType(name, 'an array of strings, RegExps or functions', value)
  return (value as unknown[]).map((rule, i) => {
    if ((typeof rule === 'string' && rule !== '') || typeof rule === 'function' || isRegExp(rule)) return rule as AllowRule
    throw typeof rule === 'string'
      ? invalidValue(`${name}[${i}]`, 'a non-empty string', rule)
      : invalidType(`${name}[${i}]`, 'a string, a RegExp or a function', rule)
  })
}

/**
 * Options from the environment: `LOOPWATCH_THRESHOLD`, `LOOPWATCH_MAX_BLOCK`,
 * `LOOPWATCH_TOTAL_BLOCKED` (ms), `LOOPWATCH_ALLOW` (comma-separated; an
 * entry written `/source/flags` is a RegExp), `LOOPWATCH_WALL_TIME` and
 * `LOOPWATCH_REPORT_ONLY` (1 or 0). Empty variables are ignored.
 */
export function optionsFromEnv(env: NodeJS.ProcessEnv): FailOnBlockOptions {
  const result: FailOnBlockOptions = {}
  const threshold = msFromEnv(env, kEnv.threshold)
  if (threshold !== undefined) result.threshold = expectTestMs(kEnv.threshold, threshold)
  const maxBlock = msFromEnv(env, kEnv.maxBlock)
  const totalBlocked = msFromEnv(env, kEnv.totalBlocked)
  if (maxBlock !== undefined || totalBlocked !== undefined) {
    result.budget = {}
    if (maxBlock !== undefined) result.budget.maxBlock = expectTestMs(kEnv.maxBlock, maxBlock)
    if (totalBlocked !== undefined) result.budget.totalBlocked = expectPositiveMs(kEnv.totalBlocked, totalBlocked)
  }
  const allow = env[kEnv.allow]?.trim()
  if (allow) result.allow = allow.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '').map(parseAllowEntry)
  const wallTime = flagFromEnv(env, kEnv.wallTime)
  if (wallTime !== undefined) result.wallTime = wallTime
  const reportOnly = flagFromEnv(env, kEnv.reportOnly)
  if (reportOnly !== undefined) result.reportOnly = reportOnly
  return result
}

function flagFromEnv(env: NodeJS.ProcessEnv, name: string): boolean | undefined {
  const raw = env[name]?.trim().toLowerCase()
  if (!raw) return undefined
  if (!['1', 'true', '0', 'false'].includes(raw)) throw invalidValue(name, '1, true, 0 or false', env[name])
  return raw === '1' || raw === 'true'
}

function msFromEnv(env: NodeJS.ProcessEnv, name: string): number | string | undefined {
  const raw = env[name]?.trim()
  if (!raw) return undefined
  const ms = Number(raw)
  // Keep the string when it is not a number, so the error shows what was set.
  return Number.isNaN(ms) ? raw : ms
}

function parseAllowEntry(entry: string): AllowRule {
  const match = /^\/(.+)\/([a-z]*)$/.exec(entry)
  if (match === null) return entry
  try {
    return new RegExp(match[1] ?? '', match[2])
  } catch (error) {
    throw withCode(new RangeError(`Expected \`${kEnv.allow}\` to hold valid regular expressions, got ${describe(entry)}: ${
      (error as Error).message}`), codes.invalidOption)
  }
}

/**
 * Layers options, each over the ones before: the environment over the code's
 * options (so CI can raise a limit without a code change), allow-lists added
 * together. A layer that sets `threshold` without `budget.maxBlock` sets the
 * longest block with it: `LOOPWATCH_THRESHOLD=400` wins over a
 * `budget.maxBlock: 100` in code, as `LOOPWATCH_MAX_BLOCK` would.
 */
export function mergeOptions(...layers: FailOnBlockOptions[]): FailOnBlockOptions {
  const merged: FailOnBlockOptions = {}
  for (const layer of layers) {
    if (layer.threshold !== undefined) {
      merged.threshold = layer.threshold
      if (merged.budget?.maxBlock !== undefined && layer.budget?.maxBlock === undefined) {
        const rest: Budget = { ...merged.budget }
        delete rest.maxBlock
        merged.budget = rest
      }
    }
    if (layer.allow !== undefined) merged.allow = [...(merged.allow ?? []), ...layer.allow]
    if (layer.budget !== undefined) merged.budget = { ...merged.budget, ...layer.budget }
    if (layer.wallTime !== undefined) merged.wallTime = layer.wallTime
    if (layer.reportOnly !== undefined) merged.reportOnly = layer.reportOnly
  }
  return merged
}

/**
 * The limits for one test: its base options (the code's, under the
 * environment's), then what the test itself allowed (`allowBlocking()`),
 * which only ever relaxes a limit: a test cannot tighten what CI raised.
 */
export function resolveLimits(base: FailOnBlockOptions, overrides: readonly FailOnBlockOptions[] = [], off = false): Limits {
  const own = limitsOf(base)
  const relaxed = overrides.length === 0 ? own : limitsOf(mergeOptions(base, ...overrides))
  return Object.freeze({
    maxBlock: Math.max(own.maxBlock, relaxed.maxBlock),
    totalBlocked: Math.max(own.totalBlocked, relaxed.totalBlocked),
    allow: Object.freeze([...(relaxed.allow ?? [])]),
    off,
    wallTime: (overrides.length === 0 ? base : mergeOptions(base, ...overrides)).wallTime ?? false,
    // The suite's choice, not a test's.
    reportOnly: base.reportOnly ?? false,
  })
}

/**
 * The shortest stall the shared watcher must measure and sample for these
 * options: every stall of 10 ms or more when a `totalBlocked` budget adds
 * them up, else half the longest block a test may have. Sampling a stall
 * costs the main thread 1-3 ms; at 10 ms a cold suite has hundreds of them.
 * `allowBlocking()` only raises limits, so the code's and environment's
 * options set the floor.
 */
export function watchFloor(options: FailOnBlockOptions): number {
  const { maxBlock, totalBlocked } = limitsOf(options)
  return Number.isFinite(totalBlocked) ? kStallFloor : Math.max(kStallFloor, maxBlock / 2)
}

function limitsOf(options: FailOnBlockOptions): { maxBlock: number; totalBlocked: number; allow: readonly AllowRule[] | undefined } {
  const threshold = options.threshold ?? kDefaultTestThreshold
  return { maxBlock: options.budget?.maxBlock ?? threshold, totalBlocked: options.budget?.totalBlocked ?? Infinity, allow: options.allow }
}
