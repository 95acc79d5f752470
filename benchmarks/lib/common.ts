// Shared by the benchmarks: the contenders, child processes that run a
// workload under one contender, interleaved rounds, and summaries.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const benchDir = fileURLToPath(new URL('../', import.meta.url))
export const fixturesDir = fileURLToPath(new URL('../fixtures/', import.meta.url))
export const resultsDir = fileURLToPath(new URL('../results/', import.meta.url))
export const contenderPreload = fileURLToPath(new URL('./contender.mjs', import.meta.url))

export type Contender = 'none' | 'loopwatch' | 'loopwatch-debug' | 'loopwatch-debug-armed' | 'loopwatch-debug-stacks' | 'blocked-at' | 'sentry-native'
  | 'control' | 'idle-thread' | 'loopwatch-no-cpu' | 'loopwatch-copy'

export const contenders: readonly Contender[] = ['none', 'loopwatch', 'loopwatch-debug', 'loopwatch-debug-armed', 'loopwatch-debug-stacks', 'blocked-at', 'sentry-native']

/**
 * Controls, not watchers: `control` is a second "no watcher" (an A/A
 * comparison: how far apart two identical servers measure in the same
 * run); `idle-thread` only starts a worker thread that wakes as often as
 * loopwatch's idle watchdog does (13 times a second), to tell the cost of a
 * second thread from the cost of watching. The HTTP benchmarks run them.
 */
export const controls: readonly Contender[] = ['control', 'idle-thread']

/**
 * Variants of loopwatch run by one benchmark only, not side by side:
 * `loopwatch-no-cpu` is always-on with `cpu: false` (no CPU accounting),
 * the baseline of `overhead-cpu-accounting`; `loopwatch-copy` a second
 * always-on, for an A/A comparison between two identical watchers.
 */
export const variants: readonly Contender[] = ['loopwatch-no-cpu', 'loopwatch-copy']

export const contenderLabels: Record<Contender, string> = {
  'none': 'no watcher',
  'loopwatch': 'loopwatch always-on',
  'loopwatch-debug': 'loopwatch debug',
  'loopwatch-debug-armed': 'loopwatch debug, after a first block',
  'loopwatch-debug-stacks': 'loopwatch debug + scheduleStacks',
  'blocked-at': 'blocked-at',
  'sentry-native': 'Sentry-style watchdog',
  'control': 'no watcher, a second copy (A/A control)',
  'idle-thread': 'an idle worker thread (control)',
  'loopwatch-no-cpu': 'loopwatch always-on, cpu: false',
  'loopwatch-copy': 'loopwatch always-on, a second copy (A/A control)',
}

/** Threshold given to loopwatch and the Sentry-style watchdog; blocked-at keeps its default (20 ms). */
export const kThresholdMs = 100

export interface BenchArgs {
  rounds: number
  /** Seconds per measurement where a workload runs for a set time (HTTP, idle). */
  seconds: number
  only: Contender[] | undefined
}

/** `--rounds N`, `--seconds N`, `--quick`, `--only a,b`. */
export function parseArgs(argv = process.argv.slice(2), defaults = { rounds: 5, seconds: 3 }): BenchArgs {
  const value = (name: string) => {
    const i = argv.indexOf(name)
    return i === -1 ? undefined : argv[i + 1]
  }
  const quick = argv.includes('--quick')
  const only = value('--only')?.split(',') as Contender[] | undefined
  return {
    rounds: Number(value('--rounds') ?? (quick ? Math.min(3, defaults.rounds) : defaults.rounds)),
    seconds: Number(value('--seconds') ?? (quick ? Math.min(2, defaults.seconds) : defaults.seconds)),
    only,
  }
}

/**
 * The contenders of a run: always the baseline, then the others asked for
 * (`--only`), or every watcher; the controls when `withControls` or asked for.
 */
export function selected(args: BenchArgs, withControls = false): Contender[] {
  const watchers = contenders.filter((c) => c === 'none' || args.only === undefined || args.only.includes(c))
  const picked = controls.filter((c) => (args.only === undefined ? withControls : args.only.includes(c)))
  return [...watchers, ...picked]
}

/** Round `r`'s order: rotated each round, so no contender always runs first or last. */
export function roundOrder<T>(items: readonly T[], round: number): T[] {
  const k = round % items.length
  return [...items.slice(k), ...items.slice(0, k)]
}

export interface ChildOptions {
  env?: NodeJS.ProcessEnv
  nodeArgs?: string[]
  cwd?: string
  ipc?: boolean
  /** Hard limit (ms): the child is killed after this long. */
  timeoutMs?: number
}

