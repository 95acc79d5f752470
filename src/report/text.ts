import { formatMs, formatSaturation } from './format.js'
import type { Report } from './report.js'
import { formatSpan, formatTotal } from './units.js'
import { kMachineLabel } from './summary.js'

/** Rows the table shows before it sums up the rest. */
const kDefaultRows = 10

/**
 * The top-blockers table the CLI prints at exit:
 * ```
 * loopwatch: 412 blocks, 38.2 s blocked in 5 m 12 s (12.2%)
 *   count  total    max     culprit
 *     380  31.9 s   210 ms  getVersion (node_modules/otel-instr/lib/version.js:14)
 * ```
 */
export function formatSummaryTable(report: Report, rows = kDefaultRows): string {
  const blocks = formatBlocksTable(report, rows)
  const saturations = formatSaturations(report)
  return saturations === '' ? blocks : `${blocks}\n${saturations}`
}

/** Saturated stretches printed in full; the rest are summed up. */
const kSaturationsShown = 3

/**
 * The saturated stretches, each as its report at the time (how busy, for how
 * long, the hottest code): a loop at 100 % without one long block is the
 * app's problem as much as a block is, and must not read as "6 % blocked".
 */
export function formatSaturations(report: Report): string {
  const all = report.saturations
  if (all.length === 0) return ''
  const totalMs = all.reduce((n, s) => n + s.duration, 0)
  const lines = [`loopwatch: the event loop was saturated ${all.length === 1 ? 'once' : `${all.length} times`}, `
    + `${formatTotal(totalMs)} in total${report.duration > 0 ? ` (${Math.min(100, (totalMs / report.duration) * 100).toFixed(1)}% of the run)` : ''}:`]
  // The longest stretches: the ones worth reading.
  const shown = [...all].sort((a, b) => b.duration - a.duration).slice(0, kSaturationsShown)
  for (const saturation of shown) {
    lines.push(formatSaturation({ ...saturation, startTime: report.startTime + saturation.time }, report.threshold))
  }
  const rest = all.length - shown.length
  if (rest > 0) lines.push(`  ... and ${rest} more saturated ${rest === 1 ? 'stretch' : 'stretches'}`)
  return lines.join('\n')
}

function formatBlocksTable(report: Report, rows: number): string {
  const processes = report.processes > 1 ? ` across ${report.processes} processes` : ''
  // Starved stalls are the machine's: a line of their own, neither a culprit
  // row nor counted as blocks in the head line.
  const machine = report.culprits.find((c) => c.culprit === kMachineLabel && c.function === null)
  const machineLine = machine === undefined ? undefined
    : `  machine: ${machine.count} ${machine.count === 1 ? 'stall' : 'stalls'}, ${formatTotal(machine.total)} `
      + '(waiting for a CPU: the machine or the container\'s CPU limit, not your code)'
  const blocks = report.blocks - (machine?.count ?? 0)
  const blockedMs = Math.max(0, report.blockedTime - (machine?.total ?? 0))
  if (blocks === 0) {
    const head = `loopwatch: no blocks over ${formatMs(report.threshold)} in ${formatSpan(report.duration)}${processes}`
    return machineLine === undefined ? head : `${head}\n${machineLine}`
  }
  const share = report.duration > 0 ? ` (${((blockedMs / report.duration) * 100).toFixed(1)}%)` : ''
  const head = `loopwatch: ${blocks} ${blocks === 1 ? 'block' : 'blocks'}, `
    + `${formatTotal(blockedMs)} blocked in ${formatSpan(report.duration)}${share}${processes}`
  const culprits = report.culprits.filter((c) => c !== machine)
  const shown = culprits.slice(0, rows)
  const cells = shown.map((c) => [
    String(c.count),
    formatTotal(c.total),
    formatTotal(c.max),
    `${c.startup ? '(startup) ' : ''}${c.culprit}${c.unfinished > 0 ? ' (still running when the app ended)' : ''}`,
  ])
  const header = ['count', 'total', 'max', 'culprit']
  const widths = [0, 1, 2].map((i) => Math.max((header[i] ?? '').length, ...cells.map((row) => (row[i] ?? '').length)))
  const line = (row: string[]) => {
    const [count = '', total = '', max = '', culprit = ''] = row
    return `  ${count.padStart(widths[0] ?? 0)}  ${total.padEnd(widths[1] ?? 0)}  ${max.padEnd(widths[2] ?? 0)}  ${culprit}`
  }
  const lines = [head, line(header), ...cells.map(line)]
  const rest = culprits.slice(rows)
  if (rest.length > 0) {
    const restMs = rest.reduce((n, c) => n + c.total, 0)
    const restBlocks = rest.reduce((n, c) => n + c.count, 0)
    lines.push(`  ... and ${rest.length} more ${rest.length === 1 ? 'culprit' : 'culprits'} `
      + `(${restBlocks} ${restBlocks === 1 ? 'block' : 'blocks'}, ${formatTotal(restMs)})`)
  }
  if (machineLine !== undefined) lines.push(machineLine)
  return lines.join('\n')
}
