// JSON.parse of a large document, as a function's last act: V8 can run an
// interrupt only once the parse has returned, and by then loadCatalog has
// returned too.
import { blockMs, inSlices, now, ready, settle, truth } from './_harness.mjs'

const parts = []
// ~18 MB: a few hundred ms of parse time on the reference machine.
const items = Math.round((250_000 * blockMs) / 300)

function loadCatalog(text) {
  return JSON.parse(text) // CULPRIT
}

ready(async () => {
  await inSlices(items / 1000, (i) => {
    parts.push(JSON.stringify(Array.from({ length: 1000 }, (_, j) => ({ id: i * 1000 + j, name: `item ${j}`, qty: j % 7, tags: ['a', 'b'], price: j * 1.5 }))).slice(1, -1))
  })
  const text = `{"items":[${parts.join(',')}]}`
  setTimeout(() => {
    const start = now()
    const catalog = loadCatalog(text)
    truth(start, now())
    settle()
    return catalog
  }, 300)
})
