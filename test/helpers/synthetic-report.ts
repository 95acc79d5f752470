import type { BlockCause } from '../../src/core/cause.js'
import type { BlockEvent, StackFrame } from '../../src/index.js'
import { buildReport, type Report } from '../../src/report/report.js'
import { BlockSummary } from '../../src/report/summary.js'

const kCauses: BlockCause[] = ['cpu', 'sync-io', 'gc', 'wait', 'unknown']

/**
 * A report of `blocks` blocks from a dozen culprits over ten minutes, each
 * with a few sampled stacks and a cause, built as the CLI builds its own.
 * Deterministic: the same input gives the same report.
 */
export function syntheticReport(blocks: number, cwd: string): Report {
  const summary = new BlockSummary({ timeline: true, profiles: true })
  const startTime = 1_700_000_000_000
  const frame = (functionName: string, file: string, line: number, internal = false): StackFrame =>
    ({ functionName, file, line, column: 7, internal })
  const outer = [frame('processTicksAndRejections', 'node:internal/process/task_queues', 95, true)]
  const culprits = Array.from({ length: 12 }, (_, i) => {
    const inLibrary = i % 4 === 3
    const file = inLibrary ? `${cwd}/node_modules/lib${i}/index.js` : `${cwd}/src/module-${i}.ts`
    const own = frame(`handler${i}`, file, 10 + i)
    if (inLibrary) own.package = `lib${i}`
    const caller = frame(`route${i % 3}`, `${cwd}/src/routes.ts`, 40 + i)
    return [
      [frame('JSON.parse', '', 0, true), own, caller, ...outer],
      [own, caller, ...outer],
      [frame(`inner${i}`, file, 90 + i), own, caller, ...outer],
    ]
  })
  let seed = 7
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647
  for (let i = 0; i < blocks; i++) {
    // A skewed choice: the first culprits block far more often.
    const c = Math.min(11, Math.floor(random() ** 2 * 12))
    const stacks = culprits[c] ?? []
    const stack = stacks[0] ?? []
    const event: BlockEvent = {
      id: i + 1, startTime: startTime + (i / blocks) * 600_000, duration: 50 + random() * (c === 0 ? 900 : 200), threshold: 50,
      thread: { id: 0, name: '' }, hang: false, stack, samples: 6,
      profile: stacks.map((s, j) => ({ stack: s, count: 3 - j })),
      cause: kCauses[(c + i) % kCauses.length] ?? 'unknown',
    }
    summary.add(event, { pid: 4242 })
  }
  return buildReport(summary, {
    command: ['node', 'server.js'], startTime, duration: 600_000, exitCode: 0, signal: null, threshold: 50, processes: 1,
  }, cwd)
}
