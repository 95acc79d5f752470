// JSON.parse of a large document, then a loop over it in the same function.
import { blockMs, inSlices, now, ready, settle, truth } from './_harness.mjs'

const parts = []
const items = Math.round((250_000 * blockMs) / 300)

function totalQuantity(text) {
  const doc = JSON.parse(text) // CULPRIT
  let total = 0
  for (const item of doc.items) total += item.qty
  return total
}

ready(async () => {
  await inSlices(items / 1000, (i) => {
    parts.push(JSON.stringify(Array.from({ length: 1000 }, (_, j) => ({ id: i * 1000 + j, name: `item ${j}`, qty: j % 7, tags: ['a', 'b'], price: j * 1.5 }))).slice(1, -1))
  })
  const text = `{"items":[${parts.join(',')}]}`
  setTimeout(() => {
    const start = now()
    totalQuantity(text)
    truth(start, now())
    settle()
  }, 300)
})
