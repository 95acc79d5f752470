// The diagnosis corpus (benchmarks/corpus/): every scenario under every
// contender, scored. `--only a,b` picks contenders, `--scenario id,id` picks
// scenarios, `--repeat N` runs each N times; `--merge` replaces those
// scenarios' scores in the saved full run (results/corpus.json).
import { readFileSync } from 'node:fs'
import { contenderLabels, contenders, log, resultsDir, saveResult } from './lib/common.js'
import { compileTypeScript, runScenario, scenarios, type Score } from './lib/corpus.js'

const argv = process.argv.slice(2)
const value = (name: string) => {
  const i = argv.indexOf(name)
  return i === -1 ? undefined : argv[i + 1]
}
const only = value('--only')?.split(',')
// Scheduling stacks change nothing about the culprit: debug mode alone stands for both.
const picked = contenders.filter((c) => c !== 'none' && c !== 'loopwatch-debug-stacks' && c !== 'loopwatch-debug-armed' && (only === undefined || only.includes(c)))
const wanted = value('--scenario')?.split(',')
const chosen = scenarios.filter((s) => wanted === undefined || wanted.includes(s.id))
const repeat = Number(value('--repeat') ?? 1)

compileTypeScript()
log(`corpus: ${chosen.length} scenarios x ${picked.length} contenders x ${repeat}`)
const scores: Score[] = []
for (const scenario of chosen) {
  for (let r = 0; r < repeat; r++) {
    for (const contender of picked) {
      const score = await runScenario(scenario, contender)
      scores.push(score)
      const mark = (ok: boolean | undefined) => (ok === undefined ? '-' : ok ? 'ok' : 'FAIL')
      log(`  ${scenario.id} / ${contender}: fn ${mark(score.fnOk)} line ${mark(score.lineOk)} duration ${mark(score.durationOk)}${scenario.hang ? ` hang ${mark(score.hangOk)}` : ''}  ${score.culprit ?? '(no user frame)'}  ${score.reportedMs === undefined || score.reportedMs === null ? '' : `${Math.round(score.reportedMs)} ms vs ${Math.round(score.truthMs ?? 0)} ms`}${score.note ? `  [${score.note}]` : ''}`)
    }
  }
}
for (const c of picked) {
  const mine = scores.filter((s) => s.contender === c)
  const count = (f: (s: Score) => boolean | undefined) => mine.filter((s) => f(s) === true).length
  log(`${contenderLabels[c]}: function ${count((s) => s.fnOk)}/${mine.length}, line ${count((s) => s.lineOk)}/${mine.length}, duration ${count((s) => s.durationOk)}/${mine.filter((s) => s.truthMs !== undefined && !scenarios.find((x) => x.id === s.scenario)?.hang).length}`)
}
if (argv.includes('--merge')) {
  const saved = JSON.parse(readFileSync(`${resultsDir}corpus.json`, 'utf8')) as { result: { repeat: number; scores: Score[]; rerun?: string[] } }
  const rerun = new Set(chosen.map((s) => s.id))
  const kept = saved.result.scores.filter((s) => !(rerun.has(s.scenario) && picked.includes(s.contender)))
  const order = scenarios.map((s) => s.id)
  const merged = [...kept, ...scores].sort((a, b) => order.indexOf(a.scenario) - order.indexOf(b.scenario))
  saveResult('corpus', { repeat: saved.result.repeat, scenarios, scores: merged, rerun: [...(saved.result.rerun ?? []), ...rerun] })
} else {
  saveResult(wanted === undefined && only === undefined ? 'corpus' : 'corpus-partial', { repeat, scenarios: chosen, scores })
}
