import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { build } from 'esbuild'
import webpack from 'webpack'
import { fixture, runFixture } from '../helpers/run-fixture.js'

// An app bundled with loopwatch inside it: no dist/ folder next to the code,
// no worker file to load by path. The watchdog must start from the bundle and
// the app's frames must stay the app's (loopwatch's own directory is the
// bundle's there).
const outDir = mkdtempSync(join(tmpdir(), 'loopwatch-bundle-'))
after(() => {
  rmSync(outDir, { recursive: true, force: true })
})
const kSource = fixture('bundled-app.mjs')
const kBlockLine = readFileSync(kSource, 'utf8').split('\n').findIndex((line) => line.includes('BUNDLED_BLOCK_LINE')) + 1

const kEsmBanner = "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);"

async function assertStackFromBundle(file: string): Promise<void> {
  const result = await runFixture(file, [], { nodeArgs: ['--enable-source-maps'], timeout: 15_000, cwd: outDir })
  assert.equal(result.code, 0, result.stderr)
  const event = result.events.find((candidate) => candidate.duration >= 300)
  assert.ok(event, `no 300 ms block in: ${result.stdout}\n${result.stderr}`)
  const culprit = event.stack.find((frame) => !frame.internal)
  assert.equal(culprit?.functionName, 'crunchInBundle', JSON.stringify(event.stack, null, 1))
  assert.ok(event.stack.some((frame) => frame.functionName.endsWith('appWork') && !frame.internal))
  // Mapped back through the bundle's source map to the app's own file and line.
  assert.match(culprit.file, /bundled-app\.mjs$/)
  assert.equal(culprit.line, kBlockLine)
}

for (const format of ['esm', 'cjs'] as const) {
  test(`esbuild, ${format} bundle with loopwatch inside: the watchdog starts and the block has the app's stack`, async () => {
    const outfile = join(outDir, `esbuild-${format}.${format === 'esm' ? 'mjs' : 'cjs'}`)
    await build({
      entryPoints: [kSource], outfile, bundle: true, platform: 'node', format, target: 'node20', sourcemap: true, logLevel: 'error',
      // The usual banner of an ESM server bundle (README "Bundlers"): the
      // CommonJS code inside it (loopwatch's, most libraries') calls require().
      ...(format === 'esm' ? { banner: { js: kEsmBanner } } : {}),
    })
    await assertStackFromBundle(outfile)
  })
}

test('webpack (node target) bundle with loopwatch inside: the block has the app\'s stack', async () => {
  const stats = await new Promise<webpack.Stats | undefined>((resolve, reject) => {
    webpack({
      mode: 'production', target: 'node20', entry: kSource, devtool: 'source-map',
      output: { path: outDir, filename: 'webpack.cjs' },
      optimization: { minimize: false },
    }, (error, result) => {
      if (error) reject(error)
      else resolve(result)
    })
  })
  assert.ok(stats && !stats.hasErrors(), stats?.toString('errors-only'))
  await assertStackFromBundle(join(outDir, 'webpack.cjs'))
})
