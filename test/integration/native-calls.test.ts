import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import type { BlockEvent } from '../../src/index.js'
import { fixture, runFixture } from '../helpers/run-fixture.js'

// Always-on, a long native call at a function's tail is blamed on that
// function and line (before: on whatever ran after it returned).
const kSource = readFileSync(fixture('native-tail.mjs'), 'utf8').split('\n')
const lineOf = (marker: string) => kSource.findIndex((line) => line.includes(marker)) + 1

/** The events as a person would scan them: start, duration, samples, culprit. */
function brief(events: BlockEvent[]): string {
  return events.map((e) => `${e.startTime.toFixed(0)} +${e.duration.toFixed(0)} ms ${e.samples} samples ${e.cause} ${e.stack.find((f) => !f.internal)?.functionName ?? '-'}`).join('; ')
}

/**
 * The case's block: the sampled one that was under way when the case began
 * (it may have begun earlier, on a loaded machine: the timer that ran the
 * case fired late, within a stall the same callback's work extended).
 */
function caseBlock(events: BlockEvent[], at: number): BlockEvent | undefined {
  return events.find((candidate) => candidate.startTime <= at + 20 && candidate.startTime + candidate.duration > at && candidate.samples > 0)
}

test('JSON.parse / readFileSync / JSON.stringify at a function\'s tail: the event names the function and the line of the call, even when more samples land in the shorter code after it', async () => {
  const result = await runFixture(fixture('native-tail.mjs'), [], { timeout: 30_000 })
  assert.equal(result.code, 0, result.stderr)
  const starts = result.stdout.split('\n').filter((line) => line.startsWith('{"case"'))
    .map((line) => JSON.parse(line) as { case: string; at: number })
  assert.equal(starts.length, 5, result.stdout)
  const expected: Record<string, string> = {
    parseAtTheTail: 'TAIL_PARSE', parseIntoAConstant: 'ASSIGNED_PARSE', versionLookup: 'VERSION_LOOKUP', stringifyAtTheTail: 'TAIL_STRINGIFY', parseBeforeMoreWork: 'PARSE_BEFORE_WORK',
  }
  for (const { case: name, at } of starts) {
    const event = caseBlock(result.events, at)
    assert.ok(event, `${name}: no sampled block at ${at}: ${brief(result.events)}`)
    const culprit = event.stack.find((frame) => !frame.internal)
    assert.equal(culprit?.functionName, name, `${name}: ${JSON.stringify(event.stack.slice(0, 4))}`)
    assert.equal(culprit.line, lineOf(expected[name] ?? ''), name)
  }
})

test('the wrapped natives keep their name, length and behaviour', async () => {
  const result = await runFixture(fixture('native-wrappers.mjs'))
  assert.equal(result.code, 0, result.stderr)
  assert.equal(result.stdout.trim(), 'ok', result.stdout)
})

test('natives of a module loaded after watchLoop() (a destructured require, an import): the event names the function at whose tail the call was, and watchLoop() loaded none of them', async () => {
  const source = readFileSync(fixture('native-late.mjs'), 'utf8').split('\n')
  const result = await runFixture(fixture('native-late.mjs'), [], { timeout: 30_000 })
  assert.equal(result.code, 0, result.stderr)
  const lines = result.stdout.split('\n').filter((line) => /^\{"(case|loadedByWatchLoop|wrappedWhileWatching)"/.test(line))
    .map((line) => JSON.parse(line) as { case?: string; at?: number; loadedByWatchLoop?: string[]; wrappedWhileWatching?: object })
  assert.deepEqual(lines[0]?.loadedByWatchLoop, [], 'watchLoop() loads none of crypto, zlib, child_process')
  assert.deepEqual(lines.at(-1)?.wrappedWhileWatching, { execSync: true, deflateSync: true }, 'the app held the wrappers while watching')
  const starts = lines.filter((line) => line.case !== undefined) as { case: string; at: number }[]
  assert.deepEqual(starts.map((s) => s.case), ['execAtTheTail', 'deflateAtTheTail'], result.stdout)
  const marker: Record<string, string> = { execAtTheTail: 'TAIL_EXEC', deflateAtTheTail: 'TAIL_DEFLATE' }
  for (const { case: name, at } of starts) {
    const event = caseBlock(result.events, at)
    assert.ok(event, `${name}: no sampled block at ${at}: ${brief(result.events)}`)
    const culprit = event.stack.find((frame) => !frame.internal)
    assert.equal(culprit?.functionName, name, `${name}: ${JSON.stringify(event.stack.slice(0, 4))}`)
    assert.equal(culprit.line, source.findIndex((line) => line.includes(marker[name] ?? '')) + 1, name)
  }
})
