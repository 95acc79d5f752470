import assert from 'node:assert/strict'
import { test } from 'node:test'
import { framesOfText } from '../../src/watchdog/probe.js'

test('frames from the text of a stack: what the probe gets inside Error.prepareStackTrace', () => {
  const stack = [
    'Error',
    '    at loopwatch-probe:1:50',
    '    at Atomics.wait (native)',
    '    at Object.blockHeavily (/app/test/blockers.cjs:6:11)',
    '    at async Promise.all (index 0)',
    '    at new Indexer (file:///app/src/index.mjs:3:9)',
    '    at file:///app/test/top.mjs:10:2',
  ].join('\n')
  assert.deepEqual(framesOfText(stack), [
    ['Atomics.wait', '', 0, 0],
    ['Object.blockHeavily', '/app/test/blockers.cjs', 6, 11],
    ['async Promise.all', '', 0, 0],
    ['new Indexer', 'file:///app/src/index.mjs', 3, 9],
    ['<anonymous>', 'file:///app/test/top.mjs', 10, 2],
  ])
})
