// A setInterval callback calls a class method that recomputes in a JS loop.
import { blockMs, now, ready, settle, truth } from './_harness.mjs'

class PriceEngine {
  prices = new Float64Array(1024)

  recompute(ms) {
    const end = performance.now() + ms
    for (let i = 0; performance.now() < end; i++) this.prices[i & 1023] = Math.log1p(i) // CULPRIT
  }
}

const engine = new PriceEngine()
ready(() => {
  const interval = setInterval(() => {
    clearInterval(interval)
    const start = now()
    engine.recompute(blockMs)
    truth(start, now())
    settle()
  }, 10)
})
