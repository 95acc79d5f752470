import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { test } from 'node:test'
import { fixture, fixturesDir, parseLines } from '../helpers/run-fixture.js'
import { analyzeSoak, getOnce, loadUntil } from '../helpers/soak.js'

// A short soak: real HTTP load on 127.0.0.1, blocks of >= 10x the threshold
// injected with Atomics.wait at known times.
test('under HTTP load, every injected block is reported once, naming the injected function; no report that an independent timer did not see', async (t) => {
  const thresholdMs = 20
  const child = spawn(process.execPath, [fixture('soak-server.mjs'), String(thresholdMs), '4000', '200', '300', 'wait', '42'], {
    cwd: fixturesDir, env: { ...process.env, NODE_OPTIONS: '', DEBUG: '' }, stdio: ['ignore', 'pipe', 'pipe'],
  })
  t.after(() => child.kill('SIGKILL'))
  let stdout = ''
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
      const m = /"port":(\d+)/.exec(stdout)
      if (m) resolve(Number(m[1]))
    })
    child.on('exit', () => {
      reject(new Error(`exited early: ${stderr}`))
    })
  })
  const stopLoad = new AbortController()
  const load = loadUntil(port, stopLoad.signal)
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
  // Served while blocks come and go, up to the end of the soak.
  await new Promise((resolve) => setTimeout(resolve, 3500))
  assert.equal(await getOnce(port), 200)
  stopLoad.abort()
  const { ok } = await load
  const code = await Promise.race([exited, new Promise((_r, reject) => setTimeout(() => {
    reject(new Error(`no exit: ${stderr}`))
  }, 20_000).unref())])
  assert.equal(code, 0, stderr)
  assert.ok(ok > 100, `only ${ok} requests served`)

  const lines = parseLines(stdout)
  assert.ok(lines.some((l) => 'done' in l), 'the soak did not finish')
  const result = analyzeSoak(lines, thresholdMs)
  assert.ok(result.overThreshold >= 3, `only ${result.overThreshold} blocks injected`)
  assert.deepEqual(result.missed, [], 'missed blocks')
  assert.deepEqual(result.duplicated, [], 'blocks reported twice')
  assert.deepEqual(result.wrongCulprit, [], 'wrong culprit')
  assert.deepEqual(result.falsePositives, [], 'events for stalls nobody injected')
  assert.equal(result.reportedOnceRight, result.overThreshold)
  assert.equal(stderr, '')
})
