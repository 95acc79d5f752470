import assert from 'node:assert/strict'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import ts from 'typescript'
import { userFrames } from '../helpers/assert-block.js'
import { fixture, runFixture } from '../helpers/run-fixture.js'

const source = fixture('ts/slow-report.ts')
const tsText = readFileSync(source, 'utf8')
const blockingLine = tsText.split('\n').findIndex((line) => line.includes('BLOCKING_LINE')) + 1
const outDir = fixture('ts-out')

/** Compiles the fixture with tsc's transpiler; `inline` embeds the map as a data: URL. */
function compile(inline: boolean): string {
  mkdirSync(outDir, { recursive: true })
  const name = inline ? 'slow-report-inline' : 'slow-report-linked'
  const out = ts.transpileModule(tsText, {
    fileName: source,
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      sourceMap: !inline,
      inlineSourceMap: inline,
      inlineSources: false,
      sourceRoot: '',
    },
  })
  const js = join(outDir, `${name}.mjs`)
  let text = out.outputText
  if (!inline && out.sourceMapText !== undefined) {
    // Point the map at the real .ts file from the output folder.
    const map = JSON.parse(out.sourceMapText) as { sources: string[]; file: string }
    map.sources = ['../ts/slow-report.ts']
    map.file = `${name}.mjs`
    writeFileSync(`${js}.map`, JSON.stringify(map))
    text = text.replace(/\/\/# sourceMappingURL=.*$/m, `//# sourceMappingURL=${name}.mjs.map`)
  } else {
    text = text.replace(/sourceMappingURL=data:application\/json;base64,(.*)$/m, (_all, b64: string) => {
      const map = JSON.parse(Buffer.from(b64, 'base64').toString()) as { sources: string[] }
      map.sources = ['../ts/slow-report.ts']
      return `sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString('base64')}`
    })
  }
  writeFileSync(js, text)
  assert.notEqual(text.split('\n').findIndex((line) => line.includes('BLOCKING_LINE')) + 1, blockingLine,
    'the compiled line must differ, or this test proves nothing')
  return js
}

for (const inline of [false, true]) {
  for (const enableSourceMaps of [false, true]) {
    const name = `${inline ? 'inline' : 'linked'} source map, ${enableSourceMaps ? 'with' : 'without'} --enable-source-maps`
    test(`frames point at the .ts line (${name})`, async () => {
      const js = compile(inline)
      const { code, events } = await runFixture(js, [], { nodeArgs: enableSourceMaps ? ['--enable-source-maps'] : [] })
      assert.equal(code, 0)
      // The block under test; a loaded machine can add a start-up stall.
      const blocks = events.filter((event) => userFrames(event)[0]?.functionName === 'parseReport')
      assert.equal(blocks.length, 1, JSON.stringify(events))
      const [first] = userFrames(blocks[0] ?? assert.fail('no event'))
      assert.equal(first?.functionName, 'parseReport')
      assert.equal(first.file, source)
      assert.equal(first.line, blockingLine)
    })
  }
}
