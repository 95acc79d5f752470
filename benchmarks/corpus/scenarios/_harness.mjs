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
