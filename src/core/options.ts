import type { AsyncLocalStorage } from 'node:async_hooks'
import { invalidType, invalidValue, withCode, codes } from './errors.js'

/** Options for {@link watchLoop}. Every time is in milliseconds. */
export interface WatchLoopOptions<C = unknown> {
  /**
   * A stall of the event loop longer than this many milliseconds is a block
   * (asyncio's `slow_callback_duration`).
   * @default 100 (ms)
   */
  threshold?: number
  /**
   * A block still running after this many milliseconds is reported while it
   * runs, by the watchdog thread (the main thread cannot), then again at most
   * every `hangTimeout` while it lasts. Must be at least `threshold`.
   * @default 1000 (ms)
   */
  hangTimeout?: number
  /**
   * `true` writes a readable report of each block to stderr; `false` writes
   * nothing; a function receives each formatted report instead (hang reports
   * written while the loop is still stuck go to stderr only when `true`).
   * @default true
   */
  log?: boolean | ((report: string) => void)
  /**
   * An `AsyncLocalStorage` whose store, read on top of the blocked code, is
   * attached to the event as `context`: which request or job was stalled.
   */
  context?: AsyncLocalStorage<C>
  /**
   * Debug mode (asyncio's debug mode): times every callback with async_hooks,
   * so each slow callback is reported with its exact duration and type.
   * Costs throughput: for development, tests and canaries.
   * @default false
   */
  debug?: boolean
  /**
   * With `debug`, also records where each callback was scheduled (the stack
   * at its creation). The expensive part of debug mode.
   * @default false
   */
  scheduleStacks?: boolean
  /**
   * Report blocks to OpenTelemetry: a `loopwatch.block` event on the span
   * that was active in the blocked code, and a `loopwatch.block.duration`
   * histogram. `true` uses the global providers; an object picks providers
   * and adds outputs. Needs `@opentelemetry/api` (and, with `logs`,
   * `@opentelemetry/api-logs`); `watchLoop()` throws
   * `ERR_LOOPWATCH_MISSING_PEER` without them.
   * @default false
   */
  otel?: boolean | OtelOptions
  /**
   * Name the hot functions when the loop stays busy without any single block:
   * `true` (default) or `{ utilization, window }`; `false` turns it off.
   * @default true
   */
  saturation?: boolean | SaturationOptions
  /**
   * Split each block's time into on CPU, waiting for a CPU and off CPU
   * (`BlockEvent.cpu`), which tells a busy machine's stall (`cause:
   * 'starved'`) from the code's. On Linux it reads the thread's
   * `/proc/.../schedstat` at the heartbeats that end a stall, and the
   * watchdog reads the other threads' over each sampled stall. `false`
   * reads none of them: no `cpu`, no `'starved'` cause (`starvedTime` stays 0).
   * @default true
   */
  cpu?: boolean
}

/** The `otel` option in its object form. */
export interface OtelOptions {
  /** A TracerProvider, for the `spans` output; the global one by default. */
  tracerProvider?: unknown
  /** A MeterProvider, for the histogram; the global one by default. */
  meterProvider?: unknown
  /** A LoggerProvider (`@opentelemetry/api-logs`), for the `logs` output; the global one by default. */
  loggerProvider?: unknown
  /**
   * Also emit a `loopwatch.block` span covering each block (back-dated),
   * child of the blocked span when there is one.
   * @default false
   */
  spans?: boolean
  /**
   * Also emit a `loopwatch.block` log record per block, correlated with the
   * blocked span. Needs `@opentelemetry/api-logs`.
   * @default false
   */
  logs?: boolean
}

/** The `saturation` option in its object form. */
export interface SaturationOptions {
  /** Event-loop utilization (0..1] at or above which the loop is saturated. @default 0.9 */
  utilization?: number
  /** How long utilization must stay that high before sampling starts (ms). @default 5000 (ms) */
  window?: number
}

/** Options after validation, with every default filled in. */
export interface ResolvedOptions<C = unknown> {
  readonly threshold: number
  readonly hangTimeout: number
  readonly log: boolean | ((report: string) => void)
  readonly context: AsyncLocalStorage<C> | undefined
  readonly debug: boolean
  readonly scheduleStacks: boolean
  /** `false`, or the object form (`true` becomes `{}`). */
  readonly otel: false | Readonly<OtelOptions>
  /** `false`, or the object form with defaults filled in. */
  readonly saturation: false | Readonly<Required<SaturationOptions>>
  readonly cpu: boolean
}

