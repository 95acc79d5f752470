// JSON.parse of a large document, as a function's last act: V8 can run an
// interrupt only once the parse has returned, and by then loadCatalog has
// returned too.
import { inSlices, now, ready, settle, truth, unitsFor } from './_harness.mjs'

const parts = []
const part = (i) => JSON.stringify(Array.from({ length: 1000 }, (_, j) => ({ id: i * 1000 + j, name: `item ${j}`, qty: j % 7, tags: ['a', 'b'], price: j * 1.5 }))).slice(1, -1)

function loadCatalog(text) {
  return JSON.parse(text) // CULPRIT
}

ready(async () => {
  const sample = `{"items":[${Array.from({ length: 20 }, (_, i) => part(i)).join(',')}]}`
  const parts1000 = unitsFor(20, () => JSON.parse(sample))
  await inSlices(parts1000, (i) => {
    parts.push(part(i))
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
