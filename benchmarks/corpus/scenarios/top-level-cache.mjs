// Imported by top-level.mjs: blocks while the module is evaluated.
import { blockMs, now, truth } from './_harness.mjs'

function warmCache(ms) {
  const cache = {}
  const end = performance.now() + ms
  for (let i = 0; performance.now() < end; i++) cache[`k${i % 997}`] = i // CULPRIT
  return cache
}

const start = now()
export const cache = warmCache(blockMs)
truth(start, now())
