// Field check of loopwatch/testing on real projects' test suites, one per
// runner: each suite is run plainly and with the one-line setup, interleaved
// (plain, loopwatch, plain, loopwatch, ...), and at LOOPWATCH_THRESHOLD=50 (the
// old default) for comparison. Prints a markdown table for RESULTS.md.
//
//   npm run build && node benchmarks/field-check.mjs [rounds=3] [suite ...]
//
// Not part of `npm test`: it needs the suites' sources (two from npm tarballs,
// two that ship in this repository's node_modules) and takes ~15 minutes on
// 2 loaded cores (5 on a quiet machine). Suites are set up under /tmp/field-*;
// runs are `nice -n 10`, each with a hard timeout.
import { execFileSync, spawn } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const repo = fileURLToPath(new URL('../', import.meta.url))
const modules = join(repo, 'node_modules')
const bin = (pkg, file) => join(modules, pkg, file)
const kTimeoutMs = 300_000

function link(dir, name, target) {
  mkdirSync(join(dir, 'node_modules'), { recursive: true })
  const at = join(dir, 'node_modules', name)
  rmSync(at, { force: true, recursive: false })
  symlinkSync(target, at, 'dir')
}

function fromTarball(spec, dir) {
  if (existsSync(join(dir, 'package'))) return join(dir, 'package')
  mkdirSync(dir, { recursive: true })
  const tgz = execFileSync('npm', ['pack', spec, '--silent'], { cwd: dir, encoding: 'utf8' }).trim().split('\n').pop()
  execFileSync('tar', ['xzf', tgz], { cwd: dir })
  return join(dir, 'package')
}

function fromNodeModules(pkg, dir) {
  const to = join(dir, 'pkg')
  if (!existsSync(to)) cpSync(join(modules, pkg), to, { recursive: true, dereference: true })
  return to
}

/** Outcome of one run: tests, failures, and the failures raised by loopwatch (name: message head). */
function fromJestJson(file) {
  const report = JSON.parse(readFileSync(file, 'utf8'))
  const failures = []
  for (const result of report.testResults) {
    for (const assertion of result.assertionResults) {
      if (assertion.status === 'failed') failures.push({ name: assertion.fullName, message: assertion.failureMessages.join('\n') })
    }
    if (result.status === 'failed' && result.assertionResults.every((a) => a.status !== 'failed')) {
      failures.push({ name: result.name, message: result.message ?? result.failureMessage ?? '' })
    }
  }
  return { tests: report.numTotalTests, failures }
}

