import assert from 'node:assert/strict'
import { test } from 'node:test'
import { mergeOptions, optionsFromEnv, resolveLimits, validateTestingOptions, watchFloor } from '../../src/testing/options.js'

test('no options: nothing set; the limits default to a 200 ms block and no total budget', () => {
  assert.deepEqual(validateTestingOptions(undefined), {})
  const limits = resolveLimits({})
  assert.deepEqual({ ...limits }, { maxBlock: 200, totalBlocked: Infinity, allow: [], off: false, wallTime: false, reportOnly: false })
  assert.ok(Object.isFrozen(limits))
})

test('valid options come back as given', () => {
  const rule = (): boolean => true
  const options = { threshold: 100, allow: ['loadFixture', /fixtures\//, rule], budget: { maxBlock: 200, totalBlocked: 500 } }
  assert.deepEqual(validateTestingOptions(options), options)
})

const bad: [string, unknown, ErrorConstructor, RegExp][] = [
  ['an unknown option', { treshold: 50 }, TypeError, /^Unknown option `treshold`; known options are `threshold`, `allow`, `budget`, `wallTime`, `reportOnly`$/],
  ['options that are not an object', 'fast', TypeError, /^Expected `options` to be an object, got 'fast' \(string\)$/],
  ['a string threshold', { threshold: '50' }, TypeError, /^Expected `threshold` to be a positive number of milliseconds, got '50' \(string\)$/],
  ['a negative threshold', { threshold: -1 }, RangeError, /^Expected `threshold` to be a positive, finite number of milliseconds, got -1 \(number\)$/],
  ['a threshold under 10 ms', { threshold: 5 }, RangeError,
    /^Expected `threshold` to be at least 10 ms, the shortest stall loopwatch\/testing measures, got 5 \(number\)$/],
  ['allow that is not an array', { allow: 'loadFixture' }, TypeError,
    /^Expected `allow` to be an array of strings, RegExps or functions, got 'loadFixture' \(string\)$/],
  ['a number in allow', { allow: ['a', 42] }, TypeError, /^Expected `allow\[1\]` to be a string, a RegExp or a function, got 42 \(number\)$/],
  ['an empty string in allow', { allow: [''] }, RangeError, /^Expected `allow\[0\]` to be a non-empty string, got '' \(string\)$/],
  ['budget that is not an object', { budget: 100 }, TypeError, /^Expected `budget` to be an object, got 100 \(number\)$/],
  ['an unknown budget key', { budget: { total: 100 } }, TypeError,
    /^Unknown option `budget.total`; known options are `budget.maxBlock`, `budget.totalBlocked`$/],
  ['a zero totalBlocked', { budget: { totalBlocked: 0 } }, RangeError, /^Expected `budget.totalBlocked` to be a positive, finite number of milliseconds, got 0 \(number\)$/],
  ['a maxBlock under 10 ms', { budget: { maxBlock: 1 } }, RangeError, /^Expected `budget.maxBlock` to be at least 10 ms/],
]

for (const [name, options, type, message] of bad) {
  test(`rejects ${name}`, () => {
    assert.throws(() => validateTestingOptions(options), (error: Error & { code?: string }) => {
      assert.ok(error instanceof type, `${error.name} is not a ${type.name}`)
      assert.match(error.message, message)
      assert.equal(error.code, 'ERR_LOOPWATCH_INVALID_OPTION')
      return true
    })
  })
}

test('the environment: LOOPWATCH_THRESHOLD, LOOPWATCH_MAX_BLOCK, LOOPWATCH_TOTAL_BLOCKED, LOOPWATCH_ALLOW', () => {
  assert.deepEqual(optionsFromEnv({}), {})
  assert.deepEqual(optionsFromEnv({ LOOPWATCH_THRESHOLD: '', LOOPWATCH_ALLOW: ' ' }), {}, 'empty variables are ignored')
  assert.deepEqual(optionsFromEnv({
    LOOPWATCH_THRESHOLD: '80',
    LOOPWATCH_MAX_BLOCK: '200',
    LOOPWATCH_TOTAL_BLOCKED: ' 500 ',
    LOOPWATCH_ALLOW: 'loadFixture, test/fixtures/ ,/^seed/i,,better-sqlite3',
  }), {
    threshold: 80,
    budget: { maxBlock: 200, totalBlocked: 500 },
    allow: ['loadFixture', 'test/fixtures/', /^seed/i, 'better-sqlite3'],
  })
})

test('bad environment values name the variable', () => {
  assert.throws(() => optionsFromEnv({ LOOPWATCH_THRESHOLD: 'fast' }),
    { name: 'TypeError', code: 'ERR_LOOPWATCH_INVALID_OPTION', message: "Expected `LOOPWATCH_THRESHOLD` to be a positive number of milliseconds, got 'fast' (string)" })
  assert.throws(() => optionsFromEnv({ LOOPWATCH_TOTAL_BLOCKED: '-5' }),
    { name: 'RangeError', message: /^Expected `LOOPWATCH_TOTAL_BLOCKED` to be a positive, finite number of milliseconds, got -5/ })
  assert.throws(() => optionsFromEnv({ LOOPWATCH_MAX_BLOCK: '3' }), { name: 'RangeError', message: /^Expected `LOOPWATCH_MAX_BLOCK` to be at least 10 ms/ })
  assert.throws(() => optionsFromEnv({ LOOPWATCH_ALLOW: '/(/' }),
    { name: 'RangeError', message: /^Expected `LOOPWATCH_ALLOW` to hold valid regular expressions, got '\/\(\/' \(string\): / })
})

test('the environment wins over options in code, for every limit; allow-lists add up', () => {
  const code = { threshold: 50, allow: ['a'], budget: { maxBlock: 100, totalBlocked: 300 } }
  const env = { threshold: 200, allow: ['b'], budget: { totalBlocked: 1000 } }
  // LOOPWATCH_THRESHOLD sets the longest block too: the code's maxBlock is gone.
  assert.deepEqual(mergeOptions(code, env), { threshold: 200, allow: ['a', 'b'], budget: { totalBlocked: 1000 } })
  assert.equal(resolveLimits(mergeOptions({ budget: { maxBlock: 100 } }, { threshold: 400 })).maxBlock, 400)
  assert.equal(resolveLimits(mergeOptions({ threshold: 30, budget: { maxBlock: 100 } }, { budget: { maxBlock: 400 } })).maxBlock, 400)
  assert.equal(resolveLimits(mergeOptions({ threshold: 500 }, { threshold: 400, budget: { maxBlock: 450 } })).maxBlock, 450)
  assert.equal(resolveLimits(mergeOptions({ budget: { totalBlocked: 100 } }, { budget: { totalBlocked: 900 } })).totalBlocked, 900)
})

test('allowBlocking() only relaxes: a test cannot tighten the limits the environment raised', () => {
  const base = mergeOptions({ budget: { maxBlock: 100, totalBlocked: 300 } }, { threshold: 400, budget: { totalBlocked: 1000 } })
  assert.equal(resolveLimits(base, [{ threshold: 200 }]).maxBlock, 400)
  assert.equal(resolveLimits(base, [{ budget: { totalBlocked: 500 } }]).totalBlocked, 1000)
  assert.equal(resolveLimits(base, [{ threshold: 800 }]).maxBlock, 800)
})

test('limits: maxBlock defaults to the threshold; budget.maxBlock wins; a test that raises its threshold raises its maxBlock', () => {
  assert.equal(resolveLimits({ threshold: 80 }).maxBlock, 80)
  assert.equal(resolveLimits({ threshold: 80, budget: { maxBlock: 200 } }).maxBlock, 200)
  assert.equal(resolveLimits({ budget: { maxBlock: 200 } }, [{ threshold: 500 }]).maxBlock, 500)
  assert.equal(resolveLimits({ threshold: 80 }, [{ threshold: 500 }, { budget: { maxBlock: 700 } }]).maxBlock, 700)
  assert.equal(resolveLimits({ budget: { totalBlocked: 100 } }, [{ budget: { totalBlocked: 400 } }]).totalBlocked, 400)
  assert.deepEqual(resolveLimits({ allow: ['a'] }, [{ allow: ['b'] }]).allow, ['a', 'b'])
  assert.equal(resolveLimits({}, [], true).off, true)
})

test('the watcher samples stalls from half the longest block allowed, or from 10 ms when a total budget adds them up', () => {
  assert.equal(watchFloor({}), 100)
  assert.equal(watchFloor({ threshold: 400 }), 200)
  assert.equal(watchFloor({ threshold: 400, budget: { maxBlock: 60 } }), 30)
  assert.equal(watchFloor({ threshold: 12 }), 10)
  assert.equal(watchFloor({ budget: { totalBlocked: 500 } }), 10)
})

test('report-only mode: LOOPWATCH_REPORT_ONLY and reportOnly, the suite\'s choice that a test cannot change', () => {
  assert.deepEqual(optionsFromEnv({ LOOPWATCH_REPORT_ONLY: '1' }), { reportOnly: true })
  assert.deepEqual(optionsFromEnv({ LOOPWATCH_REPORT_ONLY: 'false' }), { reportOnly: false })
  assert.throws(() => optionsFromEnv({ LOOPWATCH_REPORT_ONLY: 'yes' }), /Expected `LOOPWATCH_REPORT_ONLY` to be 1, true, 0 or false/)
  assert.throws(() => validateTestingOptions({ reportOnly: 'yes' }), /`reportOnly`.*a boolean/)
  assert.equal(resolveLimits(mergeOptions({ reportOnly: false }, optionsFromEnv({ LOOPWATCH_REPORT_ONLY: '1' }))).reportOnly, true)
  assert.equal(resolveLimits({}, [{ reportOnly: true }]).reportOnly, false)
})
