// Shared by the corpus scenarios. Nothing here runs during a block: each
// scenario blocks in its own function, on the line marked CULPRIT.
export const blockMs = Number(process.env.CORPUS_BLOCK_MS ?? 300)

/** Epoch milliseconds, sub-millisecond resolution. */
export const now = () => performance.timeOrigin + performance.now()

/** Waits for the contender's watchdog to start, then runs `fn`. */
export function ready(fn) {
  setTimeout(fn, 400)
}

/** Records the block as the scenario measured it, then exits once reports are in. */
export function truth(startEpoch, endEpoch) {
  process.stdout.write(`${JSON.stringify({ truth: { startEpoch, endEpoch, durationMs: endEpoch - startEpoch } })}\n`)
}

export function settle() {
  setTimeout(() => process.exit(0), 1500)
}

/** Runs `work` in slices of about `sliceMs`, one per macrotask, so that setup never blocks. */
export function inSlices(total, work) {
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
export function unitsFor(units, sample) {
  const runs = []
  for (let i = 0; i < 5; i++) {
    const t = performance.now()
    sample()
    runs.push(performance.now() - t)
  }
  const medianMs = runs.sort((a, b) => a - b)[2]
  return Math.max(units, Math.round((units * blockMs) / Math.max(medianMs, 0.01)))
}
