import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import type { Report } from '../../src/report/report.js'
import { validate } from '../helpers/json-schema.js'
import { runCli } from '../helpers/run-cli.js'

const schema = JSON.parse(readFileSync(new URL('../../docs/report.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>

test('two culprits in known proportions: exact counts, ordered by total; --json fits the documented schema', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'loopwatch-cli-'))
  t.after(() => {
    rmSync(dir, { recursive: true, force: true })
  })
  const json = join(dir, 'report.json')
  const { code, stderr, stdout } = await runCli(['--threshold', '10', '--quiet', '--json', json, 'two-culprits.mjs'])
  assert.equal(code, 0, stderr)
  assert.equal(stdout, '')
  const lines = stderr.split('\n')
  // On a loaded machine a stray stall over 10 ms may add a block of its own
  // (a culprit of its own, with a small total): only the header's count may vary.
  assert.match(lines[0] ?? '', /^loopwatch: \d+ blocks, 1\.\d s blocked in \d+ s \(\d+\.\d%\)$/)
  assert.match(lines[1] ?? '', /^ {2}count {2}total +max +culprit$/)
  // renderChart: 2 x 400 ms; parseRows: 5 x 100 ms. Fewer blocks, more time: first.
  assert.match(lines[2] ?? '', /^ {6}2 {2}8\d\d ms {2}4\d\d ms {2}renderChart \(two-culprits\.mjs:12\)$/)
  assert.match(lines[3] ?? '', /^ {6}5 {2}5\d\d ms {2}1\d\d ms {2}parseRows \(two-culprits\.mjs:8\)$/)
  assert.equal(lines.at(-2), `loopwatch: JSON report written to ${json}`)

  const report = JSON.parse(readFileSync(json, 'utf8')) as Report
  assert.deepEqual(validate(schema, report), [])
  assert.deepEqual(report.culprits.slice(0, 2).map((c) => [c.function, c.count, c.line]), [['renderChart', 2, 12], ['parseRows', 5, 8]])
  assert.deepEqual(report.command, ['two-culprits.mjs'])
  assert.equal(report.exitCode, 0)
  assert.equal(report.blocks, report.events.length)
  // Time order, and the plan's order of culprits.
  assert.deepEqual(report.events.filter((e) => e.culprit < 2).map((e) => e.culprit), [1, 0, 1, 1, 0, 1, 1])
  for (const culprit of report.culprits.slice(0, 2)) {
    assert.ok(culprit.profile.length > 0 && culprit.profile[0]?.stack.some((f) => f.functionName === culprit.function))
  }
})

test('--json - writes the report to stdout; start-up blocks are marked', async () => {
  const { code, stderr, stdout } = await runCli(['-t', '20', '-q', '--json', '-', '--', process.execPath, 'app-startup.mjs'])
  assert.equal(code, 0, stderr)
  const report = JSON.parse(stdout) as Report
  assert.deepEqual(validate(schema, report), [])
  const startup = report.culprits.filter((c) => c.function === 'loadConfig' || c.function === 'Timeout.handleTick')
  assert.deepEqual(startup.map((c) => [c.function, c.startup, c.count]), [['loadConfig', true, 1], ['Timeout.handleTick', false, 1]])
  assert.match(stderr, /^ +1 {2}2\d\d ms {2}2\d\d ms {2}\(startup\) loadConfig \(app-startup\.mjs:6\)$/m)
  assert.match(stderr, /^ +1 {2}1\d\d ms {2}1\d\d ms {2}Timeout\.handleTick \(app-startup\.mjs:10\)$/m)
})

