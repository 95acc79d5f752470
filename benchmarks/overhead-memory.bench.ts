// Resident memory: RSS of an idle process under each contender, and after one
// detected 300 ms block, minus the same process without a watcher in the same
// round. Interleaved: each round runs every contender once, in a rotated order,
// each in a fresh process. `idle-thread` (a bare worker thread) is the floor
// any watchdog thread pays.
import { contenderLabels, fmtSummary, log, parseArgs, roundOrder, runToResult, saveResult, selected, summarize, type Contender, type Rounds } from './lib/common.js'

const args = parseArgs(process.argv.slice(2), { rounds: 7, seconds: 0 })
const picked = [...new Set<Contender>(['none', 'idle-thread', ...selected(args)])]
const result: Record<string, { rounds: Rounds; added: Partial<Record<Contender, ReturnType<typeof summarize>>> }> = {}
for (const mode of ['idle', 'block'] as const) {
  const rounds: Rounds = []
  log(`RSS, ${mode}: ${args.rounds} rounds x ${picked.length} contenders`)
  for (let r = 0; r < args.rounds; r++) {
    const round: Partial<Record<Contender, number>> = {}
    for (const contender of roundOrder(picked, r)) {
      round[contender] = (await runToResult<{ rssMB: number }>(contender, 'memory.mjs', [mode], 'rssMB', { nodeArgs: ['--expose-gc'] })).rssMB
    }
    log(`  round ${r + 1}: ${picked.map((c) => `${c} ${(round[c] ?? Number.NaN).toFixed(1)} MB`).join(', ')}`)
    rounds.push(round)
  }
  const added = Object.fromEntries(picked.filter((c) => c !== 'none')
    .map((c) => [c, summarize(rounds.map((round) => (round[c] ?? Number.NaN) - (round.none ?? Number.NaN)))]))
  for (const [c, summary] of Object.entries(added)) log(`${contenderLabels[c as Contender]}: +${fmtSummary(summary, 1)} MB RSS (${mode})`)
  result[mode] = { rounds, added }
}
saveResult('overhead-memory', { title: 'Resident memory added', unit: 'MB RSS', higherIsBetter: false, ...result })
