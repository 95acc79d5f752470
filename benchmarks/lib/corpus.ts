// Runs the diagnosis corpus under each contender and scores what each one
// reported: the culprit function in the first user frame, its exact line, the
// duration, and (for the hang) a report while the process was still stuck.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { scenarios, type Scenario } from '../corpus/scenarios.js'
import { kThresholdMs, spawnWithContender, type Contender } from './common.js'

export const scenariosDir = fileURLToPath(new URL('../corpus/scenarios/', import.meta.url))
const tsOutDir = join(scenariosDir, 'ts-out')
/** How long a hang scenario is left stuck before it is killed. */
const kHangWaitMs = 4000

export interface Frame { fn: string; file: string; line: number; col: number }
interface Report { contender: string; thread: string; capturedAt: number; startTime?: number; duration: number | null; hang: boolean; frames: Frame[]; source?: string; cause?: string }
interface Truth { startEpoch: number; endEpoch?: number; durationMs?: number; hang?: boolean }

export interface Score {
  scenario: string
  contender: Contender
  reported: boolean
  /** The first user frame of the report, as `fn (file:line)`. */
  culprit: string | undefined
  fnOk: boolean
  lineOk: boolean
  /** undefined: the contender reports no duration. */
  durationOk: boolean | undefined
  truthMs: number | undefined
  reportedMs: number | null | undefined
  /** Hang scenarios only: a report came out while the process was stuck. */
  hangOk: boolean | undefined
  reports: number
  /** loopwatch's `cause` for the block, when it reports one. */
  cause?: string
  note?: string
}

