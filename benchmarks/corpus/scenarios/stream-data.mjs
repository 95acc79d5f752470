// A stream 'data' listener scans its first chunk in a JS loop.
import { Readable } from 'node:stream'
import { blockMs, now, ready, settle, truth } from './_harness.mjs'

let seen = 0
function onChunk(chunk) {
  if (seen++ > 0) return
  const start = now()
  const end = performance.now() + blockMs
  let lines = 0
  while (performance.now() < end) lines += chunk.indexOf(10, lines % chunk.length) // CULPRIT
  truth(start, now())
}

ready(() => {
  const stream = Readable.from([Buffer.from('a\nb\nc\n'), Buffer.from('d\n')])
  stream.on('data', onChunk)
  stream.on('end', settle)
})
