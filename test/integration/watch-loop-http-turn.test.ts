import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { BlockEvent } from '../../src/index.js'
import { fixture, runFixture } from '../helpers/run-fixture.js'

interface Tail { load: { requests?: number; error?: string }; texts: string[]; summary: { culprit: string; count: number }[] }

// A real express server, ~5 ms of synchronous work per request, loaded by
// autocannon for 4 s with 50 connections: each loop turn serves many
// requests, a stall of many short callbacks (issue 14, item 10). Lower
// bounds only: how many stalls there are depends on the machine.
test('always-on, a loaded HTTP server: loop turns of many ~5 ms requests say "N callbacks in one loop turn" and are blamed on none of them', async () => {
  const { code, stdout, stderr, events } = await runFixture(fixture('http-turn.mjs'), ['4', '50'], { timeout: 60_000 })
  assert.equal(code, 0, stderr)
  const tail = stdout.split('\n').filter((line) => line.startsWith('{"load"')).map((line) => JSON.parse(line) as Tail)[0]
  assert.ok(tail, stdout)
  assert.equal(tail.load.error, undefined)
  assert.ok((tail.load.requests ?? 0) >= 100, `only ${tail.load.requests} requests`)
  const turns = events.filter((event: BlockEvent) => event.kind === 'turn')
  assert.ok(turns.length >= 1, `no loop turn among ${events.length} events: ${JSON.stringify(events.map((e) => [e.duration, e.kind, e.samples]))}`)
  for (const turn of turns) {
    assert.ok(turn.duration > turn.threshold)
    assert.ok((turn.callbacksSampled ?? 0) >= 1)
  }
  // The printed reports of turns say so, and name no one request as the culprit.
  const turnTexts = tail.texts.filter((text) => /by (\d+|several) callbacks in one loop turn, none long enough to block alone/.test(text))
  assert.ok(turnTexts.length >= 1, tail.texts.join('\n---\n'))
  // summary(): the turns are one row of their own, not counted as the handler's blocks.
  const row = tail.summary.find((r) => r.culprit === '(several callbacks in one loop turn)')
  assert.ok(row, JSON.stringify(tail.summary))
  assert.ok(row.count >= 1)
  // No row gives one request's handler the turns' blocks.
  const notTurns = events.filter((event) => event.kind !== 'turn').length
  for (const handler of tail.summary.filter((r) => /renderPage|pageHandler/.test(r.culprit))) {
    assert.ok(handler.count <= notTurns, `${handler.culprit}: ${handler.count} blocks, but only ${notTurns} events were not turns`)
  }
})
