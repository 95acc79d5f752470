// CommonJS: a config loader reads and parses a large JSON file (readFileSync
// then JSON.parse, the parse as the last act).
const { mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs')
const { tmpdir } = require('node:os')
const { join } = require('node:path')
const { blockMs, inSlices, now, ready, settle, truth } = require('./_harness.cjs')

const dir = mkdtempSync(join(tmpdir(), 'corpus-json-'))
const file = join(dir, 'config.json')
process.on('exit', () => rmSync(dir, { recursive: true, force: true }))

function loadConfig(path) {
  return JSON.parse(readFileSync(path, 'utf8')) // CULPRIT
}

ready(async () => {
  const items = Math.round((400_000 * blockMs) / 300)
  const parts = []
  await inSlices(items / 1000, (i) => {
    parts.push(JSON.stringify(Array.from({ length: 1000 }, (_, j) => ({ id: i * 1000 + j, name: `item ${j}`, qty: j % 7 }))).slice(1, -1))
  })
  writeFileSync(file, `{"items":[${parts.join(',')}]}`)
  setTimeout(() => {
    const start = now()
    loadConfig(file)
    truth(start, now())
    settle()
  }, 300)
})
