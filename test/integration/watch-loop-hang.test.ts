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
