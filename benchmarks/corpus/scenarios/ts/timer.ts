// TypeScript, compiled with a source map: a setTimeout callback spends its
// time in a JS loop. The report must point at this file's lines.
import { blockMs, now, ready, settle, truth } from '../_harness.mjs'

interface Sample {
  value: number
  weight: number
}

type Reducer = (acc: number, sample: Sample) => number

const weigh: Reducer = (acc, sample) => acc + sample.value * sample.weight

function crunchNumbers(ms: number): number {
  const end: number = performance.now() + ms
  let x: number = 0
  while (performance.now() < end) x = weigh(x, { value: 1, weight: 0.5 }) % 1e6 // CULPRIT
  return x
}

ready(() => {
  setTimeout(function onTick(): void {
    const start = now()
    crunchNumbers(blockMs)
    truth(start, now())
    settle()
  }, 10)
})
