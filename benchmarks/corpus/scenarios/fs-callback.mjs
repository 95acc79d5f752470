// An fs.readFile callback parses the file's lines in a JS loop.
import { readFile } from 'node:fs'
import { blockMs, now, ready, settle, truth } from './_harness.mjs'

function parseConfig(text, ms) {
  const end = performance.now() + ms
  let entries = 0
  while (performance.now() < end) entries += text.indexOf('\n', entries % text.length) > 0 ? 1 : 0 // CULPRIT
  return entries
}

ready(() => {
  readFile(new URL(import.meta.url), 'utf8', (error, text) => {
    const start = now()
    parseConfig(text, blockMs)
    truth(start, now())
    settle()
  })
})
