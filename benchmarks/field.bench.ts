// The field benchmark: HTTP handlers in express and fastify calling real
// blocking libraries (benchmarks/field/handlers.mjs; one TypeScript case
// under tsx, field/typed.ts), watched by loopwatch always-on with the real
// OpenTelemetry SDK. Each case's culprit is marked in the source with a
// `// culprit <case>` comment: the app's own function and line. Scored in
// four outputs: the event (`event.stack`'s app frame), the printed report,
// the summary() row and the OTel attributes (span event, block span and log
// record must all name it in `code.*`). Each run is repeated (`--rounds N`,
// default 5; 2 with --quick), the runs interleaved: a case is right in an
// output when it is right in every round.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { benchDir, log, saveResult } from './lib/common.js'

interface Frame { functionName: string; file: string; line: number; internal: boolean; package?: string }
interface CaseLine {
  case: string
  status: number
  blocks: number
  event?: { duration: number; cause: string; kind?: string; stack: Frame[] }
  texts: string[]
  spanEvent?: Record<string, unknown>
  blockSpan?: Record<string, unknown>
  log?: Record<string, unknown>
}
interface SummaryRow { culprit: string; frame?: Frame; count: number }

export interface FieldScore {
  run: string
  round: number
  case: string
  expected: string
  duration: number | undefined
  event: boolean
  text: boolean
  summary: boolean
  otel: boolean
  /** What each output named, where it was wrong. */
  got: Record<string, string>
}