test('a burst of 15 blocks from one culprit: 3 reports and one folded line on stderr, all of them in the summary', async () => {
  const { code, stderr } = await runCli(['-t', '10', 'burst.mjs'])
  assert.equal(code, 0, stderr)
  // Full reports of hotLoop (a stray stall elsewhere would have its own report).
  assert.equal(stderr.match(/^ {4}at hotLoop \(burst\.mjs:5:\d+\)$/gm)?.length, 3, stderr)
  const row = /^ +(\d+) {2}1\.\d s {2}1\d\d ms {2}hotLoop \(burst\.mjs:5\)$/m.exec(stderr)
  assert.ok(row, stderr)
  const count = Number(row[1])
  // All 15, unless a block on an overloaded machine went without a stack.
  assert.ok(count >= 13 && count <= 15, `${count} blocks`)
  const folded = new RegExp(`^loopwatch: hotLoop \\(burst\\.mjs:5\\) blocked ${count - 3} more times, (\\d\\.\\d) s in total, in the last \\d+ s$`, 'm').exec(stderr)
  assert.ok(folded, stderr)
  // Each folded block lasted at least 100 ms; the total is shown to 0.1 s.
  assert.ok(Number(folded[1]) * 1000 >= (count - 3) * 100 - 50, folded[0])
})

/** The summary's per-thread sections: each heading (`main thread: 1 block, 300 ms`) with the rows under it. */
function threadSections(stderr: string): Map<string, string[]> {
  const sections = new Map<string, string[]>()
  let rows: string[] | undefined
  for (const line of stderr.slice(stderr.search(/^loopwatch: \d+ blocks?, /m)).split('\n').slice(1)) {
    const heading = /^ {2}(main thread|worker \d+(?: "[^"]*")?): /.exec(line)
    if (heading?.[1] !== undefined) sections.set(heading[1], rows = [])
    else if (line.startsWith('    ')) rows?.push(line)
    else rows = undefined
  }
  return sections
}

// The preload watches the main thread; the worker's own watchLoop() writes
// its blocks to the CLI's events file too (LOOPWATCH_EVENTS).
test('a worker thread that blocks: the summary has a section per thread, each with its own culprit; --json names the worker', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'loopwatch-cli-'))
  t.after(() => {
    rmSync(dir, { recursive: true, force: true })
  })
  const json = join(dir, 'report.json')
  const { code, stderr } = await runCli(['-t', '20', '--json', json, 'cli-worker-block.mjs'])
  assert.equal(code, 0, stderr)
  const sections = threadSections(stderr)
  // Node 20 does not tell a worker its name: `worker 2` there, `worker 2 "crunch"` on Node >= 22.
  const workerHeading = [...sections.keys()].find((heading) => heading.startsWith('worker '))
  assert.ok(workerHeading !== undefined && /^worker \d+(?: "crunch")?$/.test(workerHeading), stderr)
  assert.match(stderr, new RegExp(`^ {2}${workerHeading.replace(/"/g, '\\"')}: \\d+ blocks?, \\d+ ms$`, 'm'))
  assert.match(stderr, /^ {2}main thread: \d+ blocks?, \d+ ms$/m)
  const main = sections.get('main thread') ?? []
  const worker = sections.get(workerHeading) ?? []
  // 300 ms each (15x the threshold): lower bounds only.
  const crunch = worker.map((row) => /^ {4} +(\d+) {2}(\d+) ms .* crunchRows \(cli-worker-block\.mjs:10\)$/.exec(row)).find(Boolean)
  assert.ok(crunch, stderr)
  assert.ok(Number(crunch[1]) >= 1 && Number(crunch[2]) >= 200, crunch[0])
  assert.ok(main.some((row) => /^ {4} +\d+ {2}\d+ ms .* (Timeout\.)?mainWork \(cli-worker-block\.mjs:17\)$/.test(row)), stderr)
  // Counted within their own thread only.
  assert.ok(!main.some((row) => row.includes('crunchRows')), stderr)
  assert.ok(!worker.some((row) => row.includes('mainWork')), stderr)
  // The worker's own report (its watcher logs) names it too.
  assert.match(stderr, /^loopwatch: worker \d+(?: "crunch")?: event loop blocked for \d+ ms/m)

  const report = JSON.parse(readFileSync(json, 'utf8')) as Report
  assert.deepEqual(validate(schema, report), [])
  const crunchRow = report.culprits.find((c) => c.function === 'crunchRows')
  assert.ok(crunchRow?.thread !== undefined && crunchRow.thread.id > 0 && ['crunch', ''].includes(crunchRow.thread.name), JSON.stringify(crunchRow?.thread))
  assert.equal(report.culprits.find((c) => c.function?.endsWith('mainWork') === true)?.thread, undefined)
})
