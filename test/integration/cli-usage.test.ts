import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { runCli } from '../helpers/run-cli.js'

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string; bin: Record<string, string> }

test('--help prints the usage on stdout and exits 0', async () => {
  const { code, stdout, stderr } = await runCli(['--help'])
  assert.equal(code, 0)
  assert.equal(stderr, '')
  assert.match(stdout, /^Usage: loopwatch \[options\] \[--\] <command> \[args\.\.\.\]\n/)
  for (const option of ['--threshold <ms>', '--hang-timeout <ms>', '--debug', '--json <file>', '--html <file>', '--quiet', '--version']) {
    assert.ok(stdout.includes(option), option)
  }
})

test('--version prints the package version; the bin is the built CLI', async () => {
  const { code, stdout } = await runCli(['--version'])
  assert.equal(code, 0)
  assert.equal(stdout, `${pkg.version}\n`)
  assert.equal(pkg.bin['loopwatch'], './dist/cli.js')
})

for (const [args, message] of [
  [['--treshold', '50', 'app.js'], /^loopwatch: Unknown option '--treshold'/],
  [['--threshold', 'fast', 'app.js'], /^loopwatch: --threshold should be a positive number of milliseconds, such as 100; got "fast"\n/],
  [[], /^loopwatch: missing the command to run/],
] as const) {
  test(`usage error (${args.join(' ') || 'no arguments'}): the message, the usage, exit code 2, nothing run`, async () => {
    const { code, stdout, stderr } = await runCli([...args])
    assert.equal(code, 2)
    assert.equal(stdout, '')
    assert.match(stderr, message)
    assert.match(stderr, /\n\nUsage: loopwatch /)
  })
}

test('a command that cannot be started: a message and exit code 127', async () => {
  const { code, stderr } = await runCli(['--', 'loopwatch-no-such-command-xyz'])
  assert.equal(code, 127)
  assert.match(stderr, /^loopwatch: could not run "loopwatch-no-such-command-xyz": spawn loopwatch-no-such-command-xyz ENOENT\n$/)
})

test("the app's arguments and exit code pass through, in both command forms", async () => {
  const direct = await runCli(['-q', 'args-exit.mjs', '--port', '3', '-t'])
  assert.equal(direct.code, 7)
  assert.equal(direct.stdout, '["--port","3","-t"]\n')
  assert.match(direct.stderr, /^loopwatch: no blocks over 100 ms in \d+ m?s$/m)
  const dashed = await runCli(['-q', '--', process.execPath, 'args-exit.mjs', 'x'])
  assert.equal(dashed.code, 7)
  assert.equal(dashed.stdout, '["x"]\n')
})
