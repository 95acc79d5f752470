// Runs every benchmark in a fresh process (pino's runbench) and, with
// --doc, regenerates RESULTS.md from what they saved in results/.
//   npm run bench                      all benchmarks
//   npm run bench -- --quick           fewer rounds (a smoke run)
//   npm run bench -- --bench corpus    some of them (comma-separated)
//   npm run bench:doc                  all of them, then RESULTS.md
//   node --import tsx benchmarks/run.ts --doc-only   RESULTS.md from saved results
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, release, totalmem, type } from 'node:os'
import { benchDir, log, saveResult } from './lib/common.js'
import { renderResults } from './lib/doc.js'

const kBenches = ['overhead-idle', 'overhead-http', 'overhead-http-long', 'overhead-http-await', 'overhead-async', 'overhead-cpu', 'overhead-cpu-accounting', 'capture-stall', 'corpus', 'overhead-memory', 'overhead-natives', 'overhead-workers', 'field']

const argv = process.argv.slice(2)
const value = (name: string) => {
  const i = argv.indexOf(name)
  return i === -1 ? undefined : argv[i + 1]
}
const docOnly = argv.includes('--doc-only')
const picked = value('--bench')?.split(',') ?? kBenches
const passThrough = argv.filter((a, i) => !['--doc', '--doc-only', '--bench'].includes(a) && argv[i - 1] !== '--bench')

function machine() {
  const cpu = cpus()
  return {
    node: process.version,
    v8: process.versions.v8,
    os: `${type()} ${release()}`,
    cpu: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    memoryGB: Math.round(totalmem() / 2 ** 30),
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
    wrk: spawnSync('wrk', ['--version']).error === undefined,
    commit: spawnSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).stdout.trim(),
  }
}

if (!docOnly) {
  const info = machine()
  log(`Node ${info.node} (V8 ${info.v8}), ${info.os}, ${info.cores} x ${info.cpu}, ${info.memoryGB} GB; load average ${info.loadAverage.join(' ')}`)
  const started = Date.now()
  for (const bench of picked) {
    log(`\n== ${bench}`)
    const run = spawnSync(process.execPath, ['--import', 'tsx', `${benchDir}${bench}.bench.ts`, ...passThrough], { stdio: 'inherit', cwd: benchDir })
    if (run.status !== 0) log(`${bench} failed (exit ${run.status})`)
  }
  saveResult('machine', { ...info, loadAverageAtEnd: loadavg().map((l) => Math.round(l * 100) / 100), minutes: Math.round((Date.now() - started) / 600) / 100, args: argv })
}
if (argv.includes('--doc') || docOnly) {
  const file = `${benchDir}RESULTS.md`
  writeFileSync(file, renderResults())
  log(`wrote ${file} (${readFileSync(file, 'utf8').split('\n').length} lines)`)
}
