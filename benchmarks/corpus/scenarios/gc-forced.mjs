// A full garbage collection of a large heap (run with --expose-gc).
import { inSlices, now, ready, settle, truth } from './_harness.mjs'

const retained = []
const kObjects = 4_000_000

function compactHeap() {
  globalThis.gc() // CULPRIT
  return retained.length
}

ready(async () => {
  await inSlices(kObjects / 10_000, () => {
    const batch = []
    for (let j = 0; j < 10_000; j++) batch.push({ a: j, b: [j], c: `s${j}` })
    retained.push(batch)
  })
  setTimeout(() => {
    const start = now()
    compactHeap()
    truth(start, now())
    settle()
  }, 10)
})
