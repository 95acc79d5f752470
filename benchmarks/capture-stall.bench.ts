// The cost of a capture to the blocked thread, and block start to stack in
// hand. Each contender runs blocks of fixed JS work (~300 ms) in a fresh
// process per round (fixtures/capture.mjs explains the measures); with no
// watcher, the same chunk measure at the offsets where captures would be is
// the noise floor of the run.
import { rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { contenderLabels, fmtSummary, kThresholdMs, log, median, parseArgs, roundOrder, runToResult, saveResult, selected, spawnWithContender, summarize, type Contender } from './lib/common.js'

interface Capture { atMs: number; stallMs: number }
interface BlockRecord { block: number; blockMs: number; cpuMs: number; waitMs: number; captures: Capture[]; firstCaptureMs: number | null; stallMs: number }

const args = parseArgs(process.argv.slice(2), { rounds: 5, seconds: 0 })
const picked = selected(args)
const kBlocks = 6
const kChunks = 3000
const { itersPerMs } = await runToResult<{ itersPerMs: number }>('none', 'capture.mjs', ['0', '1', '20000'], 'itersPerMs')
const iters = String(Math.max(1000, Math.round(itersPerMs * 0.1)))
log(`capture stall: ${args.rounds} rounds x ${picked.length} contenders x ${kBlocks} blocks of ${kChunks} chunks of ~0.1 ms (${iters} iterations each)`)

const blocks: Partial<Record<Contender, BlockRecord[]>> = {}
const cpuRatio: Partial<Record<Contender, number[]>> = {}
for (let r = 0; r < args.rounds; r++) {
  const cpuOfRound: Partial<Record<Contender, number>> = {}
  for (const contender of roundOrder(picked, r)) {
    const reportFile = join(tmpdir(), `loopwatch-capture-${process.pid}-${contender}.jsonl`)
    rmSync(reportFile, { force: true })
    const { code, lines, stderr } = await spawnWithContender(contender, 'capture.mjs', [String(kBlocks), String(kChunks), iters], { env: { BENCH_REPORT: reportFile } }).done
    rmSync(reportFile, { force: true })
    if (code !== 0) throw new Error(`capture.mjs under ${contender} failed:\n${stderr}`)
    const records = lines.filter((l) => 'block' in l) as unknown as BlockRecord[]
    ;(blocks[contender] ??= []).push(...records)
    cpuOfRound[contender] = median(records.map((b) => b.cpuMs))
  }
  for (const c of picked) (cpuRatio[c] ??= []).push((cpuOfRound[c] ?? Number.NaN) / (cpuOfRound.none ?? Number.NaN))
  log(`  round ${r + 1}: ${picked.map((c) => `${c} cpu ${Math.round(cpuOfRound[c] ?? 0)} ms`).join(', ')}`)
}

const summary = Object.fromEntries(picked.map((c) => {
  const records = blocks[c] ?? []
  const first = records.map((b) => b.captures[0]?.stallMs).filter((v): v is number => v !== undefined)
  const later = records.flatMap((b) => b.captures.slice(1).map((x) => x.stallMs))
  const latency = records.map((b) => b.firstCaptureMs).filter((v): v is number => v !== null)
  return [c, {
    blocks: records.length,
    blockMs: summarize(records.map((b) => b.blockMs)),
    capturesPerBlock: summarize(records.map((b) => b.captures.length)),
    firstCaptureStallMs: first.length > 0 ? summarize(first) : undefined,
    laterCaptureStallMs: later.length > 0 ? summarize(later) : undefined,
    stallPerBlockMs: summarize(records.map((b) => b.stallMs)),
    cpuRatio: summarize(cpuRatio[c] ?? []),
    firstCaptureLatencyMs: latency.length > 0 ? summarize(latency) : undefined,
    detected: latency.length,
  }]
}))
for (const c of picked) {
  const s = summary[c]
  log(`${contenderLabels[c]}: first capture stall ${fmtSummary(s?.firstCaptureStallMs)} ms, later ${fmtSummary(s?.laterCaptureStallMs)} ms, per block ${fmtSummary(s?.stallPerBlockMs)} ms (${fmtSummary(s?.capturesPerBlock, 0)} captures), block start -> stack ${fmtSummary(s?.firstCaptureLatencyMs, 1)} ms, cpu ratio ${fmtSummary(s?.cpuRatio, 3)}`)
}
saveResult('capture-stall', { title: 'Capture stall and time to stack', thresholdMs: kThresholdMs, blocksPerProcess: kBlocks, chunks: kChunks, iters: Number(iters), summary, blocks })
