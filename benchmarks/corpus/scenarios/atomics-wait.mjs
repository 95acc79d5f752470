// Atomics.wait on a lock nobody releases, until its timeout.
import { blockMs, now, ready, settle, truth } from './_harness.mjs'

const lock = new Int32Array(new SharedArrayBuffer(4))

function waitForLock(ms) {
  Atomics.wait(lock, 0, 0, ms) // CULPRIT
  return Atomics.load(lock, 0)
}

ready(() => {
  setTimeout(() => {
    const start = now()
    waitForLock(blockMs)
    truth(start, now())
    settle()
  }, 10)
})
