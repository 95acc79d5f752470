import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { BlockEvent, StackFrame } from '../../src/index.js'
import { blockAttributes, blockSummary, factsOf } from '../../src/otel/attributes.js'
import { formatBlock } from '../../src/report/format.js'
import { BlockSummary, kTurnLabel } from '../../src/report/summary.js'

const step: StackFrame = { functionName: 'Immediate.step', file: '/app/src/jobs.ts', line: 9, column: 3, internal: false }
const turn = (duration: number): BlockEvent => ({
  id: 1, startTime: 1_700_000_000_000, duration, threshold: 100, thread: { id: 0, name: '' }, hang: false, stack: [step], samples: 3,
  profile: [{ stack: [step], count: 3 }], cause: 'cpu', kind: 'turn', callbacksSampled: 3,
})

test('a loop turn of several callbacks says so, and is blamed on none of them: text, summary() and OpenTelemetry', () => {
  const text = formatBlock(turn(308), '/app')
  assert.match(text, /^loopwatch: event loop blocked for 308 ms by 3 callbacks in one loop turn, none long enough to block alone \(threshold 100 ms, cause: cpu\)\n {2}one of them:\n {4}at Immediate\.step \(src\/jobs\.ts:9:3\)/)
  const summary = new BlockSummary()
  summary.add(turn(308))
  summary.add(turn(150))
  const single: BlockEvent = turn(400)
  delete single.kind
  delete single.callbacksSampled
  summary.add(single)
  const rows = summary.summary('/app')
  assert.deepEqual(rows.map((r) => [r.culprit, r.count, r.frame?.functionName]), [
    [kTurnLabel, 2, undefined],
    ['Immediate.step (src/jobs.ts:9)', 1, 'Immediate.step'],
  ])
  const attributes = blockAttributes(factsOf(turn(308)))
  assert.equal(attributes['loopwatch.block.culprit'], kTurnLabel)
  assert.equal('code.function.name' in attributes, false)
  assert.match(blockSummary(factsOf(turn(308))), /by several callbacks in one loop turn$/)
})
