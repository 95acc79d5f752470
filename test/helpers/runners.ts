import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const testingFixtures = fileURLToPath(new URL('../fixtures/testing/', import.meta.url))
const repoRoot = fileURLToPath(new URL('../../', import.meta.url))

/** The lines of fixtures/testing/blockers.cjs where each blocker waits. */
export const kLines = { blockHeavily: 6, loadFixture: 10, blockBriefly: 14 }

/** The fixture suites' configuration through the environment. */
export const kSuiteEnv = { LOOPWATCH_ALLOW: 'loadFixture', LOOPWATCH_TOTAL_BLOCKED: '100' }

/** The fixture suites' tests, in order; the first and third must fail. */
export const kSuiteTests = [
  'blocks for 300 ms',
  'blocks only in an allowed function',
  'blocks 8 x 30 ms',
  'does not block',
  'raises its own budget',
  'allows a blocker for itself',
]

export interface Outcome {
  name: string
  passed: boolean
  /** The failure as the runner reports it (empty when passed). */
  failure: string
}

export interface RunnerRun {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs a node script (a runner's bin) with a hard timeout; never inherits NODE_OPTIONS or DEBUG. */
export async function run(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}, timeoutMs = 60_000): Promise<RunnerRun> {
  const child = spawn(process.execPath, args, {
    cwd,
    env: { ...process.env, NODE_OPTIONS: '', DEBUG: '', NODE_TEST_CONTEXT: undefined, FORCE_COLOR: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null]
  clearTimeout(timer)
  if (signal === 'SIGKILL') throw new Error(`${args.join(' ')} timed out after ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`)
  return { code, stdout, stderr }
}

/** A temporary directory, removed by `t.after`. */
export function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'loopwatch-testing-'))
  t.after(() => {
    rmSync(dir, { recursive: true, force: true })
  })
  return dir
}

/**
 * A folder for NODE_PATH holding `loopwatch` (a link to this repository):
 * mocha resolves `--require` modules from its own location, which only finds
 * packages installed next to it.
 */
export function nodePathWithLoopwatch(t: { after: (fn: () => void) => void }): string {
  const dir = tempDir(t)
  symlinkSync(repoRoot, join(dir, 'loopwatch'), 'dir')
  return dir
}

/** The runners' command-line scripts (not in their packages' exports). */
export const bins = {
  jest: join(repoRoot, 'node_modules', 'jest', 'bin', 'jest.js'),
  mocha: join(repoRoot, 'node_modules', 'mocha', 'bin', 'mocha.js'),
  vitest: join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs'),
}

/** Outcomes from jest's or vitest's `--json` report (the same shape). */
export function jsonOutcomes(json: string): Outcome[] {
  const report = JSON.parse(json) as {
    testResults: { assertionResults: { title: string; status: string; failureMessages: string[] }[] }[]
  }
  return report.testResults.flatMap((file) => file.assertionResults.map((result) => ({
    name: result.title,
    passed: result.status === 'passed',
    failure: result.failureMessages.join('\n'),
  })))
}

/** Outcomes from mocha's `json` reporter. */
export function mochaOutcomes(json: string): Outcome[] {
  const report = JSON.parse(json) as { tests: { title: string; err: { message?: string; stack?: string } }[] }
  return report.tests.map((test) => ({
    name: test.title,
    passed: test.err.message === undefined,
    failure: test.err.stack ?? test.err.message ?? '',
  }))
}

/** Outcomes from node:test's TAP report (top-level tests only). */
export function tapOutcomes(tap: string): Outcome[] {
  const outcomes: Outcome[] = []
  const lines = tap.split('\n')
  lines.forEach((line, i) => {
    const match = /^(not ok|ok) \d+ - (.*)$/.exec(line)
    if (match === null) return
    // The YAML block that follows a test holds its error.
    let end = i + 1
    while (end < lines.length && !/^(not ok|ok) \d+ - /.test(lines[end] ?? '')) end++
    outcomes.push({ name: match[2] ?? '', passed: match[1] === 'ok', failure: match[1] === 'ok' ? '' : lines.slice(i + 1, end).join('\n') })
  })
  return outcomes
}

