import assert from 'node:assert/strict'
import { cpSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { runFixture } from '../helpers/run-fixture.js'

const root = fileURLToPath(new URL('../../', import.meta.url))

/**
 * An app outside the repository with loopwatch's built package installed
 * (a copy of dist/ and package.json) and its one dependency, and
 * `peers` of the OpenTelemetry API packages linked in.
 */
function makeApp(peers: string[]): string {
  const app = realpathSync(mkdtempSync(join(tmpdir(), 'loopwatch-otel-')))
  const pkg = join(app, 'node_modules', 'loopwatch')
  mkdirSync(pkg, { recursive: true })
  cpSync(join(root, 'dist'), join(pkg, 'dist'), { recursive: true })
  cpSync(join(root, 'package.json'), join(pkg, 'package.json'))
  for (const dep of ['debug', 'ms', ...peers]) {
    mkdirSync(join(app, 'node_modules', dep, '..'), { recursive: true })
    symlinkSync(join(root, 'node_modules', dep), join(app, 'node_modules', dep), 'dir')
  }
  const report = (load: string) => `${load}
try {
  watchLoop({ log: false, otel: process.argv[2] === 'logs' ? { logs: true } : true })
  console.log(JSON.stringify({ started: true }))
} catch (error) {
  console.log(JSON.stringify({ name: error.name, code: error.code, message: error.message }))
}
`
  writeFileSync(join(app, 'app.mjs'), report("import { watchLoop } from 'loopwatch'"))
  writeFileSync(join(app, 'app.cjs'), report("const { watchLoop } = require('loopwatch')"))
  return app
}

async function run(app: string, file: string, mode: string): Promise<{ name?: string; code?: string; message?: string; started?: boolean }> {
  const { code, stdout, stderr } = await runFixture(join(app, file), [mode], { cwd: app, env: { NODE_PATH: '' } })
  assert.equal(code, 0, stderr)
  return JSON.parse(stdout.trim()) as never
}

test('otel without @opentelemetry/api installed: watchLoop() throws an error that says what to install', async (t) => {
  const app = makeApp([])
  t.after(() => {
    rmSync(app, { recursive: true, force: true })
  })
  for (const file of ['app.mjs', 'app.cjs']) {
    const result = await run(app, file, 'traces')
    assert.equal(result.code, 'ERR_LOOPWATCH_MISSING_PEER', `${file}: ${JSON.stringify(result)}`)
    assert.equal(result.name, 'Error')
    assert.match(result.message ?? '', /^`otel` needs the package `@opentelemetry\/api`, which loopwatch cannot find: install it in your app \(`npm install @opentelemetry\/api`\), along with an OpenTelemetry SDK .*or drop the `otel` option$/)
  }
})

test('otel.logs without @opentelemetry/api-logs installed: the error names that package', async (t) => {
  const app = makeApp(['@opentelemetry/api'])
  t.after(() => {
    rmSync(app, { recursive: true, force: true })
  })
  for (const file of ['app.mjs', 'app.cjs']) {
    assert.deepEqual(await run(app, file, 'traces'), { started: true }, `${file} without logs`)
    const result = await run(app, file, 'logs')
    assert.equal(result.code, 'ERR_LOOPWATCH_MISSING_PEER', `${file}: ${JSON.stringify(result)}`)
    assert.match(result.message ?? '', /^`otel\.logs` needs the package `@opentelemetry\/api-logs`, which loopwatch cannot find: install it in your app \(`npm install @opentelemetry\/api-logs`\), along with `@opentelemetry\/sdk-logs`, or set `otel\.logs` to false$/)
  }
})
