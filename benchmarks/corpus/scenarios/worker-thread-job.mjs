// Runs in the worker started by worker-thread.mjs.
import { parentPort } from 'node:worker_threads'
import { blockMs, now } from './_harness.mjs'

function compressFrames(ms) {
  const end = performance.now() + ms
  let frames = 0
  while (performance.now() < end) frames = (frames + 7) % 1_000_003 // CULPRIT
  return frames
}

// Give this thread's contender (the preload runs in the worker too) time to start.
setTimeout(() => {
  const start = now()
  compressFrames(blockMs)
  const end = now()
  parentPort.postMessage({ truth: { startEpoch: start, endEpoch: end, durationMs: end - start } })
}, 400)
