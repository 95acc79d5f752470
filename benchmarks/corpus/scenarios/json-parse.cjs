// CommonJS: a config loader reads and parses a large JSON file (readFileSync
// then JSON.parse, the parse as the last act).
const { mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs')
const { tmpdir } = require('node:os')
const { join } = require('node:path')
const { inSlices, now, ready, settle, truth, unitsFor } = require('./_harness.cjs')

const dir = mkdtempSync(join(tmpdir(), 'corpus-json-'))
const file = join(dir, 'config.json')
process.on('exit', () => rmSync(dir, { recursive: true, force: true }))

function loadConfig(path) {
  return JSON.parse(readFileSync(path, 'utf8')) // CULPRIT
}

ready(async () => {
  const part = (i) => JSON.stringify(Array.from({ length: 1000 }, (_, j) => ({ id: i * 1000 + j, name: `item ${j}`, qty: j % 7 }))).slice(1, -1)
  const sample = `{"items":[${Array.from({ length: 20 }, (_, i) => part(i)).join(',')}]}`
  const parts1000 = unitsFor(20, () => JSON.parse(sample))
  const parts = []
  await inSlices(parts1000, (i) => {
    parts.push(part(i))
  })
  writeFileSync(file, `{"items":[${parts.join(',')}]}`)
  setTimeout(() => {
    const start = now()
    loadConfig(file)
    truth(start, now())
    settle()
  }, 300)
})
