import assert from 'node:assert/strict'
import { AsyncLocalStorage } from 'node:async_hooks'
import { test } from 'node:test'
import { validateOptions } from '../../src/core/options.js'

test('defaults: threshold 100 ms, hangTimeout 1000 ms, log on, debug and otel off, saturation and cpu on', () => {
  const options = validateOptions(undefined)
  assert.deepEqual({ ...options }, {
    threshold: 100, hangTimeout: 1000, log: true, context: undefined, debug: false, scheduleStacks: false,
    otel: false, saturation: { utilization: 0.9, window: 5000 }, cpu: true,
  })
  assert.ok(Object.isFrozen(options))
})

test('hangTimeout defaults to at least the threshold', () => {
  assert.equal(validateOptions({ threshold: 5000 }).hangTimeout, 5000)
})

test('object forms of otel and saturation', () => {
  assert.deepEqual(validateOptions({ otel: true }).otel, {})
  assert.deepEqual(validateOptions({ otel: { spans: true } }).otel, { spans: true })
  const loggerProvider = { getLogger: () => undefined }
  assert.equal((validateOptions({ otel: { logs: true, loggerProvider } }).otel as { loggerProvider?: unknown }).loggerProvider, loggerProvider)
  assert.equal(validateOptions({ saturation: false }).saturation, false)
  assert.deepEqual(validateOptions({ saturation: { window: 2000 } }).saturation, { utilization: 0.9, window: 2000 })
})

test('cpu: false turns CPU accounting off', () => {
  assert.equal(validateOptions({ cpu: false }).cpu, false)
})

test('accepts a log function and an AsyncLocalStorage', () => {
  const context = new AsyncLocalStorage()
  const log = () => undefined
  const options = validateOptions({ log, context })
  assert.equal(options.log, log)
  assert.equal(options.context, context)
})

const bad: [string, unknown, ErrorConstructor, RegExp][] = [
  ['negative threshold', { threshold: -1 }, RangeError, /Expected `threshold` to be a positive, finite number of milliseconds, got -1 \(number\)/],
  ['zero threshold', { threshold: 0 }, RangeError, /`threshold`.*got 0 \(number\)/],
  ['NaN threshold', { threshold: NaN }, RangeError, /`threshold`.*got NaN \(number\)/],
  ['Infinity threshold', { threshold: Infinity }, RangeError, /`threshold`.*got Infinity \(number\)/],
  ['string threshold', { threshold: '100' }, TypeError, /Expected `threshold` to be a positive number of milliseconds, got '100' \(string\)/],
  ['negative hangTimeout', { hangTimeout: -5 }, RangeError, /`hangTimeout`.*got -5/],
  ['hangTimeout below threshold', { threshold: 200, hangTimeout: 100 }, RangeError,
    /Expected `hangTimeout` to be at least `threshold` \(200 ms\), got 100 \(number\); raise `hangTimeout` or lower `threshold`/],
  ['log of the wrong type', { log: 'yes' }, TypeError, /Expected `log` to be a boolean or a function, got 'yes' \(string\)/],
  ['context that is not an AsyncLocalStorage', { context: {} }, TypeError, /Expected `context` to be an AsyncLocalStorage, got \{\} \(object\)/],
  ['unknown option', { treshold: 100 }, TypeError, /Unknown option `treshold`; known options are `threshold`/],
  ['debug that is not a boolean', { debug: 1 }, TypeError, /Expected `debug` to be a boolean, got 1 \(number\)/],
  ['cpu that is not a boolean', { cpu: 'off' }, TypeError, /Expected `cpu` to be a boolean, got 'off' \(string\)/],
  ['scheduleStacks without debug', { scheduleStacks: true }, TypeError,
    /`scheduleStacks` needs debug mode: set `debug: true` as well, or drop `scheduleStacks`/],
  ['otel of the wrong type', { otel: 'yes' }, TypeError, /Expected `otel` to be a boolean or an object, got 'yes' \(string\)/],
  ['an unknown otel key', { otel: { span: true } }, TypeError, /Unknown option `otel.span`; known options are `otel.tracerProvider`/],
  ['otel.spans that is not a boolean', { otel: { spans: 'on' } }, TypeError, /Expected `otel.spans` to be a boolean/],
  ['otel.tracerProvider without getTracer()', { otel: { tracerProvider: {} } }, TypeError,
    /Expected `otel.tracerProvider` to be a provider object with a `getTracer\(\)` method, got \{\} \(object\)/],
  ['otel.meterProvider that is a string', { otel: { meterProvider: 'global' } }, TypeError,
    /Expected `otel.meterProvider` to be a provider object with a `getMeter\(\)` method, got 'global' \(string\)/],
  ['otel.loggerProvider without logs', { otel: { loggerProvider: { getLogger: () => undefined } } }, TypeError,
    /`otel.loggerProvider` is used only for log records: set `otel.logs: true` as well, or drop `otel.loggerProvider`/],
  ['saturation.utilization above 1', { saturation: { utilization: 90 } }, RangeError,
    /Expected `saturation.utilization` to be a number above 0 and at most 1, got 90 \(number\)/],
  ['saturation.window of zero', { saturation: { window: 0 } }, RangeError, /`saturation.window`.*got 0/],
  ['a sub-millisecond threshold', { threshold: 0.5 }, RangeError, /Expected `threshold` to be a number of milliseconds between 1 ms and 1 hour \(3600000 ms\), got 0.5 \(number\)/],
  ['a tiny threshold', { threshold: 1e-300 }, RangeError, /`threshold`.*between 1 ms and 1 hour/],
  ['a threshold of 2**31 ms', { threshold: 2 ** 31 }, RangeError, /`threshold`.*between 1 ms and 1 hour.*got 2147483648/],
  ['a hangTimeout past a day', { hangTimeout: 1e10 }, RangeError, /Expected `hangTimeout` to be a number of milliseconds at most 1 day \(86400000 ms\), got 10000000000/],
  ['a saturation.window past an hour', { saturation: { window: 1e10 } }, RangeError, /`saturation.window`.*between 10 ms and 1 hour/],
  ['a throwing getter', { get threshold(): number { throw new Error('boom') } }, TypeError, /Could not read option `threshold`: Error: boom/],
  ['a throwing getter inside saturation', { saturation: { get window(): number { throw new Error('nope') } } }, TypeError, /Could not read option `saturation.window`: Error: nope/],
  ['a Proxy whose ownKeys trap throws', new Proxy({}, { ownKeys() { throw new Error('trap') } }), TypeError, /Could not read the keys of `options`: Error: trap/],
  ['options that are not an object', 100, TypeError, /Expected `options` to be an object, got 100 \(number\)/],
  ['options that are an array', [], TypeError, /Expected `options` to be an object, got \[\] \(array\)/],
]

for (const [name, options, type, message] of bad) {
  test(`rejects ${name}`, () => {
    assert.throws(() => validateOptions(options as never), (error: Error & { code?: string }) => {
      assert.ok(error instanceof type, `expected ${type.name}, got ${error.constructor.name}`)
      assert.equal(error.code, 'ERR_LOOPWATCH_INVALID_OPTION')
      assert.match(error.message, message)
      return true
    })
  })
}
