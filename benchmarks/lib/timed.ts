// Workloads timed inside a fresh child per contender per round (tinybench in
// the child), interleaved: round r runs every contender once, in an order
// rotated each round.
import { contenderLabels, fmtSummary, log, ratios, roundOrder, runToResult, saveResult, selected, type BenchArgs, type Contender, type Rounds } from './common.js'

export interface TimedBench {
  name: string
  title: string
  script: string
  /** Arguments for a contender (blocked-at may get a smaller workload). */
  argsFor(contender: Contender): string[]
  /** The figure to compare, from the child's JSON result (lower is better). */
  key: string
  /** The same measure in wall time, reported alongside. */
  wallKey?: string
  unit: string
  note?: string
}

export async function runTimedBench(bench: TimedBench, args: BenchArgs): Promise<void> {
  const picked = selected(args)
  const rounds: Rounds = []
  const wallRounds: Rounds = []
  log(`${bench.title}: ${args.rounds} rounds x ${picked.length} contenders, a fresh process each`)
  for (let r = 0; r < args.rounds; r++) {
    const round: Partial<Record<Contender, number>> = {}
    const wallRound: Partial<Record<Contender, number>> = {}
    for (const contender of roundOrder(picked, r)) {
      const result = await runToResult<Record<string, number>>(contender, bench.script, bench.argsFor(contender), bench.key)
      round[contender] = result[bench.key] ?? Number.NaN
      if (bench.wallKey) wallRound[contender] = result[bench.wallKey] ?? Number.NaN
    }
    wallRounds.push(wallRound)
    log(`  round ${r + 1}: ${picked.map((c) => `${c} ${(round[c] ?? 0).toPrecision(4)} ${bench.unit}`).join(', ')}`)
    rounds.push(round)
  }
  const summary = ratios(rounds)
  const wallSummary = bench.wallKey ? ratios(wallRounds) : undefined
  for (const c of picked) log(`${contenderLabels[c]}: CPU-time ratio ${fmtSummary(summary[c]?.ratio, 3)}, ${bench.unit} ${fmtSummary(summary[c]?.value, 1)}; wall-time ratio ${fmtSummary(wallSummary?.[c]?.ratio, 3)}`)
  saveResult(bench.name, { title: bench.title, unit: bench.unit, higherIsBetter: false, note: bench.note, args: Object.fromEntries(picked.map((c) => [c, bench.argsFor(c)])), rounds, summary, wallRounds, wallSummary })
}
