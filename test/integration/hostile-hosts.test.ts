import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { fixture, fixturesDir, runFixture, type FixtureResult } from '../helpers/run-fixture.js'

// Environments that are hostile but ordinary: loopwatch must neither crash
// them nor go blind in them without saying so.
const kMajor = Number(process.versions.node.split('.')[0])
const kPermission = kMajor >= 22 ? '--permission' : '--experimental-permission'

function theBlock(result: FixtureResult) {
  const event = result.events.find((candidate) => candidate.duration >= 250)
  assert.ok(event, `no block of about 300 ms:\n${result.stdout}\n${result.stderr}`)
  return event
}

function assertAppStack(result: FixtureResult): void {
  const culprit = theBlock(result).stack.find((frame) => !frame.internal)
  assert.equal(culprit?.functionName, 'blockInHostileHost', JSON.stringify(theBlock(result).stack))
}

test('permission model with workers but no inspector: no abort; blocks and hangs reported without stacks, with one warning', async () => {
  const result = await runFixture(fixture('hostile-block.mjs'), [], { nodeArgs: [kPermission, '--allow-fs-read=*', '--allow-worker'] })
  assert.equal(result.signal, null, result.stderr)
  assert.equal(result.code, 0, result.stderr)
  assert.equal(theBlock(result).stack.length, 0)
  assert.equal(result.stderr.match(/LOOPWATCH_NO_INSPECTOR/g)?.length, 1, result.stderr)
  // The report says why it has no stack.
  assert.match(result.stderr, /^ {4}\(no stack: the permission model does not allow the inspector; Node >= 24: --allow-inspector\)$/m)
  // The hang report still comes from the watchdog thread.
  assert.match(result.stderr, /event loop blocked for \d+ ms so far and still running/)
})

test('permission model without --allow-worker: no crash, blocks measured, the reason in a warning', async () => {
  const result = await runFixture(fixture('hostile-block.mjs'), [], { nodeArgs: [kPermission, '--allow-fs-read=*'] })
  assert.equal(result.code, 0, result.stderr)
  theBlock(result)
  assert.match(result.stderr, /LOOPWATCH_WATCHDOG_FAILED/)
})

test('permission model with the inspector allowed (Node >= 24: --allow-inspector; before, it cannot be): stacks', async () => {
  const flags = kMajor >= 24 ? ['--permission', '--allow-fs-read=*', '--allow-worker', '--allow-inspector'] : [kPermission, '--allow-fs-read=*', '--allow-worker']
  const result = await runFixture(fixture('hostile-block.mjs'), [], { nodeArgs: flags })
  assert.equal(result.code, 0, result.stderr)
  if (kMajor >= 24) {
    assertAppStack(result)
    assert.doesNotMatch(result.stderr, /LOOPWATCH_NO_INSPECTOR/)
  } else {
    // Node 20 and 22 never grant the inspector under the permission model.
    assert.match(result.stderr, /LOOPWATCH_NO_INSPECTOR/)
  }
})

test('NODE_OPTIONS with options a worker refuses (--openssl-legacy-provider, --use-openssl-ca, --title): the watchdog starts', async () => {
  for (const option of ['--openssl-legacy-provider', '--use-openssl-ca', '--title=lw-hostile']) {
    const result = await runFixture(fixture('hostile-block.mjs'), [], { env: { NODE_OPTIONS: option } })
    assert.equal(result.code, 0, `${option}: ${result.stderr}`)
    assert.doesNotMatch(result.stderr, /WATCHDOG_FAILED|ERR_WORKER_INVALID_EXEC_ARGV/, option)
    assertAppStack(result)
  }
})

test('the CLI under NODE_OPTIONS=--openssl-legacy-provider still names the function', async () => {
  const result = await runFixture(fixture('../../dist/cli.js'), ['--', process.execPath, fixture('hostile-block.mjs')], {
    env: { NODE_OPTIONS: '--openssl-legacy-provider' },
  })
  assert.equal(result.code, 0, result.stderr)
  assert.match(result.stderr, /blockInHostileHost \(hostile-block\.mjs:\d+\)/)
})

test('a frozen Error (Object.freeze, --frozen-intrinsics): stacks and hang reports still come', async () => {
  for (const args of [{ nodeArgs: [], argv: ['--freeze-error'] }, { nodeArgs: ['--frozen-intrinsics'], argv: [] }]) {
    const result = await runFixture(fixture('hostile-block.mjs'), args.argv, { nodeArgs: args.nodeArgs })
    assert.equal(result.code, 0, result.stderr)
    assertAppStack(result)
    assert.match(result.stderr, /so far and still running\)?[^\n]*\n {4}at blockInHostileHost/)
  }
})

