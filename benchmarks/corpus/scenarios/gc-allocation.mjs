// An allocation-heavy function whose time goes mostly to the garbage collector.
import { blockMs, now, ready, settle, truth } from './_harness.mjs'

const kept = []

function buildSnapshot(ms) {
  const end = performance.now() + ms
  while (performance.now() < end) kept.push({ at: kept.length, values: new Array(64).fill(kept.length) }) // CULPRIT
  return kept.length
}

ready(() => {
  setTimeout(() => {
    const start = now()
    buildSnapshot(blockMs)
    truth(start, now())
    settle()
  }, 10)
})
