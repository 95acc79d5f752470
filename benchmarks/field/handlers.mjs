// The field benchmark's app code: handlers that call real blocking libraries,
// as apps do. Each case's culprit, the app's own function and line that a
// report must name, is marked with a `// culprit <case>` comment; the scorer
// (benchmarks/field.bench.ts) reads the markers from this file.
import { createRequire } from 'node:module'
import { gzipSync } from 'node:zlib'
import { pbkdf2Sync, randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, writeFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const require = createRequire(import.meta.url)
const bcrypt = require('bcryptjs')
const { marked } = require('marked')
const yaml = require('js-yaml')
const Ajv = require('ajv')
const _ = require('lodash')

// Inputs, built once at start-up (outside any measured request).
const dir = mkdtempSync(join(tmpdir(), 'loopwatch-field-'))
const bigJsonFile = join(dir, 'catalog.json')
writeFileSync(bigJsonFile, JSON.stringify(Array.from({ length: 300_000 }, (_, i) => ({ id: i, name: `item ${i}`, tags: ['a', 'b', String(i % 7)], price: i / 3 }))))
const smallFiles = Array.from({ length: 40 }, (_, i) => {
  const file = join(dir, `part-${i}.txt`)
  writeFileSync(file, 'x'.repeat(256 * 1024))
  return file
})
const markdown = Array.from({ length: 1000 }, (_, i) => `## Section ${i}\n\nSome *text* with a [link](http://example.com/${i}) and \`code\`.\n\n- one\n- two\n\n| a | b |\n|---|---|\n| ${i} | x |\n`).join('\n')
const yamlText = Array.from({ length: 20_000 }, (_, i) => `key${i}:\n  name: item ${i}\n  tags: [a, b, c]\n  nested: { x: ${i}, y: "s${i}" }`).join('\n')
const schema = {
  type: 'object',
  properties: Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`p${i}`, {
    type: 'object', properties: { a: { type: 'string', pattern: `^x${i}` }, b: { anyOf: [{ type: 'integer', minimum: i }, { type: 'null' }] } },
  }])),
}
const tree = Array.from({ length: 30_000 }, (_, i) => ({ id: i, child: { list: [i, { deep: { value: i } }] }, when: new Date(0) }))
const blob = randomBytes(10 * 1024 * 1024)
const jsonText = readFileSync(bigJsonFile, 'utf8')

export function hashPassword(password) {
  return bcrypt.hashSync(password, 11) // culprit bcrypt
}

export function renderDocs() {
  const html = marked.parse(markdown) // culprit marked
  return html.length
}

export function loadConfig() {
  const config = yaml.load(yamlText) // culprit yaml
  return Object.keys(config).length
}

export function compileValidator() {
  const validate = new Ajv({ allErrors: true }).compile(schema) // culprit ajv
  return typeof validate
}

export function snapshotState() {
  const copy = _.cloneDeep(tree) // culprit lodash
  return copy.length
}

export function loadCatalog() {
  return JSON.parse(jsonText) // culprit json
}

export function compressExport() {
  return gzipSync(blob, { level: 9 }).length // culprit zlib
}

export function deriveKey(secret) {
  return pbkdf2Sync(secret, 'salt', 250_000, 64, 'sha512').length // culprit crypto
}

export function readParts() {
  let total = 0
  for (let round = 0; round < 50; round++) {
    for (const file of smallFiles) total += readFileSync(file).length + statSync(file).size // culprit fs
  }
  return total
}

export function validateEmail(input) {
  return /^([a-zA-Z0-9]+)*@example\.com$/.test(input) // culprit regex
}

/** Case name -> what its handler runs. */
export const cases = {
  bcrypt: () => hashPassword('hunter2'),
  marked: () => renderDocs(),
  yaml: () => loadConfig(),
  ajv: () => compileValidator(),
  lodash: () => snapshotState(),
  json: () => loadCatalog().length,
  zlib: () => compressExport(),
  crypto: () => deriveKey('s3cret'),
  fs: () => readParts(),
  regex: () => validateEmail(`${'a'.repeat(30)}!`),
}
