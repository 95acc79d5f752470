// A setImmediate callback builds an index in a JS loop.
import { blockMs, now, ready, settle, truth } from './_harness.mjs'

function buildIndex(ms) {
  const index = new Map()
  const end = performance.now() + ms
  for (let i = 0; performance.now() < end; i++) index.set(i % 5000, i) // CULPRIT
  return index
}

ready(() => {
  setImmediate(() => {
    const start = now()
    buildIndex(blockMs)
    truth(start, now())
    settle()
  })
})
