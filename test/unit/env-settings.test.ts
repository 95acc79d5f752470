import assert from 'node:assert/strict'
import { test } from 'node:test'
import { readEnv } from '../../src/core/env.js'

test('no variables: no options, no report, no warnings', () => {
  assert.deepEqual(readEnv({}), { options: {}, report: undefined, eventsFile: undefined, warnings: [] })
})

test('every variable in its expected form', () => {
  const settings = readEnv({
    LOOPWATCH_THRESHOLD: '50', LOOPWATCH_HANG_TIMEOUT: '2000ms', LOOPWATCH_DEBUG: '1', LOOPWATCH_LOG: 'false',
    LOOPWATCH_REPORT: 'out/Report.HTML', LOOPWATCH_EVENTS: '/tmp/e.jsonl', LOOPWATCH_CPU: '0',
  })
  assert.deepEqual(settings, {
    options: { threshold: 50, hangTimeout: 2000, debug: true, log: false, cpu: false },
    report: { file: 'out/Report.HTML', format: 'html' },
    eventsFile: '/tmp/e.jsonl',
    warnings: [],
  })
  assert.deepEqual(readEnv({ LOOPWATCH_REPORT: 'r.json', LOOPWATCH_DEBUG: 'off', LOOPWATCH_LOG: 'yes' }).report,
    { file: 'r.json', format: 'json' })
  assert.equal(readEnv({ LOOPWATCH_CPU: 'on' }).options.cpu, true)
})

// Each bad value: one warning naming the variable, the expected form, the
// value received and the default used instead; the option is left out.
const bad: [Record<string, string>, RegExp][] = [
  [{ LOOPWATCH_THRESHOLD: 'abc' }, /^LOOPWATCH_THRESHOLD should be a positive number of milliseconds, such as 100, got "abc"; using the default, 100 ms$/],
  [{ LOOPWATCH_THRESHOLD: '-5' }, /^LOOPWATCH_THRESHOLD should be a positive number of milliseconds, such as 100, got "-5"; using the default, 100 ms$/],
  [{ LOOPWATCH_THRESHOLD: '0' }, /^LOOPWATCH_THRESHOLD .* got "0"; using the default, 100 ms$/],
  [{ LOOPWATCH_HANG_TIMEOUT: 'soon' }, /^LOOPWATCH_HANG_TIMEOUT should be a positive number of milliseconds, such as 100, got "soon"; using the default, 1000 ms$/],
  [{ LOOPWATCH_THRESHOLD: '500', LOOPWATCH_HANG_TIMEOUT: '200' },
    /^LOOPWATCH_HANG_TIMEOUT should be a number of milliseconds at least the threshold \(500 ms\), got "200"; using the default, 1000 ms$/],
  [{ LOOPWATCH_DEBUG: 'maybe' }, /^LOOPWATCH_DEBUG should be 1 or 0 \(also true\/false, yes\/no, on\/off\), got "maybe"; using off$/],
  [{ LOOPWATCH_LOG: '2' }, /^LOOPWATCH_LOG should be 1 or 0 \(also true\/false, yes\/no, on\/off\), got "2"; using the default, 1 \(reports on stderr\)$/],
  [{ LOOPWATCH_CPU: 'none' }, /^LOOPWATCH_CPU should be 1 or 0 \(also true\/false, yes\/no, on\/off\), got "none"; using the default, 1 \(CPU accounting on\)$/],
  [{ LOOPWATCH_REPORT: 'report.txt' }, /^LOOPWATCH_REPORT should be a file name ending in \.json or \.html, got "report\.txt"; using no report$/],
]
for (const [env, message] of bad) {
  test(`bad value: ${JSON.stringify(env)}`, () => {
    const settings = readEnv(env)
    assert.equal(settings.warnings.length, 1, settings.warnings.join('\n'))
    assert.match(settings.warnings[0] ?? '', message)
    assert.equal(settings.options.hangTimeout, undefined)
    assert.equal(settings.options.debug, undefined)
    assert.equal(settings.options.log, undefined)
    assert.equal(settings.options.cpu, undefined)
    assert.equal(settings.report, undefined)
  })
}

test('a bad threshold leaves the hang timeout checked against the default threshold', () => {
  const settings = readEnv({ LOOPWATCH_THRESHOLD: 'x', LOOPWATCH_HANG_TIMEOUT: '300' })
  assert.deepEqual(settings.options, { hangTimeout: 300 })
  assert.equal(settings.warnings.length, 1)
})

test('LOOPWATCH_SATURATION sets the level (0.8, 80%) or turns it off; LOOPWATCH_SATURATION_WINDOW the window', () => {
  assert.deepEqual(readEnv({ LOOPWATCH_SATURATION: '0.8', LOOPWATCH_SATURATION_WINDOW: '2000' }).options.saturation, { utilization: 0.8, window: 2000 })
  assert.deepEqual(readEnv({ LOOPWATCH_SATURATION: '75%' }).options.saturation, { utilization: 0.75 })
  assert.equal(readEnv({ LOOPWATCH_SATURATION: 'off', LOOPWATCH_SATURATION_WINDOW: '2000' }).options.saturation, false)
  assert.equal(readEnv({ LOOPWATCH_SATURATION: '0' }).options.saturation, false)
  const bad = readEnv({ LOOPWATCH_SATURATION: '1.5', LOOPWATCH_SATURATION_WINDOW: '5' })
  assert.equal(bad.options.saturation, undefined)
  assert.deepEqual(bad.warnings, [
    'LOOPWATCH_SATURATION should be off, or a utilization level such as 0.8 or 80%, got "1.5"; using the default, 0.9',
    'LOOPWATCH_SATURATION_WINDOW should be a number of milliseconds between 10 ms and 1 hour (3600000 ms), got "5"; using the default, 5000 ms',
  ])
})
