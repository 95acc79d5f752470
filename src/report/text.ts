import type { BlockThread } from '../core/events.js'
import { formatMs, formatSaturation, formatThread } from './format.js'
import type { Report, ReportCulprit } from './report.js'
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
  const machines = report.culprits.filter(isMachine)
  const machineMs = machines.reduce((n, c) => n + c.total, 0)
  const blocks = report.blocks - machines.reduce((n, c) => n + c.count, 0)
  const blockedMs = Math.max(0, report.blockedTime - machineMs)
  const threads = threadsOf(report.culprits)
  // A worker thread's blocks: a section per thread, its culprits counted within it.
  const sections = threads.length === 1 && threads[0]?.id === 0
    ? [{ heading: undefined, culprits: report.culprits }]
    : threads.map((thread) => ({ heading: thread, culprits: report.culprits.filter((c) => (c.thread?.id ?? 0) === thread.id) }))
  if (blocks === 0) {
    const head = `loopwatch: no blocks over ${formatMs(report.threshold)} in ${formatSpan(report.duration)}${processes}`
    return [head, ...sections.flatMap(({ heading, culprits }) => culprits.filter(isMachine)
      .map((c) => machineLine(c, heading === undefined ? '' : `${threadHeading(heading)}: `)))].join('\n')
  }
  const share = report.duration > 0 ? ` (${((blockedMs / report.duration) * 100).toFixed(1)}%)` : ''
  const head = `loopwatch: ${blocks} ${plural(blocks, 'block')}, `
    + `${formatTotal(blockedMs)} blocked in ${formatSpan(report.duration)}${share}${processes}`
  const cellsOf = (culprits: readonly ReportCulprit[]) => culprits.filter((c) => !isMachine(c)).slice(0, rows).map((c) => [
    String(c.count),
    formatTotal(c.total),
    formatTotal(c.max),
    `${c.startup ? '(startup) ' : ''}${c.culprit}${c.unfinished > 0 ? ' (still running when the app ended)' : ''}`,
  ])
  const header = ['count', 'total', 'max', 'culprit']
  // One set of column widths for every section: the columns line up.
  const allCells = sections.flatMap(({ culprits }) => cellsOf(culprits))
  const widths = [0, 1, 2].map((i) => Math.max((header[i] ?? '').length, ...allCells.map((row) => (row[i] ?? '').length)))
  const lines = [head]
  for (const { heading, culprits } of sections) {
    const indent = heading === undefined ? '  ' : '    '
    const line = (row: string[]) => {
      const [count = '', total = '', max = '', culprit = ''] = row
      return `${indent}${count.padStart(widths[0] ?? 0)}  ${total.padEnd(widths[1] ?? 0)}  ${max.padEnd(widths[2] ?? 0)}  ${culprit}`
    }
    const own = culprits.filter((c) => !isMachine(c))
    if (heading !== undefined) {
      const count = own.reduce((n, c) => n + c.count, 0)
      const totalMs = own.reduce((n, c) => n + c.total, 0)
      lines.push(`  ${threadHeading(heading)}: ${count === 0 ? 'no blocks' : `${count} ${plural(count, 'block')}, ${formatTotal(totalMs)}`}`)
    }
    if (own.length > 0) lines.push(line(header), ...cellsOf(culprits).map(line))
    const rest = own.slice(rows)
    if (rest.length > 0) {
      const restMs = rest.reduce((n, c) => n + c.total, 0)
      const restBlocks = rest.reduce((n, c) => n + c.count, 0)
      lines.push(`${indent}... and ${rest.length} more ${plural(rest.length, 'culprit')} `
        + `(${restBlocks} ${plural(restBlocks, 'block')}, ${formatTotal(restMs)})`)
    }
    for (const machine of culprits.filter(isMachine)) lines.push(machineLine(machine, '', indent))
  }
  return lines.join('\n')
}

function isMachine(culprit: ReportCulprit): boolean {
  return culprit.culprit === kMachineLabel && culprit.function === null
}

function machineLine(machine: ReportCulprit, prefix: string, indent = '  '): string {
  return `${indent}${prefix}machine: ${machine.count} ${plural(machine.count, 'stall')}, ${formatTotal(machine.total)} `
    + '(waiting for a CPU: the machine or the container\'s CPU limit, not your code)'
}

/** The threads the culprits were in: the main thread first, then the workers by thread id. */
function threadsOf(culprits: readonly ReportCulprit[]): BlockThread[] {
  const threads = new Map<number, BlockThread>()
  for (const { thread = kMainThread } of culprits) if (!threads.has(thread.id)) threads.set(thread.id, thread)
  return [...threads.values()].sort((a, b) => a.id - b.id)
}

const kMainThread: BlockThread = { id: 0, name: '' }

/** `main thread`; `worker 3 "resize"` as a worker's block report names it. */
function threadHeading(thread: BlockThread): string {
  return thread.id === 0 ? 'main thread' : formatThread(thread).replace(/: $/, '')
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`
}
