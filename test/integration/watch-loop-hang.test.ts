import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { test } from 'node:test'
import { fixture, fixturesDir } from '../helpers/run-fixture.js'

test('an infinite loop is reported on stderr while the process is still stuck', async (t) => {
  const child = spawn(process.execPath, [fixture('hang.mjs')], { cwd: fixturesDir, stdio: ['ignore', 'pipe', 'pipe'] })
  t.after(() => child.kill('SIGKILL'))
  let stderr = ''
  const reported = new Promise<void>((resolve, reject) => {
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
      if (/same stack as above/.test(stderr)) resolve()
    })
    child.on('exit', () => {
      reject(new Error(`exited before the hang was reported: ${stderr}`))
    })
  })
  await Promise.race([reported, new Promise((_resolve, reject) => {
    setTimeout(() => {
      reject(new Error(`no hang report within 15 s: ${stderr}`))
    }, 15_000).unref()
  })])
  // The process is still running: the report came from the watchdog thread.
  assert.equal(child.exitCode, null)
  assert.match(stderr, /loopwatch: event loop blocked for \d+ ms so far and still running \(threshold 20 ms\)\n {4}at spinForever \(hang\.mjs:9:\d+\)\n {4}at Timeout\.startSpinning \(hang\.mjs:12:\d+\)/)
  assert.match(stderr, /loopwatch: event loop still blocked after \d+ ms \(same stack as above\)/)
})

test('an endless microtask chain is reported as a hang while stuck, with the looping function', async (t) => {
  const child = spawn(process.execPath, [fixture('hang-microtasks.mjs')], { cwd: fixturesDir, stdio: ['ignore', 'pipe', 'pipe'] })
  t.after(() => child.kill('SIGKILL'))
  let stderr = ''
  const reported = new Promise<void>((resolve, reject) => {
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
      // Node's frames of queueMicrotask may come first (CI, Node 20: Function.bind, queueMicrotask).
      if (/so far and still running[^\n]*\n( {4}at [^\n]*\n)*? {4}at chainForever/.test(stderr)) resolve()
    })
    child.on('exit', () => {
      reject(new Error(`exited before the hang was reported: ${stderr}`))
    })
  })
  await Promise.race([reported, new Promise((_resolve, reject) => {
    setTimeout(() => {
      reject(new Error(`no hang report within 15 s: ${stderr}`))
    }, 15_000).unref()
  })])
  assert.equal(child.exitCode, null)
})

test('a long finite microtask stall (for (;;) await null) gets its stack and its hang report', async () => {
  const { runFixture } = await import('../helpers/run-fixture.js')
  const result = await runFixture(fixture('hang-microtasks.mjs'), ['finite'], { timeout: 15_000 })
  assert.equal(result.code, 0, result.stderr)
  // Node's own frames of performance.now() may come first; the app's frame follows.
  assert.match(result.stderr, /so far and still running[^\n]*\n( {4}at [^\n]*\n)*? {4}at (async )?awaitInALoop \([^\n]*hang-microtasks\.mjs:/)
  const event = result.events.find((candidate) => candidate.duration >= 1500)
  assert.ok(event, `no 1.5 s block in: ${result.stdout}`)
  assert.equal(event.hang, true)
  assert.ok(event.stack.some((frame) => /awaitInALoop/.test(frame.functionName)), JSON.stringify(event.stack))
})
