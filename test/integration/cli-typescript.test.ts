import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { runCli } from '../helpers/run-cli.js'
import { fixture } from '../helpers/run-fixture.js'

const nodeStripsTypes = Boolean((process.features as { typescript?: string }).typescript)

test('loopwatch app.ts runs it (tsx installed next to it, or Node type stripping) and names the .ts line', async () => {
  const blockingLine = readFileSync(fixture('ts/tsx-app.ts'), 'utf8').split('\n').findIndex((line) => line.includes('BLOCKING_LINE')) + 1
  const { code, stderr } = await runCli(['-t', '30', '-q', 'ts/tsx-app.ts'], 40_000)
  assert.equal(code, 0, stderr)
  assert.doesNotMatch(stderr, /ERR_UNKNOWN_FILE_EXTENSION/)
  assert.match(stderr, new RegExp(`^ +2 .* crunchTotals \\(ts/tsx-app\\.ts:${blockingLine}\\)$`, 'm'))
})

test('loopwatch app.ts without tsx: runs where Node strips types, else one line saying what to do', async (t) => {
  // Outside the repository: no node_modules/tsx up the tree.
  const dir = mkdtempSync(join(tmpdir(), 'loopwatch-ts-'))
  t.after(() => {
    rmSync(dir, { recursive: true, force: true })
  })
  const app = join(dir, 'app.ts')
  writeFileSync(app, [
    'interface Job { ms: number }',
    'function runJob(job: Job): void {',
    '  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, job.ms)',
    '}',
    'setTimeout(() => runJob({ ms: 400 }), 200)',
    '',
  ].join('\n'))
  const { code, stderr } = await runCli(['-t', '30', '-q', app], 40_000)
  if (nodeStripsTypes) {
    assert.equal(code, 0, stderr)
    assert.match(stderr, /^ +1 .* runJob \(.*app\.ts:3\)$/m)
    return
  }
  assert.equal(code, 1)
  assert.equal(stderr, `loopwatch: ${app} is TypeScript, which Node ${process.versions.node} cannot run by itself: install tsx `
    + `(npm install --save-dev tsx), use Node 22.18 or later, or name your runner: loopwatch -- node --import tsx ${app}\n`)
})
