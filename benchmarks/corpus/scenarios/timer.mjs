// A setTimeout callback spends its time in a JS loop.
import { blockMs, now, ready, settle, truth } from './_harness.mjs'

function crunchNumbers(ms) {
  const end = performance.now() + ms
  let x = 0
  while (performance.now() < end) x = Math.sqrt(x + 1) // CULPRIT
  return x
}

ready(() => {
  setTimeout(function onTick() {
    const start = now()
    crunchNumbers(blockMs)
    truth(start, now())
    settle()
  }, 10)
})