export interface Child {
  process: ChildProcess
  /** Resolves with the next JSON line on stdout for which `match` is true. */
  next<T>(match: (value: Record<string, unknown>) => boolean): Promise<T>
  /** Resolves once the child exited, with every JSON line it printed. */
  done: Promise<{ code: number | null; lines: Record<string, unknown>[]; stderr: string }>
}

/** Runs `script` (under `fixtures/` unless absolute) with the contender preloaded. */
export function spawnWithContender(contender: Contender, script: string, args: string[] = [], options: ChildOptions = {}): Child {
  const file = script.startsWith('/') ? script : fixturesDir + script
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', contenderPreload, file, ...args], {
    cwd: options.cwd ?? fixturesDir,
    env: { ...process.env, NODE_OPTIONS: '', DEBUG: '', BENCH_CONTENDER: contender, BENCH_THRESHOLD: String(kThresholdMs), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe', ...(options.ipc ? ['ipc' as const] : [])],
  })
  const lines: Record<string, unknown>[] = []
  const waiters: { match: (v: Record<string, unknown>) => boolean; resolve: (v: unknown) => void; reject: (e: Error) => void }[] = []
  let buffered = ''
  let stderr = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk
    let nl: number
    while ((nl = buffered.indexOf('\n')) !== -1) {
      const line = buffered.slice(0, nl)
      buffered = buffered.slice(nl + 1)
      if (!line.startsWith('{')) continue
      const value = JSON.parse(line) as Record<string, unknown>
      lines.push(value)
      const i = waiters.findIndex((w) => w.match(value))
      if (i !== -1) waiters.splice(i, 1)[0]?.resolve(value)
    }
  })
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 300_000)
  const done = new Promise<{ code: number | null; lines: Record<string, unknown>[]; stderr: string }>((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer)
      for (const w of waiters.splice(0)) w.reject(new Error(`${script} under ${contender} exited (${code}) first\n${stderr}`))
      resolve({ code, lines, stderr })
    })
  })
  return {
    process: child,
    next<T>(match: (value: Record<string, unknown>) => boolean) {
      const seen = lines.find(match)
      if (seen) return Promise.resolve(seen as T)
      return new Promise<T>((resolve, reject) => {
        waiters.push({ match, resolve: resolve as (v: unknown) => void, reject })
      })
    },
    done,
  }
}

/** Runs a child to completion and returns its last JSON line that has `key`. */
export async function runToResult<T>(contender: Contender, script: string, args: string[], key: string, options: ChildOptions = {}): Promise<T> {
  const { code, lines, stderr } = await spawnWithContender(contender, script, args, options).done
  const found = lines.filter((l) => key in l).pop()
  if (code !== 0 || found === undefined) throw new Error(`${script} under ${contender} failed (exit ${code}):\n${stderr}`)
  return found as T
}

export interface Summary {
  median: number
  min: number
  max: number
  n: number
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  if (sorted.length === 0) return Number.NaN
  return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2
}

export function summarize(values: readonly number[]): Summary {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), n: values.length }
}

/** One value per contender per round. */
export type Rounds = Partial<Record<Contender, number>>[]

/**
 * Per contender: the absolute values, and the ratio to the baseline of the
 * same round (value / baseline), summarized over rounds.
 */
export function ratios(rounds: Rounds): Partial<Record<Contender, { value: Summary; ratio: Summary }>> {
  const out: Partial<Record<Contender, { value: Summary; ratio: Summary }>> = {}
  for (const contender of [...contenders, ...controls, ...variants]) {
    const values: number[] = []
    const rs: number[] = []
    for (const round of rounds) {
      const v = round[contender]
      const base = round.none
      if (v === undefined || base === undefined) continue
      values.push(v)
      rs.push(v / base)
    }
    if (values.length > 0) out[contender] = { value: summarize(values), ratio: summarize(rs) }
  }
  return out
}

export function fmt(value: number, digits = 2): string {
  if (!Number.isFinite(value)) return 'n/a'
  return value.toFixed(digits)
}

/** `0.99 (0.97..1.01)` */
export function fmtSummary(s: Summary | undefined, digits = 2): string {
  if (s === undefined) return 'n/a'
  return `${fmt(s.median, digits)} (${fmt(s.min, digits)}..${fmt(s.max, digits)})`
}

/** Saves a bench's result for `run.ts --doc`. */
export function saveResult(name: string, result: unknown): void {
  mkdirSync(resultsDir, { recursive: true })
  writeFileSync(`${resultsDir}${name}.json`, `${JSON.stringify({ name, date: new Date().toISOString(), node: process.version, result }, null, 2)}\n`)
}

export function log(message: string): void {
  process.stderr.write(`${message}\n`)
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
