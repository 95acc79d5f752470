import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseCliArgs, splitArgs } from '../../src/cli/args.js'

test('the command starts at the first argument that is not an option, or after --', () => {
  assert.deepEqual(splitArgs(['-t', '50', 'app.js', '--port', '3']), { own: ['-t', '50'], command: ['app.js', '--port', '3'] })
  assert.deepEqual(splitArgs(['--quiet', '--', 'node', '--inspect', 'app.js']), { own: ['--quiet'], command: ['node', '--inspect', 'app.js'] })
  assert.deepEqual(splitArgs(['--threshold=5', 'app.js']), { own: ['--threshold=5'], command: ['app.js'] })
  assert.deepEqual(splitArgs(['--json', 'out.json', '--html', 'r.html', 'npm', 'test']),
    { own: ['--json', 'out.json', '--html', 'r.html'], command: ['npm', 'test'] })
})

test('options with their values', () => {
  assert.deepEqual(parseCliArgs(['-t', '50', '--hang-timeout', '500', '--debug', '--json', 'r.json', '--html', 'r.html', '-q',
    '--top', '3', 'app.js', '-x']), {
    kind: 'run',
    command: ['app.js', '-x'],
    options: { threshold: 50, hangTimeout: 500, debug: true, json: 'r.json', html: 'r.html', quiet: true, top: 3 },
  })
  assert.deepEqual(parseCliArgs(['app.js']), {
    kind: 'run',
    command: ['app.js'],
    options: { threshold: undefined, hangTimeout: undefined, debug: false, json: undefined, html: undefined, quiet: false, top: 10 },
  })
  assert.deepEqual(parseCliArgs(['--help']), { kind: 'help' })
  assert.deepEqual(parseCliArgs(['-h', 'app.js']), { kind: 'help' })
  assert.deepEqual(parseCliArgs(['--version']), { kind: 'version' })
})

const bad: [string[], RegExp][] = [
  [['--treshold', '5', 'app.js'], /Unknown option '--treshold'/],
  [['-z', 'app.js'], /Unknown option '-z'/],
  [['--threshold', 'abc', 'app.js'], /^--threshold should be a positive number of milliseconds, such as 100; got "abc"$/],
  [['--threshold'], /Option '-t, --threshold <value>' argument missing/],
  [['--hang-timeout', '50', 'app.js'], /^--hang-timeout \(50 ms\) must be at least the threshold \(100 ms\)$/],
  [['--top', '0', 'app.js'], /^--top should be a whole number of rows, at least 1; got "0"$/],
  [['--quiet=yes', 'app.js'], /Option '-q, --quiet' does not take an argument/],
  [[], /^missing the command to run/],
  [['--quiet', '--'], /^missing the command to run/],
]
for (const [argv, message] of bad) {
  test(`usage error: ${argv.join(' ') || '(nothing)'}`, () => {
    const request = parseCliArgs(argv)
    assert.ok(request.kind === 'error', JSON.stringify(request))
    assert.match(request.message, message)
  })
}