/** Default block threshold, in milliseconds. */
export const kDefaultThreshold = 100
/** Default hang timeout, in milliseconds. */
export const kDefaultHangTimeout = 1000

const kKnownOptions = new Set(['threshold', 'hangTimeout', 'log', 'context', 'debug', 'scheduleStacks', 'otel', 'saturation', 'cpu'])
const kSaturationKeys = new Set(['utilization', 'window'])
const kOtelKeys = new Set(['tracerProvider', 'meterProvider', 'loggerProvider', 'spans', 'logs'])
const kOtelProviders = [['tracerProvider', 'getTracer'], ['meterProvider', 'getMeter'], ['loggerProvider', 'getLogger']] as const
/** Default saturation level (event-loop utilization, 0..1). */
export const kDefaultSaturationUtilization = 0.9
/** Default saturation window, in milliseconds. */
export const kDefaultSaturationWindow = 5000

/** Checks a time option: a finite, positive number of milliseconds. */
export function expectPositiveMs(name: string, value: unknown): number {
  if (typeof value !== 'number') throw invalidType(name, 'a positive number of milliseconds', value)
  if (!Number.isFinite(value) || value <= 0) {
    throw invalidValue(name, 'a positive, finite number of milliseconds', value)
  }
  return value
}

/**
 * The accepted ranges (ms). Under 1 ms the heartbeat and the watchdog's own
 * wake-ups are the "blocks" (0.5 ms: ~1,400 self-inflicted events and 80 % of
 * a core); past 2^31 - 1 ms Node's timers overflow.
 */
export const kRanges = {
  threshold: { min: 1, max: 3_600_000, text: 'between 1 ms and 1 hour (3600000 ms)' },
  hangTimeout: { min: 1, max: 86_400_000, text: 'at most 1 day (86400000 ms)' },
  'saturation.window': { min: 10, max: 3_600_000, text: 'between 10 ms and 1 hour (3600000 ms)' },
} as const

/** A time option within its range ({@link kRanges}). */
export function expectMsInRange(name: keyof typeof kRanges, value: unknown): number {
  const ms = expectPositiveMs(name, value)
  const range = kRanges[name]
  if (ms < range.min || ms > range.max) throw invalidValue(name, `a number of milliseconds ${range.text}`, ms)
  return ms
}

/**
 * Reads `key` of an options object: a throwing getter or Proxy trap becomes
 * a `TypeError` naming the option, with the code, instead of a raw error.
 */
export function readOption(owner: object, key: string, name = key): unknown {
  try {
    return (owner as Record<string, unknown>)[key]
  } catch (error) {
    throw withCode(new TypeError(`Could not read option \`${name}\`: ${String(error)}`, { cause: error }), codes.invalidOption)
  }
}

/** The own keys of an options object, with a throwing Proxy trap reported like {@link readOption}. */
function optionKeys(owner: object, name: string): string[] {
  try {
    return Object.keys(owner)
  } catch (error) {
    throw withCode(new TypeError(`Could not read the keys of \`${name}\`: ${String(error)}`, { cause: error }), codes.invalidOption)
  }
}

/**
 * Validates `watchLoop()` options once, synchronously, and returns them
 * frozen with defaults applied. Throws `TypeError` for a wrong type and
 * `RangeError` for a bad value, both with code `ERR_LOOPWATCH_INVALID_OPTION`.
 */
