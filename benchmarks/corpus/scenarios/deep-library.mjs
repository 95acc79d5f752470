// The loop sits 120 frames deep inside a library (node_modules/deep-render);
// the app's culprit is the function that called it.
import { render } from 'deep-render'
import { blockMs, now, ready, settle, truth } from './_harness.mjs'

function renderTree(ms) {
  return render(120, ms) // CULPRIT
}

ready(() => {
  setTimeout(() => {
    const start = now()
    renderTree(blockMs)
    truth(start, now())
    settle()
  }, 10)
})
