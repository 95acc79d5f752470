// The per-file cost of loopwatch/testing/node: node --test runs each test file
// in a process of its own (Node 20; Node 22 and 24 too, unless isolation is
// off), and each one starts loopwatch: its modules and its watchdog thread.
// Runs a suite plainly and with the one-line setup, interleaved (the order
// rotates each round), and prints medians and ranges of the ratios: wall time,
// and CPU time of all the processes (steadier on a shared machine).
// Then, per variant, the tests loopwatch failed in each run and whether the set
// was the same every run.
//
//   npm run build && node benchmarks/node-test-files.mjs [rounds=10] [generated|DIR] [-- more node flags]
//
// `generated`: 60 files of 8 quick tests each, the worst case (a file's own
// work is a few milliseconds). DIR: a project with test/*.test.js files
// (find-my-way, set up as benchmarks/field-check.mjs does). NODE_BIN picks the
// node binary; BASELINE=/path/to/another/loopwatch (built) adds its runs to
// each round, to compare two versions. Not part of `npm test`.
import { spawn } from 'node:child_process'
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const repo = fileURLToPath(new URL('../', import.meta.url))
const dashes = process.argv.indexOf('--')
const args = dashes === -1 ? process.argv.slice(2) : process.argv.slice(2, dashes)
const extra = dashes === -1 ? [] : process.argv.slice(dashes + 1)
const rounds = Number(args[0] ?? 10)
const which = args[1] ?? 'generated'
const nodeBin = process.env.NODE_BIN ?? process.execPath

function generated() {
  const dir = '/tmp/loopwatch-node-test-files'
  mkdirSync(join(dir, 'test'), { recursive: true })
  for (let i = 0; i < 60; i++) {
    writeFileSync(join(dir, 'test', `f${i}.test.mjs`), `import { test } from 'node:test'
import assert from 'node:assert/strict'
const parse = (s) => s.split(',').map(Number)
for (let i = 0; i < 8; i++) {
  test('case ' + i, () => {
    const xs = parse(Array.from({ length: 200 }, (_, k) => k * ${i + 1}).join(','))
    assert.equal(xs.length, 200)
  })
}
`)
  }
  return dir
}

const dir = which === 'generated' ? generated() : which
const files = readdirSync(join(dir, 'test')).filter((f) => /\.test\.m?js$/.test(f) && f !== 'issue-330.test.js').map((f) => `test/${f}`)
// By path: the suite needs no node_modules/loopwatch, and two versions can take turns.
const variants = { plain: [], loopwatch: ['--import', join(repo, 'dist/testing-node.js')] }
if (process.env.BASELINE) variants.baseline = ['--import', join(process.env.BASELINE, 'dist/testing-node.js')]
const names = Object.keys(variants)

function run(name) {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const argv = [...variants[name], '--test', '--test-reporter=tap', ...extra, ...files]
    // GNU time reports the CPU time of the whole tree (node --test waits for its children).
    const timeFile = join(dir, `.time-${process.pid}`)
    const child = spawn('/usr/bin/time', ['-f', '%U %S', '-o', timeFile, nodeBin, ...argv],
      { cwd: dir, env: { ...process.env, NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.setEncoding('utf8').on('data', (c) => (out += c))
    child.stderr.resume()
    child.on('close', () => {
      const ms = performance.now() - started
      const tests = Number(/^# tests (\d+)/m.exec(out)?.[1] ?? NaN)
      const fail = Number(/^# fail (\d+)/m.exec(out)?.[1] ?? NaN)
      const [user, system] = readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(' ').map(Number)
      // The tests loopwatch failed: a `not ok` entry whose report names its error.
      const blocked = out.split(/^(?=\s*not ok \d+ - )/m).slice(1)
        .map((entry) => ({ name: /not ok \d+ - (.*)/.exec(entry)?.[1] ?? '?', body: entry.split(/^\s*ok \d+ - /m)[0] }))
        .filter((e) => /ERR_LOOPWATCH_BLOCKED|LoopBlockedError/.test(e.body)).map((e) => e.name).sort()
      if (Number.isNaN(tests)) reject(new Error(out.slice(-2000)))
      else resolve({ ms, cpuMs: (user + system) * 1000, tests, fail, blocked })
    })
  })
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const range = (xs, digits) => `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}-${Math.max(...xs).toFixed(digits)})`
const loads = [loadavg()[0]]
const runs = Object.fromEntries(names.map((name) => [name, []]))
for (let round = 0; round < rounds; round++) {
  // Rotate the order: a drift in the machine's load hits every variant alike.
  const order = names.map((_, i) => names[(i + round) % names.length])
  for (const name of order) runs[name].push(await run(name))
  loads.push(loadavg()[0])
  console.error(`round ${round + 1}: ${names.map((name) => {
    const r = runs[name][round]
    return `${name} ${r.ms.toFixed(0)} ms wall, ${r.cpuMs.toFixed(0)} ms CPU (${r.tests} tests, ${r.fail} failed)`
  }).join('; ')}`)
}
const version = (await import('node:child_process')).execFileSync(nodeBin, ['--version'], { encoding: 'utf8' }).trim()
console.log(`Node ${version}, ${cpus().length} cores, ${which === 'generated' ? 'generated suite' : dir}, ${files.length} files${extra.length > 0 ? `, ${extra.join(' ')}` : ''}, ${rounds} rounds, load average ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}`)
console.log(`plain: wall ${range(runs.plain.map((r) => r.ms), 0)} ms, CPU ${range(runs.plain.map((r) => r.cpuMs), 0)} ms`)
for (const name of names.slice(1)) {
  const wall = runs[name].map((r, i) => r.ms / runs.plain[i].ms)
  const cpu = runs[name].map((r, i) => r.cpuMs / runs.plain[i].cpuMs)
  const wallPerFile = runs[name].map((r, i) => (r.ms - runs.plain[i].ms) / files.length)
  const cpuPerFile = runs[name].map((r, i) => (r.cpuMs - runs.plain[i].cpuMs) / files.length)
  console.log(`${name}: wall ratio ${range(wall, 2)}, CPU ratio ${range(cpu, 2)}; per file: wall +${range(wallPerFile, 1)} ms, CPU +${range(cpuPerFile, 1)} ms`)
}
for (const name of names) {
  const sets = runs[name].map((r) => r.blocked.join(' | '))
  console.log(`${name}: failed ${runs[name].map((r) => r.fail).join(', ')}; failed by loopwatch ${runs[name].map((r) => r.blocked.length).join(', ')}, same set each run: ${new Set(sets).size === 1 ? 'yes' : 'no'}`)
  for (const test of new Set(runs[name].flatMap((r) => r.blocked))) console.log(`  - ${test}: ${runs[name].filter((r) => r.blocked.includes(test)).length}/${rounds} runs`)
}