/** `// culprit <case>` markers: the enclosing function (nearest `function name(` above) and the line. */
function markers(file: string): Map<string, { fn: string; line: number; file: string }> {
  const lines = readFileSync(file, 'utf8').split('\n')
  const found = new Map<string, { fn: string; line: number; file: string }>()
  lines.forEach((text, i) => {
    const match = /\/\/ culprit (\S+)/.exec(text)
    if (match?.[1] === undefined) return
    for (let j = i; j >= 0; j--) {
      const fn = /function (\w+)\(/.exec(lines[j] ?? '')?.[1]
      if (fn !== undefined) {
        found.set(match[1], { fn, line: i + 1, file })
        return
      }
    }
  })
  return found
}

const bare = (name: unknown) => String(name).replace(/^async /, '').split('.').pop() ?? ''
const base = (file: string) => file.split('/').pop() ?? file

function scoreRun(run: string, round: number, args: string[], source: string): FieldScore[] {
  const expected = markers(source)
  const child = spawnSync('nice', ['-n', '10', process.execPath, ...args], { cwd: benchDir, encoding: 'utf8', timeout: 240_000 })
  if (child.status !== 0) log(`${run}: exit ${child.status}\n${child.stderr.slice(-2000)}`)
  const lines = child.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as CaseLine | { summary: SummaryRow[] })
  const summary = (lines.find((l) => 'summary' in l) as { summary: SummaryRow[] } | undefined)?.summary ?? []
  const scores: FieldScore[] = []
  for (const line of lines) {
    if ('summary' in line) continue
    const want = expected.get(line.case)
    if (want === undefined) continue
    const got: Record<string, string> = {}
    const right = (fn: unknown, file: unknown, lineNo: unknown) => bare(fn) === want.fn && base(String(file)) === base(want.file) && lineNo === want.line
    const app = line.event?.stack.find((f) => !f.internal && f.package === undefined)
    const event = line.event !== undefined && line.event.kind !== 'turn' && right(app?.functionName, app?.file, app?.line)
    if (!event) got['event'] = app === undefined ? `(no app frame; ${line.blocks} blocks)` : `${app.functionName} ${base(app.file)}:${app.line}`
    // The report's first frame of the app's own code.
    const report = line.texts.find((t) => t.startsWith('loopwatch: event loop blocked')) ?? line.texts[0] ?? ''
    const printed = report.split('\n').map((l) => /^ {4}at (\S+(?: \[as \S+\])?) \((.+?):(\d+):\d+/.exec(l))
      .find((m) => m !== null && !m[2]?.includes('node_modules') && !m[2]?.startsWith('node:'))
    const text = !report.includes('in one loop turn') && printed != null && right(printed[1], printed[2], Number(printed[3]))
    if (!text) got['text'] = printed == null ? report.split('\n')[0] ?? '(nothing printed)' : `${printed[1]} ${printed[2]}:${printed[3]}`
    const row = summary.find((r) => r.frame !== undefined && right(r.frame.functionName, r.frame.file, r.frame.line))
    const summaryOk = row !== undefined
    if (!summaryOk) got['summary'] = summary.map((r) => r.culprit).filter((c) => c.includes(want.fn) || c.includes(line.case)).join(' | ') || '(no row)'
    const outputs = { spanEvent: line.spanEvent, blockSpan: line.blockSpan, log: line.log }
    const otelWrong = Object.entries(outputs).filter(([, a]) => a === undefined || !right(a['code.function.name'], a['code.file.path'], a['code.line.number']))
    const otel = otelWrong.length === 0
    if (!otel) got['otel'] = otelWrong.map(([k, a]) => `${k}: ${a === undefined ? '(none)' : `${String(a['code.function.name'])} ${base(String(a['code.file.path']))}:${String(a['code.line.number'])}`}`).join('; ')
    scores.push({ run, round, case: line.case, expected: `${want.fn} (${base(want.file)}:${want.line})`, duration: line.event?.duration, event, text, summary: summaryOk, otel, got })
  }
  for (const [name, want] of expected) {
    if (!scores.some((s) => s.case === name)) {
      scores.push({ run, round, case: name, expected: `${want.fn} (${base(want.file)}:${want.line})`, duration: undefined, event: false, text: false, summary: false, otel: false, got: { all: 'case did not run' } })
    }
  }
  return scores
}

const handlers = `${benchDir}field/handlers.mjs`
const runs: [string, string[], string][] = [
  ['express', ['field/app.mjs', 'express'], handlers],
  ['fastify', ['field/app.mjs', 'fastify'], handlers],
  ['express, tsx', ['--import', 'tsx', 'field/app.mjs', 'express', '--ts'], `${benchDir}field/typed.ts`],
]
const argValue = (name: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined)
const only = argValue('--only')?.split(',')
const rounds = Number(argValue('--rounds') ?? (process.argv.includes('--quick') ? 2 : 5))
const loadAtStart = loadavg().map((l) => Math.round(l * 100) / 100)
const scores: FieldScore[] = []
const mark = (ok: boolean) => (ok ? 'ok' : 'FAIL')
for (let round = 1; round <= rounds; round++) {
  for (const [run, args, source] of runs) {
    if (only !== undefined && !only.some((o) => run.startsWith(o))) continue
    log(`field: ${run}, round ${round}/${rounds}`)
    for (const score of scoreRun(run, round, args, source)) {
      scores.push(score)
      log(`  ${score.case.padEnd(8)} event ${mark(score.event)}  text ${mark(score.text)}  summary ${mark(score.summary)}  otel ${mark(score.otel)}  ${score.expected}  ${score.duration === undefined ? '' : `${Math.round(score.duration)} ms`}${Object.keys(score.got).length > 0 ? `  ${JSON.stringify(score.got)}` : ''}`)
    }
  }
}
const keys = ['event', 'text', 'summary', 'otel'] as const
const cases = [...new Set(scores.map((s) => `${s.run}\u0000${s.case}`))]
const always = (key: typeof keys[number]) => cases.filter((c) => scores.filter((s) => `${s.run}\u0000${s.case}` === c).every((s) => s[key])).length
log(`field: right in every one of ${rounds} rounds: ${keys.map((key) => `${key} ${always(key)}/${cases.length}`).join(', ')}; `
  + `single runs right: ${keys.map((key) => `${key} ${scores.filter((s) => s[key]).length}/${scores.length}`).join(', ')}`)
// --save-as field-node24: another Node's run, kept beside the main one.
saveResult(only === undefined ? argValue('--save-as') ?? 'field' : 'field-partial',
  { rounds, loadAverage: loadAtStart, loadAverageAtEnd: loadavg().map((l) => Math.round(l * 100) / 100), scores })
