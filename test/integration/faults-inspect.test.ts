import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { test } from 'node:test'
import { fixture, fixturesDir, parseLines } from '../helpers/run-fixture.js'

// A real debugger client attached over the inspector's WebSocket (Node 20
// needs --experimental-websocket for the client's WebSocket).
test('an app started with --inspect and a debugger attached: blocks reported with stacks, never paused, no "Waiting for the debugger"', async (t) => {
  const env = { ...process.env, NODE_OPTIONS: '', DEBUG: '' }
  const app = spawn(process.execPath, ['--inspect=127.0.0.1:0', fixture('fault-inspect.mjs')], { cwd: fixturesDir, env, stdio: ['ignore', 'pipe', 'pipe'] })
  t.after(() => app.kill('SIGKILL'))
  let stdout = ''
  let stderr = ''
  app.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const url = await new Promise<string>((resolve, reject) => {
    app.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
      const m = /"url":"([^"]+)"/.exec(stdout)
      if (m?.[1]) resolve(m[1])
    })
    app.on('exit', () => {
      reject(new Error(`exited early: ${stderr}`))
    })
  })
  const clientArgs = ['--experimental-websocket', '--no-warnings', fixture('inspector-client.mjs'), url]
  const client = spawn(process.execPath, clientArgs, { cwd: fixturesDir, env, stdio: ['ignore', 'pipe', 'pipe'] })
  t.after(() => client.kill('SIGKILL'))
  let clientOut = ''
  client.stdout.setEncoding('utf8').on('data', (chunk: string) => (clientOut += chunk))
  const timer = setTimeout(() => {
    app.kill('SIGKILL')
    client.kill('SIGKILL')
  }, 30_000)
  const [[code]] = await Promise.all([once(app, 'exit'), once(client, 'exit')]) as [[number | null], unknown]
  clearTimeout(timer)
  assert.equal(code, 0, stderr)
  const result = parseLines(stdout).find((l) => 'events' in l) as { attached: boolean; detached: boolean; events: (string | null)[] } | undefined
  assert.ok(result, stdout)
  assert.ok(result.attached, 'the debugger never attached')
  assert.ok(result.detached, 'the debugger never detached')
  assert.equal(result.events.filter((fn) => fn === 'blockFor').length, 2, JSON.stringify(result.events))
  assert.doesNotMatch(clientOut, /paused/)
  assert.match(stderr, /Debugger attached/)
  assert.doesNotMatch(stderr, /Waiting for the debugger/)
})
