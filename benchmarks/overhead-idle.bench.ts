// Idle CPU: ms of CPU per second of wall time for a process that does
// nothing, under each contender. All contenders of a round run at once (they
// are idle: they barely compete), each in a fresh process.
import { contenderLabels, fmt, fmtSummary, log, parseArgs, ratios, runToResult, saveResult, selected, summarize, type Contender, type Rounds } from './lib/common.js'

const args = parseArgs(process.argv.slice(2), { rounds: 5, seconds: 5 })
const picked = selected(args)
const rounds: Rounds = []
log(`idle CPU: ${args.rounds} rounds x ${picked.length} contenders, ${args.seconds} s each (after 1 s of warm-up)`)
for (let r = 0; r < args.rounds; r++) {
  const results = await Promise.all(picked.map((c) =>
    runToResult<{ cpuMsPerS: number }>(c, 'idle.mjs', [String(args.seconds)], 'cpuMsPerS').then((v) => [c, v.cpuMsPerS] as const)))
  const round = Object.fromEntries(results) as Partial<Record<Contender, number>>
  log(`  round ${r + 1}: ${picked.map((c) => `${c} ${fmt(round[c] ?? Number.NaN)} ms/s`).join(', ')}`)
  rounds.push(round)
}
const summary = ratios(rounds)
// The added CPU, per round: contender minus baseline (ms/s).
const added = Object.fromEntries(picked.map((c) => [c, summarize(rounds.map((round) => (round[c] ?? Number.NaN) - (round.none ?? Number.NaN)))]))
for (const c of picked) log(`${contenderLabels[c]}: ${fmtSummary(summary[c]?.value)} ms/s, added ${fmtSummary(added[c])} ms/s`)
saveResult('overhead-idle', { title: 'Idle process CPU', unit: 'ms CPU/s', higherIsBetter: false, seconds: args.seconds, rounds, summary, added })
