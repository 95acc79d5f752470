import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import type { CulpritSummary, StackFrame } from '../../src/index.js'
import type { Report } from '../../src/report/report.js'
import { validate } from '../helpers/json-schema.js'
import { runCli } from '../helpers/run-cli.js'
import { fixture, parseLines, runFixture } from '../helpers/run-fixture.js'

// Real libraries (devDependencies) called from the app's own functions, with
// stacks far deeper than the 12 frames a report prints.
const app = fixture('deep-libraries.mjs')
const lines = readFileSync(app, 'utf8').split('\n')
const lineOf = (marker: string) => lines.findIndex((line) => line.includes(marker)) + 1
const cases = [
  { name: 'yaml', fn: 'loadSettings', line: lineOf('YAML_LINE'), pkg: 'js-yaml' },
  { name: 'clone', fn: 'copyTree', line: lineOf('CLONE_LINE'), pkg: 'lodash' },
  { name: 'ajv', fn: 'compileSchema', line: lineOf('AJV_LINE'), pkg: 'ajv' },
] as const
const isAppFrame = (frame: StackFrame) => !frame.internal && frame.package === undefined
const schema = JSON.parse(readFileSync(new URL('../../docs/report.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>

for (const { name, fn, line, pkg } of cases) {
  test(`the printed report shows the app's frame under a deep ${pkg} stack`, async () => {
    // Three blocks: the event's stack is a sampled one, and on a loaded
    // machine one block's few samples can all sit near the app frame
    // (CI, Node 20: js-yaml's at 4 of 9 frames), where nothing needs folding.
    const { code, stderr, events } = await runFixture(app, [name, '--times', '3'], { env: { LOG: '1' } })
    assert.equal(code, 0, stderr)
    const blocks = events.filter((event) => event.stack.find(isAppFrame)?.functionName === fn)
    const reports = stderr.split(/(?=^loopwatch: )/m).filter((text) => text.includes(`at ${fn} (`))
    assert.ok(blocks.length > 0, `no block of ${fn}\n${stderr}`)
    assert.equal(reports.length, blocks.length, stderr)
    const depths: number[] = []
    for (const [i, event] of blocks.entries()) {
      const report = reports[i] ?? ''
      const printed = report.split('\n')
      const at = printed.findIndex((l) => l.startsWith(`    at ${fn} (deep-libraries.mjs:${line}:`))
      assert.ok(at > 0, report)
      assert.ok(printed.length <= 16, report)
      const depth = event.stack.filter((f) => !f.internal).findIndex(isAppFrame)
      depths.push(depth)
      if (depth <= 12) continue
      // The middle is folded, and the library function the app called is shown above it.
      assert.match(printed[at - 2] ?? '', new RegExp(`^ {4}\\(\\d+ (${pkg} )?frames not shown\\)$`), report)
      assert.match(printed[at - 1] ?? '', new RegExp(`^ {4}at \\S+ \\(.*node_modules/${pkg}/`), report)
    }
    // js-yaml and lodash spend nearly all their time deep; ajv's most sampled
    // stack often sits near compileSchema (10 frames).
    if (pkg !== 'ajv') assert.ok(depths.some((depth) => depth > 12), `app frame depths ${depths.join(', ')}`)
  })
}

test('five calls of one app function into js-yaml are one summary() row, with js-yaml as the detail', async () => {
  const { code, stdout, stderr } = await runFixture(app, ['yaml', '--times', '5'])
  assert.equal(code, 0, stderr)
  const summary = (parseLines(stdout).find((l) => 'summary' in l)?.['summary'] ?? assert.fail(stdout)) as CulpritSummary[]
  const yaml = cases[0]
  const rows = summary.filter((row) => row.culprit.includes('js-yaml') || row.frame?.functionName === yaml.fn)
  assert.equal(rows.length, 1, JSON.stringify(summary.map((r) => r.culprit)))
  const [row] = rows
  assert.ok(row)
  assert.equal(row.count, 5)
  assert.equal(row.frame?.functionName, yaml.fn)
  assert.equal(row.via?.package, 'js-yaml')
  assert.match(row.culprit, new RegExp(`^loadSettings \\(deep-libraries\\.mjs:${yaml.line}\\) via js-yaml \\S*load$`))
})

test('the CLI summary, JSON and HTML group by the app frame, deep lodash stacks included', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'loopwatch-blame-'))
  t.after(() => {
    rmSync(dir, { recursive: true, force: true })
  })
  const json = join(dir, 'report.json')
  const html = join(dir, 'report.html')
  const { code, stderr } = await runCli(['-t', '30', '-q', '--json', json, '--html', html, 'deep-libraries.mjs', 'yaml', 'clone', '--times', '3'], 40_000)
  assert.equal(code, 0, stderr)
  const [yaml, clone] = cases
  assert.match(stderr, new RegExp(`^ +3 .* loadSettings \\(deep-libraries\\.mjs:${yaml.line}\\) via js-yaml \\S*load$`, 'm'))
  assert.match(stderr, new RegExp(`^ +3 .* copyTree \\(deep-libraries\\.mjs:${clone.line}\\) via lodash cloneDeep$`, 'm'))
  assert.doesNotMatch(stderr, /^ +\d+ .* \S+ \(.*node_modules/m, 'no row is blamed on a library')
  const report = JSON.parse(readFileSync(json, 'utf8')) as Report
  assert.deepEqual(validate(schema, report), [])
  const rows = report.culprits.filter((c) => c.function === yaml.fn || c.function === clone.fn)
  assert.deepEqual(rows.map((c) => [c.function, c.count, c.via?.package]).sort(), [[clone.fn, 3, 'lodash'], [yaml.fn, 3, 'js-yaml']])
  const page = readFileSync(html, 'utf8')
  assert.ok(page.includes(`"culprit":"copyTree (deep-libraries.mjs:${clone.line}) via lodash cloneDeep"`))
})
