// zlib.gzipSync of a large payload at the highest level.
import { gzipSync } from 'node:zlib'
import { blockMs, inSlices, now, ready, settle, truth } from './_harness.mjs'

// ~4 MB of JSON text: level 9 takes a few hundred ms on it.
const parts = []
let payload

function compressPayload(data) {
  const packed = gzipSync(data, { level: 9 }) // CULPRIT
  return packed.toString('base64')
}

ready(async () => {
  await inSlices(Math.round((40 * blockMs) / 300), (i) => {
    parts.push(JSON.stringify(Array.from({ length: 1000 }, (_, j) => ({ id: i * 1000 + j, name: `item ${j}`, qty: j % 7, price: j * 1.5 }))))
  })
  payload = Buffer.from(parts.join('\n'))
  setTimeout(() => {
    const start = now()
    compressPayload(payload)
    truth(start, now())
    settle()
  }, 10)
})
