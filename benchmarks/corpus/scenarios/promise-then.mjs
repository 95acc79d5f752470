// A .then continuation transforms rows in a JS loop.
import { blockMs, now, ready, settle, truth } from './_harness.mjs'

function transformRows(ms) {
  const end = performance.now() + ms
  let rows = 0
  while (performance.now() < end) rows += String(rows).length // CULPRIT
  return rows
}

ready(() => {
  Promise.resolve(blockMs).then((ms) => {
    const start = now()
    transformRows(ms)
    truth(start, now())
    settle()
  })
})
