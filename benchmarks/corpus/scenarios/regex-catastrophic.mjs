// A catastrophic regular expression: nested quantifiers backtrack
// exponentially on an input that almost matches.
import { blockMs, now, ready, settle, truth } from './_harness.mjs'

// 2^n backtracking steps, run once (V8's regexp interpreter): a few hundred
// ms at n = 23 on the reference machine.
const n = 23 + Math.round(Math.log2(blockMs / 300))
const input = `${'a'.repeat(n)}!`

function validateUsername(name) {
  return /^(a+)+$/.test(name) // CULPRIT
}

ready(() => {
  setTimeout(() => {
    const start = now()
    validateUsername(input)
    truth(start, now())
    settle()
  }, 10)
})
