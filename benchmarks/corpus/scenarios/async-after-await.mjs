// An async function resumes after an await and renders in a JS loop.
import { blockMs, now, ready, settle, truth } from './_harness.mjs'

const fetchData = () => new Promise((resolve) => setTimeout(() => resolve([1, 2, 3]), 20))

async function renderReport(ms) {
  const data = await fetchData()
  const start = now()
  const end = performance.now() + ms
  let html = ''
  while (performance.now() < end) html = `<td>${data.length}</td>`.repeat(3) // CULPRIT
  truth(start, now())
  return html
}

ready(() => {
  void renderReport(blockMs).then(settle)
})
