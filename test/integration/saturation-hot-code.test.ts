import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { Agent, request } from 'node:http'
import { test } from 'node:test'
import type { SaturationEvent } from '../../src/index.js'
import { fixture, fixturesDir } from '../helpers/run-fixture.js'

interface Run {
  saturation: SaturationEvent | undefined
  blocks: number
  requests: number
}

/**
 * Starts the fixture server and sends it requests from this process, from
 * `concurrency` keep-alive connections, each waiting `pauseMs` between
 * requests, until the server reports saturation or `forMs` pass.
 */
async function drive(concurrency: number, pauseMs: number, forMs: number): Promise<Run> {
  const child = spawn(process.execPath, [fixture('saturation-server.mjs')], { cwd: fixturesDir, stdio: ['ignore', 'pipe', 'pipe'] })
  const killer = setTimeout(() => child.kill('SIGKILL'), forMs + 20_000)
  let stdout = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  const exited = once(child, 'exit')
  let port: number | undefined
  while (port === undefined) {
    await new Promise((resolve) => setTimeout(resolve, 20))
    const match = /"port":(\d+)/.exec(stdout)
    if (match) port = Number(match[1])
    assert.equal(child.exitCode, null, 'the fixture exited early')
  }
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency })
  const deadline = Date.now() + forMs
  let requests = 0
  const client = async (): Promise<void> => {
    while (child.exitCode === null && !stdout.includes('"saturation"') && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        request({ port, host: '127.0.0.1', agent }, (res) => res.resume().on('end', resolve)).on('error', () => {
          resolve()
        }).end()
      })
      requests++
      if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs))
    }
  }
  await Promise.all(Array.from({ length: concurrency }, client))
  agent.destroy()
  if (child.exitCode === null) child.kill()
  await exited
  clearTimeout(killer)
  const lines = stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>)
  return {
    saturation: lines.find((line) => 'saturation' in line)?.['saturation'] as SaturationEvent | undefined,
    blocks: lines.filter((line) => 'block' in line).length,
    requests,
  }
}

test('a saturated server: the saturation event names the function that reads and parses JSON per request', async () => {
  const { saturation, blocks, requests } = await drive(8, 0, 30_000)
  assert.ok(saturation, `no saturation event after ${requests} requests`)
  // No request blocks for 100 ms. One stall is tolerated: on a shared 2-core
  // machine, other processes can starve the server for that long.
  assert.ok(blocks <= 1, `${blocks} blocks over 100 ms`)
  assert.ok(saturation.utilization >= 0.9, String(saturation.utilization))
  assert.ok(saturation.samples > 0)
  const [top] = saturation.hot
  assert.ok(top, 'no hot code')
  const user = top.frames.find((frame) => !frame.internal)
  assert.equal(user?.functionName, 'getPackageVersion')
  assert.equal(user.file, fixture('saturation-server.mjs'))
  // 26-27: the reading lines. 25: the function's own line, where the CPU
  // profile places a caller frame: the wrapped natives (src/watchdog/native-calls.ts)
  // are JavaScript frames below it.
  assert.ok([25, 26, 27].includes(user.line), `line ${user.line}`)
  assert.ok(top.selfShare > 0.4, `share ${top.selfShare}`)
})

test('the same server at low load reports no saturation', async () => {
  const { saturation, requests } = await drive(1, 50, 3000)
  assert.ok(requests > 10)
  assert.equal(saturation, undefined)
})
