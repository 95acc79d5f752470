// zlib.gzipSync of a large payload at the highest level.
import { gzipSync } from 'node:zlib'
import { blockMs, now, ready, settle, truth } from './_harness.mjs'

const payload = Buffer.alloc(Math.round((8e6 * blockMs) / 300))
for (let i = 0; i < payload.length; i++) payload[i] = (i * 7919) % 251

function compressPayload(data) {
  const packed = gzipSync(data, { level: 9 }) // CULPRIT
  return packed.toString('base64')
}

ready(() => {
  setTimeout(() => {
    const start = now()
    compressPayload(payload)
    truth(start, now())
    settle()
  }, 10)
})