/** Reads a report file a runner wrote. */
export function readReport(file: string): string {
  return readFileSync(file, 'utf8')
}

/**
 * The bar for every runner: exactly the 300 ms test and the 8 x 30 ms test
 * fail, each naming its blocking function with file and line; the others
 * pass. `suiteLine` is the line of the 300 ms test's call to blockHeavily.
 */
export function assertSuiteOutcomes(outcomes: Outcome[], suiteLine: number): void {
  assert.deepEqual(outcomes.map((o) => o.name), kSuiteTests, 'every test of the suite ran, in order')
  assert.deepEqual(outcomes.filter((o) => !o.passed).map((o) => o.name), ['blocks for 300 ms', 'blocks 8 x 30 ms'],
    outcomes.map((o) => `${o.name}: ${o.failure}`).join('\n'))
  const [long, , total] = outcomes
  assert.match(long?.failure ?? '', /the event loop was blocked for \d+ ms during this test \(limit 200 ms\)/)
  assert.match(long?.failure ?? '', new RegExp(`at blockHeavily \\([^)]*blockers\\.cjs:${kLines.blockHeavily}:\\d+\\)`))
  // The test's own line: runners that compile test files in memory (vitest)
  // must have their source maps applied.
  assert.match(long?.failure ?? '', new RegExp(`suite\\.test\\.[cm]js:${suiteLine}:\\d+\\)`))
  assert.match(total?.failure ?? '', /blocked for \d+ ms in total during this test, in \d+ stalls of 10 ms or more \(budget\.totalBlocked 100 ms\)/)
  assert.match(total?.failure ?? '', new RegExp(`at blockBriefly \\([^)]*blockers\\.cjs:${kLines.blockBriefly}:\\d+\\)`))
  // The headline counts the block's own time; its wall time is in the split
  // line below it where the wait for a CPU is measured (Linux).
  if (process.platform === 'linux') {
    assert.match(long?.failure ?? '', /\(limit 200 ms\)\n\s+on CPU \d+ ms(, waiting for a CPU \d+ ms)?, off CPU \d+ ms \(\d+ ms wall/)
  }
  const blocked = /(\d+) ms wall/.exec(long?.failure ?? '') ?? /blocked for (\d+) ms/.exec(long?.failure ?? '')
  assert.ok(Number(blocked?.[1]) >= 300, `the 300 ms block measured ${blocked?.[1] ?? '?'} ms`)
}

/** Outcomes from node:test's TAP report, subtests included, as `parent > child` names. */
export function tapTree(tap: string): Outcome[] {
  const outcomes: Outcome[] = []
  const lines = tap.split('\n')
  // TAP lists a test's subtests before the test: collect them per depth.
  const pending: string[][] = []
  lines.forEach((line, i) => {
    const subtest = /^(\s*)# Subtest: (.*)$/.exec(line)
    if (subtest !== null) {
      const depth = (subtest[1] ?? '').length / 4
      pending[depth] = [subtest[2] ?? '']
      return
    }
    const match = /^(\s*)(not ok|ok) \d+ - (.*?)(?: # .*)?$/.exec(line)
    if (match === null) return
    const depth = (match[1] ?? '').length / 4
    const path = [...pending.slice(0, depth).map((names) => names[0] ?? '?'), match[3] ?? '']
    let end = i + 1
    while (end < lines.length && !/^\s*(not ok|ok) \d+ - |^\s*# Subtest: /.test(lines[end] ?? '')) end++
    outcomes.push({ name: path.join(' > '), passed: match[2] === 'ok', failure: match[2] === 'ok' ? '' : lines.slice(i + 1, end).join('\n') })
  })
  return outcomes
}
