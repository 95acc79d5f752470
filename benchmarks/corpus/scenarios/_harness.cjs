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
/**
 * How many units of work make a block of about `blockMs`: times `sample`
 * (which does `units` units, well under the threshold) a few times and
 * scales by the median run. Native calls run 2-4x faster or slower from one
 * run to the next on a loaded machine: a fixed size made blocks of 70 ms to 4 s.
 */
function unitsFor(units, sample) {
  const runs = []
  for (let i = 0; i < 5; i++) {
    const t = performance.now()
    sample()
    runs.push(performance.now() - t)
  }
  const medianMs = runs.sort((a, b) => a - b)[2]
  return Math.max(units, Math.round((units * blockMs) / Math.max(medianMs, 0.01)))
}
module.exports = { blockMs, now, ready, truth, settle, inSlices, unitsFor }
