// A process.nextTick callback drains a queue in a JS loop.
import { blockMs, now, ready, settle, truth } from './_harness.mjs'

function flushQueue(ms) {
  const queue = []
  const end = performance.now() + ms
  while (performance.now() < end) queue.push(queue.length) && queue.length > 1000 && queue.splice(0) // CULPRIT
  return queue.length
}

ready(() => {
  process.nextTick(() => {
    const start = now()
    flushQueue(blockMs)
    truth(start, now())
    settle()
  })
})
