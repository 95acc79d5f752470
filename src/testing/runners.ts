import { failTest } from './report.js'
import { tracker, type TestWindow } from './tracker.js'
import { loopwatchRequire } from '../core/module-url.js'
import { hookNodeTest } from './node.js'

/** The test runners `failOnBlock()` hooks into. */
export type RunnerName = 'node' | 'vitest' | 'jest' | 'mocha'

type Hook = (...args: never[]) => unknown
/** `beforeEach`/`afterEach` as node:test, jest, vitest and mocha expose them. */
export interface EachHooks {
  beforeEach(fn: Hook): unknown
  afterEach(fn: Hook): unknown
}

/**
 * Which runner is running, from what each one sets: vitest and jest set
 * environment variables in their workers, mocha defines its globals while
 * test files load, node --test sets NODE_TEST_CONTEXT in its child processes.
 */
export function detectRunner(env: NodeJS.ProcessEnv, globals: object, execArgv: readonly string[]): RunnerName | undefined {
  const g = globals as Record<string, unknown>
  if (env['VITEST'] !== undefined || env['VITEST_WORKER_ID'] !== undefined || '__vitest_worker__' in g) return 'vitest'
  if (env['JEST_WORKER_ID'] !== undefined) return 'jest'
  const bdd = typeof g['before'] === 'function' && typeof g['after'] === 'function'
  const tdd = typeof g['suiteSetup'] === 'function' && typeof g['teardown'] === 'function'
  if (bdd || tdd) return 'mocha'
  if (runsNodeTests(env, execArgv)) return 'node'
  return undefined
}

/**
 * node --test runs each file in a child process with NODE_TEST_CONTEXT set;
 * with isolation off it runs them in its own process. The orchestrating
 * process of an isolated run has no tests of its own.
 */
export function runsNodeTests(env: NodeJS.ProcessEnv, execArgv: readonly string[]): boolean {
  if (env['NODE_TEST_CONTEXT'] !== undefined) return true
  const test = execArgv.some((arg) => arg === '--test')
  const isolationOff = execArgv.some((arg) => /^--(experimental-)?test-isolation=none$/.test(arg))
  return test && isolationOff
}

/** Hooks node:test: root hooks, so they wrap every test of the process. */
export function installNode(): void {
  const t = tracker()
  if (t.installed.has('node') || !runsNodeTests(process.env, process.execArgv)) return
  t.installed.add('node')
  hookNodeTest(loopwatchRequire()('node:test') as EachHooks)
}

/** Hooks jest, in the test file's realm, with its global hooks. Once per file. */
export function installJest(globals: Partial<EachHooks> & object): void {
  const t = tracker()
  if (t.hooked.has(globals)) return
  const { beforeEach, afterEach } = globals
  if (typeof beforeEach !== 'function' || typeof afterEach !== 'function') {
    throw new Error('loopwatch/testing: jest\'s `beforeEach` and `afterEach` globals are missing (injectGlobals: false?); ' +
      'load loopwatch/testing/jest through setupFilesAfterEnv, with jest\'s globals on')
  }
  t.hooked.add(globals)
  // jest runs a file's tests one at a time: a stack pairs the hooks.
  const windows: TestWindow[] = []
  beforeEach(async () => {
    await tracker().ready()
    windows.push(tracker().begin())
  })
  afterEach(async () => {
    const window = windows.pop()
    if (window === undefined) return
    const verdict = await tracker().end(window)
    if (verdict !== undefined) failTest(verdict)
  })
}

interface VitestContext {
  task: object
}

/**
 * Hooks vitest for the test file being collected (setup files run once per
 * test file). Returns `false` when this file was already hooked.
 */
export function installVitest(hooks: EachHooks, file: object | undefined): boolean {
  if (file !== undefined) {
    const t = tracker()
    if (t.hooked.has(file)) return false
    t.hooked.add(file)
  }
  const windows = new WeakMap<object, TestWindow>()
  hooks.beforeEach(async (context: VitestContext) => {
    await tracker().ready()
    windows.set(context.task, tracker().begin())
  })
  hooks.afterEach(async (context: VitestContext) => {
    const window = windows.get(context.task)
    if (window === undefined) return
    windows.delete(context.task)
    const verdict = await tracker().end(window)
    if (verdict !== undefined) failTest(verdict)
  })
  return true
}

/** The file vitest is collecting now, from its worker state. */
export function vitestFile(globals: object): object | undefined {
  const state = (globals as { __vitest_worker__?: { current?: object } }).__vitest_worker__
  return state?.current
}

export function isVitestFileHooked(globals: object): boolean {
  const file = vitestFile(globals)
  return file !== undefined && tracker().hooked.has(file)
}
