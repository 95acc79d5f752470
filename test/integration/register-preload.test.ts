import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fixture, runFixture, type RunOptions } from '../helpers/run-fixture.js'

// Each way of preloading loopwatch/register into an app that knows nothing of
// it: the block is reported, exactly one watchdog starts, the app's exit code
// is kept and the process ends promptly.
const cases: { name: string; file: string; code: number; report: RegExp; run: RunOptions }[] = [
  { name: '--import, ESM app', file: 'app-blocks.mjs', code: 3, report: /at blockFor \(block\.mjs:\d+:\d+\)\n {4}at Timeout\.appWork \(app-blocks\.mjs:4:\d+\)/,
    run: { nodeArgs: ['--import', 'loopwatch/register'] } },
  { name: '--import, CJS app', file: 'app-blocks.cjs', code: 4, report: /at appWork \(app-blocks\.cjs:3:\d+\)/,
    run: { nodeArgs: ['--import', 'loopwatch/register'] } },
  { name: '--require, CJS app', file: 'app-blocks.cjs', code: 4, report: /at appWork \(app-blocks\.cjs:3:\d+\)/,
    run: { nodeArgs: ['--require', 'loopwatch/register'] } },
  { name: '--require, ESM app', file: 'app-blocks.mjs', code: 3, report: /at Timeout\.appWork \(app-blocks\.mjs:4:\d+\)/,
    run: { nodeArgs: ['--require', 'loopwatch/register'] } },
  { name: 'NODE_OPTIONS=--import', file: 'app-blocks.mjs', code: 3, report: /at Timeout\.appWork \(app-blocks\.mjs:4:\d+\)/,
    run: { env: { NODE_OPTIONS: '--import loopwatch/register' } } },
  { name: 'NODE_OPTIONS=--require and --import at once', file: 'app-blocks.cjs', code: 4, report: /at appWork \(app-blocks\.cjs:3:\d+\)/,
    run: { nodeArgs: ['--import', 'loopwatch/register'], env: { NODE_OPTIONS: '--require loopwatch/register' } } },
]

for (const { name, file, code, report, run } of cases) {
  test(`preloaded with ${name}: the block reported, one watchdog, exit code ${code}`, async () => {
    const started = performance.now()
    const result = await runFixture(fixture(file), [], {
      ...run,
      env: { DEBUG: 'loopwatch', LOOPWATCH_THRESHOLD: '30', ...run.env },
      timeout: 15_000,
    })
    const elapsedMs = performance.now() - started
    assert.equal(result.code, code, result.stderr)
    assert.equal(result.stderr.match(/watchdog worker started/g)?.length, 1, result.stderr)
    assert.match(result.stderr, /loopwatch: event loop blocked for \d+ ms \(threshold 30 ms, cause: wait(; [^)]*)?\)/)
    assert.match(result.stderr, report)
    // The app ends at ~0.6 s; a preload that kept it alive would hit the timeout.
    assert.ok(elapsedMs < 8000, `took ${elapsedMs} ms`)
  })
}

test('an app that ends on its own ends at once under the preload, silently', async () => {
  const started = performance.now()
  const { code, stdout, stderr } = await runFixture(fixture('noop.mjs'), [], {
    nodeArgs: ['--import', 'loopwatch/register'], timeout: 10_000,
  })
  assert.equal(code, 0)
  assert.equal(stdout, '')
  assert.equal(stderr, '')
  assert.ok(performance.now() - started < 5000)
})

test("the app's worker threads inherit the preload but start no watcher: one watchdog, the main thread's block only", async () => {
  const { code, stderr } = await runFixture(fixture('app-worker.mjs'), [], {
    nodeArgs: ['--import', 'loopwatch/register'],
    env: { DEBUG: 'loopwatch', LOOPWATCH_THRESHOLD: '30' },
  })
  assert.equal(code, 5, stderr)
  assert.equal(stderr.match(/watchdog worker started/g)?.length, 1, stderr)
  assert.equal(stderr.match(/watching: threshold/g)?.length, 1, stderr)
  assert.match(stderr, /at Timeout\.afterWorker \(app-worker\.mjs:\d+:\d+\)/)
  assert.doesNotMatch(stderr, /workerWork/)
})
