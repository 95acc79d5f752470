// A queueMicrotask callback reconciles state in a JS loop.
import { blockMs, now, ready, settle, truth } from './_harness.mjs'

const state = { a: 0, b: 0 }

function reconcileState(ms) {
  const end = performance.now() + ms
  while (performance.now() < end) state.a = state.b++ ^ state.a // CULPRIT
  return state
}

ready(() => {
  queueMicrotask(() => {
    const start = now()
    reconcileState(blockMs)
    truth(start, now())
    settle()
  })
})