test('stderr is a pipe whose reader is gone: the reports are dropped and counted, the host lives', async () => {
  const child = spawn(process.execPath, [fixture('hostile-block.mjs')], {
    cwd: fixturesDir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' },
  })
  child.stderr.destroy()
  let stdout = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
  const [code] = (await once(child, 'close')) as [number | null]
  clearTimeout(timer)
  assert.equal(code, 0, stdout)
  const stats = stdout.split('\n').filter((line) => line.startsWith('{"stats"')).map((line) => (JSON.parse(line) as { stats: { droppedReports: number; blocks: number } }).stats)[0]
  assert.ok(stats, stdout)
  assert.ok(stats.blocks >= 1)
  assert.ok(stats.droppedReports >= 1, JSON.stringify(stats))
})

test('LOOPWATCH_REPORT in a folder that does not exist: the warning is printed at exit', async () => {
  const result = await runFixture(fixture('control-chars.cjs'), [], {
    nodeArgs: ['--import', 'loopwatch/register'], env: { LOOPWATCH_REPORT: '/nonexistent-dir/r.html', LOOPWATCH_LOG: '0' },
  })
  assert.equal(result.code, 0, result.stderr)
  assert.match(result.stderr, /\[LOOPWATCH_INVALID_ENV\] Warning: loopwatch: could not write LOOPWATCH_REPORT \/nonexistent-dir\/r\.html: .*cannot create a file in \/nonexistent-dir \(ENOENT\)/)
})

test('a report path where a symlink was planted: the link is replaced, its target left alone (register and the CLI)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'loopwatch-symlink-'))
  try {
    const target = join(dir, 'precious.txt')
    writeFileSync(target, 'precious\n')
    for (const name of ['r.html', 'cli.json', 'cli.html']) symlinkSync(target, join(dir, name))
    const viaEnv = await runFixture(fixture('control-chars.cjs'), [], {
      nodeArgs: ['--import', 'loopwatch/register'], env: { LOOPWATCH_REPORT: join(dir, 'r.html'), LOOPWATCH_LOG: '0' },
    })
    assert.equal(viaEnv.code, 0, viaEnv.stderr)
    const viaCli = await runFixture(fixture('../../dist/cli.js'), ['--quiet', '--json', join(dir, 'cli.json'), '--html', join(dir, 'cli.html'), fixture('control-chars.cjs')])
    assert.equal(viaCli.code, 0, viaCli.stderr)
    assert.equal(readFileSync(target, 'utf8'), 'precious\n')
    for (const name of ['r.html', 'cli.json', 'cli.html']) {
      assert.equal(lstatSync(join(dir, name)).isSymbolicLink(), false, name)
      assert.ok(readFileSync(join(dir, name), 'utf8').length > 100, name)
    }
    // No temporary file left behind.
    assert.deepEqual(readdirSync(dir).filter((name) => name.endsWith('.tmp')), [])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('control characters in a function name are escaped in the report and the CLI summary', async () => {
  const viaRegister = await runFixture(fixture('control-chars.cjs'), [], { nodeArgs: ['--import', 'loopwatch/register'], env: { LOOPWATCH_THRESHOLD: '50' } })
  assert.equal(viaRegister.code, 0, viaRegister.stderr)
  assert.match(viaRegister.stderr, /\\x1b\[2Jclear/)
  assert.equal(viaRegister.stderr.includes('\u001b'), false, 'a raw ESC reached stderr')
  const viaCli = await runFixture(fixture('../../dist/cli.js'), ['--quiet', '--threshold', '50', fixture('control-chars.cjs')])
  assert.equal(viaCli.code, 0, viaCli.stderr)
  assert.match(viaCli.stderr, /\\x1b\[2Jclear/)
  assert.equal(viaCli.stderr.includes('\u001b'), false, 'a raw ESC reached stderr')
})

test('`loopwatch -- ""` is a usage error (exit 2), not a crash', async () => {
  const result = await runFixture(fixture('../../dist/cli.js'), ['--', ''])
  assert.equal(result.code, 2)
  assert.match(result.stderr, /loopwatch: the command to run is empty/)
  assert.match(result.stderr, /Usage: loopwatch/)
  assert.doesNotMatch(result.stderr, /\n\s+at /)
})

test('the CLI SIGKILLed: the app ends within seconds and the temporary folder is removed', async () => {
  const cli = spawn(process.execPath, [fixture('../../dist/cli.js'), '--quiet', fixture('run-forever.cjs')], {
    cwd: fixturesDir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' },
  })
  let stdout = ''
  cli.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  // The app prints its pid and the CLI's folder once it runs.
  while (!stdout.includes('\n')) await new Promise((resolve) => setTimeout(resolve, 50))
  const { pid, dir } = JSON.parse(stdout.split('\n')[0] ?? '') as { pid: number; dir: string }
  assert.ok(existsSync(dir), dir)
  cli.kill('SIGKILL')
  const deadline = Date.now() + 10_000
  const alive = () => {
    try {
      process.kill(pid, 0)
      return true
    } catch {
      return false
    }
  }
  while (alive() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100))
  assert.equal(alive(), false, 'the app outlived the CLI by 10 s')
  assert.equal(existsSync(dir), false, `${dir} was left behind`)
})