function fromTap(stdout) {
  const tests = Number(/^# tests (\d+)/m.exec(stdout)?.[1] ?? NaN)
  const failures = []
  const entries = stdout.split(/^(?=\s*not ok \d+ - )/m).slice(1)
  for (const entry of entries) {
    const name = /not ok \d+ - (.*)/.exec(entry)?.[1] ?? '?'
    failures.push({ name, message: entry.split(/^\s*ok \d+ - /m)[0] })
  }
  return { tests, failures }
}

function fromMochaJson(stdout) {
  const report = JSON.parse(stdout.slice(stdout.indexOf('{')))
  return {
    tests: report.stats.tests,
    failures: report.failures.map((f) => ({ name: f.fullTitle, message: `${f.err.name ?? ''}: ${f.err.message ?? ''} ${f.err.code ?? ''}` })),
  }
}

const suites = {
  'find-my-way': () => {
    const dir = fromNodeModules('find-my-way', '/tmp/field-fmw')
    for (const pkg of ['fast-deep-equal', 'fast-querystring', 'safe-regex2', 'rfdc', 'ret']) link(dir, pkg, join(modules, pkg))
    link(dir, 'loopwatch', repo)
    // issue-330 needs proxyquire, which is not installed here.
    const files = readdirSync(join(dir, 'test')).filter((f) => f.endsWith('.test.js') && f !== 'issue-330.test.js').map((f) => `test/${f}`)
    return {
      runner: 'node:test', dir,
      plain: ['--test', '--test-reporter=tap', ...files],
      loopwatch: ['--import', 'loopwatch/testing/node', '--test', '--test-reporter=tap', ...files],
      parse: ({ stdout }) => fromTap(stdout),
    }
  },
  'lz-string': () => {
    const dir = fromTarball('lz-string@1.5.0', '/tmp/field-lz')
    link(dir, 'loopwatch', repo)
    // The spec is jasmine's, written for tests/SpecRunner.html, where lz-string is a global.
    writeFileSync(join(dir, 'tests/globals.cjs'), "global.LZString = require('../libs/lz-string.js')\n")
    writeFileSync(join(dir, 'jest.plain.config.cjs'),
      "module.exports = { testMatch: ['<rootDir>/tests/*-spec.js'], setupFiles: ['<rootDir>/tests/globals.cjs'] }\n")
    writeFileSync(join(dir, 'jest.loopwatch.config.cjs'),
      "module.exports = { ...require('./jest.plain.config.cjs'), setupFilesAfterEnv: ['loopwatch/testing/jest'] }\n")
    const out = join(dir, 'jest-report.json')
    const jest = bin('jest', 'bin/jest.js')
    return {
      runner: 'jest', dir,
      plain: [jest, '--config', 'jest.plain.config.cjs', '--json', `--outputFile=${out}`],
      loopwatch: [jest, '--config', 'jest.loopwatch.config.cjs', '--json', `--outputFile=${out}`],
      parse: () => fromJestJson(out),
    }
  },
  flat: () => {
    const dir = fromNodeModules('flat', '/tmp/field-flat')
    link(dir, 'loopwatch', repo)
    const mocha = bin('mocha', 'bin/mocha.js')
    return {
      runner: 'mocha', dir,
      // mocha resolves --require from its own folder: NODE_PATH finds loopwatch.
      env: { NODE_PATH: join(dir, 'node_modules') },
      plain: [mocha, '-u', 'tdd', '--reporter', 'json'],
      loopwatch: [mocha, '-u', 'tdd', '--reporter', 'json', '--require', 'loopwatch/testing/mocha'],
      parse: ({ stdout }) => fromMochaJson(stdout),
    }
  },
  zod: () => {
    const dir = fromTarball('zod@4.6.7', '/tmp/field-zod')
    link(dir, 'vitest', join(modules, 'vitest'))
    link(dir, 'zod', dir)
    link(dir, 'loopwatch', repo)
    // Files that need packages not installed here (recheck, @web-std/file, an OpenAPI validator).
    const exclude = ['redos', 'file', 'to-json-schema'].map((f) => `'src/v4/classic/tests/${f}.test.ts'`).join(', ')
    writeFileSync(join(dir, 'vitest.plain.config.mjs'),
      `export default { test: { include: ['src/v4/classic/tests/**/*.test.ts'], exclude: [${exclude}], typecheck: { enabled: false } } }\n`)
    writeFileSync(join(dir, 'vitest.loopwatch.config.mjs'),
      "import plain from './vitest.plain.config.mjs'\nexport default { test: { ...plain.test, setupFiles: ['loopwatch/testing/vitest'] } }\n")
    const out = join(dir, 'vitest-report.json')
    const vitest = bin('vitest', 'vitest.mjs')
    return {
      runner: 'vitest', dir,
      plain: [vitest, 'run', '--config', 'vitest.plain.config.mjs', '--reporter=json', `--outputFile=${out}`],
      loopwatch: [vitest, 'run', '--config', 'vitest.loopwatch.config.mjs', '--reporter=json', `--outputFile=${out}`],
      parse: () => fromJestJson(out),
    }
  },
}

function runOnce(suite, args, env) {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn('nice', ['-n', '10', process.execPath, ...args], {
      cwd: suite.dir,
      env: { ...process.env, NODE_OPTIONS: '', FORCE_COLOR: '0', CI: '1', ...suite.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (c) => (stdout += c))
    child.stderr.setEncoding('utf8').on('data', (c) => (stderr += c))
    const timer = setTimeout(() => child.kill('SIGKILL'), kTimeoutMs)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const ms = performance.now() - started
      if (signal === 'SIGKILL') return reject(new Error(`${args.join(' ')} timed out`))
      try {
        const outcome = suite.parse({ stdout, stderr })
        resolve({ ms, code, ...outcome, blocked: outcome.failures.filter((f) => /ERR_LOOPWATCH_BLOCKED|LoopBlockedError/.test(f.message)) })
      } catch (error) {
        reject(new Error(`could not read the results of ${args.join(' ')}: ${error.message}\n${stdout.slice(-2000)}\n${stderr.slice(-2000)}`))
      }
    })
  })
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const rounds = Number(process.argv[2] ?? 3)
const names = process.argv.slice(3).length > 0 ? process.argv.slice(3) : Object.keys(suites)
console.log(`Node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${rounds} rounds, ${new Date().toISOString()}\n`)
const rows = []
for (const name of names) {
  const suite = suites[name]()
  const runs = { plain: [], loopwatch: [], at50: [] }
  for (let round = 0; round < rounds; round++) {
    runs.plain.push(await runOnce(suite, suite.plain, {}))
    runs.loopwatch.push(await runOnce(suite, suite.loopwatch, {}))
    runs.at50.push(await runOnce(suite, suite.loopwatch, { LOOPWATCH_THRESHOLD: '50' }))
  }
  const ratios = runs.plain.map((p, i) => runs.loopwatch[i].ms / p.ms)
  const blockedSets = (list) => list.map((r) => r.blocked.map((f) => f.name).sort().join(' | '))
  const row = {
    name, runner: suite.runner, tests: runs.plain[0].tests,
    plainFailed: runs.plain.map((r) => r.failures.length),
    otherFailed: runs.loopwatch.map((r) => r.failures.length - r.blocked.length),
    plainMs: runs.plain.map((r) => Math.round(r.ms)), loopwatchMs: runs.loopwatch.map((r) => Math.round(r.ms)),
    ratio: median(ratios), range: [Math.min(...ratios), Math.max(...ratios)],
    blocked: runs.loopwatch.map((r) => r.blocked.length), identical: new Set(blockedSets(runs.loopwatch)).size === 1,
    blocked50: runs.at50.map((r) => r.blocked.length), identical50: new Set(blockedSets(runs.at50)).size === 1,
    failures: runs.loopwatch.flatMap((r) => r.blocked).map((f) => `${f.name}: ${f.message.split('\n').slice(0, 6).join(' / ')}`),
    // The first lines of a failure at 50 ms give a block's time on CPU: how far below 200 ms it is.
    failures50: runs.at50.flatMap((r) => r.blocked).map((f) => `${f.name}: ${f.message.split('\n').slice(0, 3).join(' / ')}`),
  }
  rows.push(row)
  console.error(JSON.stringify(row, null, 1))
}
console.log('| suite | runner | tests | wall time plain (ms) | with loopwatch (ms) | ratio, median (range) | failed by loopwatch at 200 ms (per run) | same set each run | at 50 ms (per run) | same set each run | other failures plain / with |')
console.log('|---|---|---|---|---|---|---|---|---|---|---|')
for (const r of rows) {
  console.log(`| ${r.name} | ${r.runner} | ${r.tests} | ${r.plainMs.join(', ')} | ${r.loopwatchMs.join(', ')} | ${r.ratio.toFixed(2)} (${r.range.map((x) => x.toFixed(2)).join('-')}) | ${r.blocked.join(', ')} | ${r.identical ? 'yes' : 'no'} | ${r.blocked50.join(', ')} | ${r.identical50 ? 'yes' : 'no'} | ${r.plainFailed.join(',')} / ${r.otherFailed.join(',')} |`)
}
for (const r of rows) {
  if (r.failures.length === 0) continue
  console.log(`\n${r.name}, failures raised by loopwatch at the default:\n`)
  for (const f of new Set(r.failures)) console.log(`- ${f}`)
}
for (const r of rows) {
  if (r.failures50.length === 0) continue
  console.log(`\n${r.name}, failures raised by loopwatch at LOOPWATCH_THRESHOLD=50:\n`)
  for (const f of new Set(r.failures50)) console.log(`- ${f}`)
}
