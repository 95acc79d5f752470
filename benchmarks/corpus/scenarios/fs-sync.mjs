// fs.readFileSync in a loop: a file read again on every iteration.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { blockMs, now, ready, settle, truth } from './_harness.mjs'

const dir = mkdtempSync(join(tmpdir(), 'corpus-fs-'))
const file = join(dir, 'template.html')
writeFileSync(file, Buffer.alloc(4 << 20, 'x'))
process.on('exit', () => rmSync(dir, { recursive: true, force: true }))

function loadTemplates(ms) {
  const end = performance.now() + ms
  let bytes = 0
  while (performance.now() < end) bytes += readFileSync(file).length // CULPRIT
  return bytes
}

ready(() => {
  setTimeout(() => {
    const start = now()
    loadTemplates(blockMs)
    truth(start, now())
    settle()
  }, 10)
})
