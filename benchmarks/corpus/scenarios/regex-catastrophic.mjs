// A catastrophic regular expression: nested quantifiers backtrack
// exponentially on an input that almost matches.
import { blockMs, now, ready, settle, truth } from './_harness.mjs'

const attempt = (n) => `${'a'.repeat(n)}!`

let input = ''

function validateUsername(name) {
  return /^(a+)+$/.test(name) // CULPRIT
}

ready(() => {
  // 2^n backtracking steps: time n = 16 (after a first run, which V8 runs in
  // its regexp interpreter and then compiles), then double up to blockMs.
  validateUsername(attempt(8))
  const t = performance.now()
  validateUsername(attempt(16))
  const sampleMs = Math.max(performance.now() - t, 0.01)
  input = attempt(16 + Math.max(0, Math.round(Math.log2(blockMs / sampleMs))))
  setTimeout(() => {
    const start = now()
    validateUsername(input)
    truth(start, now())
    settle()
  }, 10)
})
