// CommonJS twin of _harness.mjs.
const blockMs = Number(process.env.CORPUS_BLOCK_MS ?? 300)
const now = () => performance.timeOrigin + performance.now()
function ready(fn) {
  setTimeout(fn, 400)
}
function truth(startEpoch, endEpoch) {
  process.stdout.write(`${JSON.stringify({ truth: { startEpoch, endEpoch, durationMs: endEpoch - startEpoch } })}\n`)
}
function settle() {
  setTimeout(() => process.exit(0), 1500)
}
function inSlices(total, work) {
  return new Promise((resolve) => {
    let i = 0
    const step = () => {
      const until = performance.now() + 10
      while (i < total && performance.now() < until) work(i++)
      if (i < total) setImmediate(step)
      else setTimeout(resolve, 300)
    }
    step()
  })
}
module.exports = { blockMs, now, ready, truth, settle, inSlices }