export function validateOptions<C>(options: WatchLoopOptions<C> | undefined): ResolvedOptions<C> {
  const raw: unknown = options ?? {}
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw invalidType('options', 'an object', raw)
  }
  const given = raw as Record<string, unknown>
  for (const key of optionKeys(given, 'options')) {
    if (!kKnownOptions.has(key)) {
      throw withCode(
        new TypeError(`Unknown option \`${key}\`; known options are ${[...kKnownOptions].map((k) => `\`${k}\``).join(', ')}`),
        codes.invalidOption,
      )
    }
  }
  // Each option read once: a getter is not asked twice.
  const read = (key: string): unknown => readOption(given, key)
  const threshold = expectMsInRange('threshold', read('threshold') ?? kDefaultThreshold)
  const hangTimeout = expectMsInRange('hangTimeout', read('hangTimeout') ?? Math.max(kDefaultHangTimeout, threshold))
  if (hangTimeout < threshold) {
    throw invalidValue('hangTimeout', `at least \`threshold\` (${threshold} ms)`, hangTimeout,
      '; raise `hangTimeout` or lower `threshold`')
  }
  const log = read('log') ?? true
  if (typeof log !== 'boolean' && typeof log !== 'function') {
    throw invalidType('log', 'a boolean or a function', log)
  }
  const context = read('context') as AsyncLocalStorage<C> | undefined
  if (context !== undefined && typeof (context as { getStore?: unknown } | null)?.getStore !== 'function') {
    throw invalidType('context', 'an AsyncLocalStorage', context)
  }
  const debug = expectBoolean('debug', read('debug') ?? false)
  const scheduleStacks = expectBoolean('scheduleStacks', read('scheduleStacks') ?? false)
  if (scheduleStacks && !debug) {
    throw withCode(new TypeError('`scheduleStacks` needs debug mode: set `debug: true` as well, or drop `scheduleStacks`'),
      codes.invalidOption)
  }
  const otel = validateOtel(read('otel'))
  const saturation = validateSaturation(read('saturation'))
  const cpu = expectBoolean('cpu', read('cpu') ?? true)
  return Object.freeze({
    threshold,
    hangTimeout,
    log,
    context,
    debug,
    scheduleStacks,
    otel,
    saturation,
    cpu,
  }) as ResolvedOptions<C>
}

function expectBoolean(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw invalidType(name, 'a boolean', value)
  return value
}

function expectObject(name: string, value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalidType(name, 'a boolean or an object', value)
  }
  return value as Record<string, unknown>
}

/**
 * A nested option object (`otel`, `saturation`) as a plain copy of its known
 * keys, each read once; an unknown key is a TypeError naming it.
 */
function knownKeys(name: string, value: Record<string, unknown>, known: Set<string>): Record<string, unknown> {
  const copy: Record<string, unknown> = {}
  for (const key of optionKeys(value, name)) {
    if (!known.has(key)) {
      throw withCode(
        new TypeError(`Unknown option \`${name}.${key}\`; known options are ${[...known].map((k) => `\`${name}.${k}\``).join(', ')}`),
        codes.invalidOption,
      )
    }
    copy[key] = readOption(value, key, `${name}.${key}`)
  }
  return copy
}

function validateOtel(value: unknown): ResolvedOptions['otel'] {
  if (value === undefined || value === false) return false
  if (value === true) return Object.freeze({})
  const otel = knownKeys('otel', expectObject('otel', value), kOtelKeys)
  for (const key of ['spans', 'logs'] as const) {
    if (otel[key] !== undefined) expectBoolean(`otel.${key}`, otel[key])
  }
  for (const [key, method] of kOtelProviders) {
    const provider = otel[key] as Record<string, unknown> | null | undefined
    if (provider !== undefined && (provider === null || typeof provider !== 'object' || typeof provider[method] !== 'function')) {
      throw invalidType(`otel.${key}`, `a provider object with a \`${method}()\` method`, provider)
    }
  }
  if (otel['loggerProvider'] !== undefined && otel['logs'] !== true) {
    throw withCode(new TypeError('`otel.loggerProvider` is used only for log records: set `otel.logs: true` as well, or drop `otel.loggerProvider`'),
      codes.invalidOption)
  }
  return Object.freeze({ ...otel })
}

function validateSaturation(value: unknown): ResolvedOptions['saturation'] {
  if (value === false) return false
  const saturation = value === undefined || value === true ? {} : knownKeys('saturation', expectObject('saturation', value), kSaturationKeys)
  const utilization = saturation['utilization'] ?? kDefaultSaturationUtilization
  if (typeof utilization !== 'number') throw invalidType('saturation.utilization', 'a number between 0 and 1', utilization)
  if (!(utilization > 0 && utilization <= 1)) {
    throw invalidValue('saturation.utilization', 'a number above 0 and at most 1', utilization)
  }
  const window = expectMsInRange('saturation.window', saturation['window'] ?? kDefaultSaturationWindow)
  return Object.freeze({ utilization, window })
}
