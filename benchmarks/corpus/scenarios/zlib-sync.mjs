// zlib.gzipSync of a large payload at the highest level.
import { gzipSync } from 'node:zlib'
import { inSlices, now, ready, settle, truth, unitsFor } from './_harness.mjs'

// JSON text, as much as level 9 takes blockMs to compress.
const parts = []
const part = (i) => JSON.stringify(Array.from({ length: 1000 }, (_, j) => ({ id: i * 1000 + j, name: `item ${j}`, qty: j % 7, price: j * 1.5 })))
let payload

function compressPayload(data) {
  const packed = gzipSync(data, { level: 9 }) // CULPRIT
  return packed.toString('base64')
}

ready(async () => {
  const sample = Buffer.from([part(0), part(1)].join('\n'))
  const count = unitsFor(2, () => gzipSync(sample, { level: 9 }))
  await inSlices(count, (i) => {
    parts.push(part(i))
  })
  payload = Buffer.from(parts.join('\n'))
  setTimeout(() => {
    const start = now()
    compressPayload(payload)
    truth(start, now())
    settle()
  }, 10)
})
