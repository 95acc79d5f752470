// JSON.parse of a large document, then a loop over it in the same function.
import { inSlices, now, ready, settle, truth, unitsFor } from './_harness.mjs'

const parts = []
const part = (i) => JSON.stringify(Array.from({ length: 1000 }, (_, j) => ({ id: i * 1000 + j, name: `item ${j}`, qty: j % 7, tags: ['a', 'b'], price: j * 1.5 }))).slice(1, -1)

function totalQuantity(text) {
  const doc = JSON.parse(text) // CULPRIT
  let total = 0
  for (const item of doc.items) total += item.qty
  return total
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
    totalQuantity(text)
    truth(start, now())
    settle()
  }, 300)
})
