// An infinite loop: the process never returns to the event loop. The runner
// kills it; a report must come out while it is stuck.
import { now, ready } from './_harness.mjs'

function spinUntilReady(flags) {
  while (!flags.ready) flags.spins++ // CULPRIT
}

ready(() => {
  setTimeout(() => {
    process.stdout.write(`${JSON.stringify({ truth: { startEpoch: now(), hang: true } })}\n`)
    spinUntilReady({ ready: false, spins: 0 })
  }, 10)
})