/** Compiles the TypeScript scenarios to ts-out/ with external source maps. */
export function compileTypeScript(): void {
  rmSync(tsOutDir, { recursive: true, force: true })
  mkdirSync(tsOutDir, { recursive: true })
  for (const scenario of scenarios.filter((s) => s.format === 'TS')) {
    const source = join(scenariosDir, scenario.file)
    const out = join(tsOutDir, scenario.file.replace(/^ts\//, '').replace(/\.ts$/, '.js'))
    const result = ts.transpileModule(readFileSync(source, 'utf8'), {
      fileName: source,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, sourceMap: true },
    })
    const map = JSON.parse(result.sourceMapText ?? '{}') as { sources: string[]; file?: string }
    map.sources = [relative(dirname(out), source)]
    map.file = out.split('/').pop() ?? ''
    const js = result.outputText.replace(/\/\/# sourceMappingURL=.*$/m, `//# sourceMappingURL=${map.file}.map`)
    writeFileSync(out, js)
    writeFileSync(`${out}.map`, JSON.stringify(map))
  }
}

/** The script a scenario runs (TypeScript: its compiled output). */
function scriptOf(scenario: Scenario): string {
  if (scenario.format !== 'TS') return join(scenariosDir, scenario.file)
  return join(tsOutDir, scenario.file.replace(/^ts\//, '').replace(/\.ts$/, '.js'))
}

/** The 1-based line of the `// CULPRIT` marker. */
export function culpritLine(scenario: Scenario): number {
  const lines = readFileSync(join(scenariosDir, scenario.culpritFile ?? scenario.file), 'utf8').split('\n')
  const i = lines.findIndex((l) => l.includes('// CULPRIT'))
  if (i === -1) throw new Error(`${scenario.file}: no CULPRIT marker`)
  return i + 1
}

function normalizeFile(file: string): string {
  const path = file.startsWith('file://') ? fileURLToPath(file) : file
  return path.startsWith('/') ? path : resolve(scenariosDir, path)
}

/** The innermost frame of the app: under scenarios/, not a package, not the harness. */
export function firstUserFrame(frames: readonly Frame[]): Frame | undefined {
  return frames.find((f) => {
    if (!f.file || f.file.startsWith('node:')) return false
    const path = normalizeFile(f.file)
    return path.startsWith(scenariosDir) && !path.includes('/node_modules/') && !path.includes('/_harness.')
  })
}

/** `async Foo.bar` -> `bar`. */
function bareName(name: string): string {
  return name.replace(/^(async|new) /, '').split('.').pop() ?? ''
}

/** Parses loopwatch's stderr hang reports (written by its watchdog thread). */
function parseHangReports(stderr: string): Report[] {
  const reports: Report[] = []
  const re = /loopwatch: event loop blocked for [^\n]* so far and still running[^\n]*\n((?: {4}[^\n]*\n?)*)/g
  for (const m of stderr.matchAll(re)) {
    const frames: Frame[] = []
    for (const line of (m[1] ?? '').split('\n')) {
      const f = /^ {4}at (.*?) \((.*):(\d+):(\d+)\)$/.exec(line)
      if (f) frames.push({ fn: f[1] ?? '', file: f[2] ?? '', line: Number(f[3]), col: Number(f[4]) })
    }
    reports.push({ contender: 'loopwatch', thread: '0', capturedAt: Number.NaN, duration: null, hang: true, frames, source: 'stderr' })
  }
  return reports
}

/** Runs one scenario under one contender and scores it. */
export async function runScenario(scenario: Scenario, contender: Contender): Promise<Score> {
  const reportFile = join(tmpdir(), `loopwatch-corpus-${process.pid}-${scenario.id}-${contender}.jsonl`)
  rmSync(reportFile, { force: true })
  const child = spawnWithContender(contender, scriptOf(scenario), [], {
    cwd: scenariosDir,
    nodeArgs: scenario.nodeArgs ?? [],
    env: { BENCH_REPORT: reportFile, BENCH_PRINT: '1' },
    timeoutMs: 60_000,
  })
  if (scenario.hang) {
    await child.next((v) => 'truth' in v)
    await new Promise((r) => setTimeout(r, kHangWaitMs))
  }
  // Still running after the wait: the hang's reports so far came out while stuck.
  const stuck = scenario.hang === true && child.process.exitCode === null
  if (scenario.hang) child.process.kill('SIGKILL')
  const { lines, stderr } = await child.done
  let reports: Report[] = []
  try {
    reports = readFileSync(reportFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Report)
  } catch {
    // No report at all.
  }
  rmSync(reportFile, { force: true })
  if (contender.startsWith('loopwatch')) reports.push(...parseHangReports(stderr))
  const truth = (lines.find((l) => 'truth' in l) as { truth: Truth } | undefined)?.truth
  const expectedFile = join(scenariosDir, scenario.culpritFile ?? scenario.file)
  const expectedLine = culpritLine(scenario)

  const score: Score = {
    scenario: scenario.id, contender, reported: false, culprit: undefined, fnOk: false, lineOk: false,
    durationOk: undefined, truthMs: truth?.durationMs, reportedMs: undefined, hangOk: scenario.hang ? false : undefined, reports: 0,
  }
  if (truth === undefined) {
    score.note = `scenario printed no truth (exit ${child.process.exitCode}): ${stderr.slice(0, 300)}`
    return score
  }
  // The reports about this block: those whose time overlaps it (a report
  // about set-up work before it does not count). Post-hoc reporters
  // (blocked-at) report when the callback ends: it began `duration` earlier.
  // Of several, the one that overlaps the block most.
  const endEpoch = truth.endEpoch ?? Number.POSITIVE_INFINITY
  const overlap = (r: Report): number => {
    if (r.source === 'stderr') return Number.POSITIVE_INFINITY
    if (r.duration === null) return r.capturedAt >= truth.startEpoch - 5 && r.capturedAt <= endEpoch + 50 ? 1 : 0
    const start = r.startTime ?? r.capturedAt - r.duration
    return Math.max(0, Math.min(start + r.duration, endEpoch) - Math.max(start, truth.startEpoch))
  }
  const mine = reports.filter((r) => overlap(r) > 0)
  score.reports = mine.length
  const report = scenario.hang ? mine.find((r) => r.hang) : mine.reduce<Report | undefined>((best, r) => (best === undefined || overlap(r) > overlap(best) ? r : best), undefined)
  if (report === undefined) return score
  score.reported = true
  if (report.cause !== undefined) score.cause = report.cause
  const frame = firstUserFrame(report.frames)
  if (frame !== undefined) {
    const file = normalizeFile(frame.file)
    score.culprit = `${frame.fn} (${relative(scenariosDir, file)}:${frame.line})`
    score.fnOk = bareName(frame.fn) === scenario.fn
    score.lineOk = score.fnOk && file === expectedFile && frame.line === expectedLine
  } else if (report.frames.length === 0) {
    score.note = 'no stack'
  }
  if (scenario.hang) {
    score.hangOk = stuck
  } else {
    score.reportedMs = report.duration
    if (report.duration !== null && truth.durationMs !== undefined) {
      score.durationOk = Math.abs(report.duration - truth.durationMs) <= Math.max(5, truth.durationMs * 0.05)
    }
  }
  return score
}

export { kThresholdMs, scenarios }
