import { writeSync } from 'node:fs'
import { inspect } from 'node:util'

/** Error codes loopwatch attaches to the errors it throws and the warnings it emits. */
export const codes = {
  /** An option passed to `watchLoop()` has the wrong type or value. */
  invalidOption: 'ERR_LOOPWATCH_INVALID_OPTION',
  /** The watchdog worker failed; loopwatch keeps measuring durations without stacks. */
  watchdogFailed: 'LOOPWATCH_WATCHDOG_FAILED',
  /** A `log` function or a `'block'` listener threw; loopwatch caught it and kept running. */
  listenerFailed: 'LOOPWATCH_LISTENER_FAILED',
  /** `otel` is set but `@opentelemetry/api` (or, with `otel.logs`, `@opentelemetry/api-logs`) is not installed. */
  missingPeer: 'ERR_LOOPWATCH_MISSING_PEER',
  /** The OpenTelemetry SDK threw while loopwatch recorded a block; loopwatch caught it and kept running. Warned once per kind of failure. */
  otelFailed: 'LOOPWATCH_OTEL_FAILED',
  /**
   * A block ran in a span that had already ended, so no span event could be
   * added, and neither `otel.spans` nor `otel.logs` is on to record it. Warned once.
   */
  otelSpanEnded: 'LOOPWATCH_OTEL_SPAN_ENDED',
  /**
   * The permission model does not allow the inspector (Node >= 24:
   * `--allow-inspector`): blocks and hangs are reported without stacks. Warned once.
   */
  noInspector: 'LOOPWATCH_NO_INSPECTOR',
  /** A `LOOPWATCH_*` environment variable has a bad value; `loopwatch/register` used the default. */
  invalidEnv: 'LOOPWATCH_INVALID_ENV',
} as const

type Coded<E extends Error> = E & { code: string }

/** Attaches a `code` to an error, as Node's own errors carry one. */
export function withCode<E extends Error>(error: E, code: string): Coded<E> {
  return Object.assign(error, { code })
}

/** Renders a received value for an error message: `'abc' (string)`, `NaN (number)`. */
export function describe(value: unknown): string {
  const type = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value
  return `${inspect(value, { depth: 1, breakLength: Infinity })} (${type})`
}

/** `TypeError` for an option of the wrong type. */
export function invalidType(name: string, expected: string, value: unknown): Coded<TypeError> {
  return withCode(
    new TypeError(`Expected \`${name}\` to be ${expected}, got ${describe(value)}`),
    codes.invalidOption,
  )
}

/** `RangeError` for an option of the right type and a bad value. */
export function invalidValue(name: string, expected: string, value: unknown, hint = ''): Coded<RangeError> {
  return withCode(
    new RangeError(`Expected \`${name}\` to be ${expected}, got ${describe(value)}${hint}`),
    codes.invalidOption,
  )
}

const warned = new Set<string>()

/**
 * Emits a process warning with a code. With `once`, a code is emitted only
 * once per process: a broken worker should not flood the host's stderr.
 */
export function warn(message: string, code: string, once = false): void {
  if (once) {
    if (warned.has(code)) return
    warned.add(code)
  }
  process.emitWarning(message, { code })
}

/**
 * A warning written at once, synchronously, in Node's warning format: for
 * `'exit'` listeners, where `process.emitWarning()` would print nothing (it
 * prints on a later tick). A closed stderr drops it.
 */
export function warnAtExit(message: string, code: string): void {
  try {
    writeSync(2, `(node:${process.pid}) [${code}] Warning: ${message}\n`)
  } catch {
    // stderr closed or broken: nothing left to tell it to.
  }
}
