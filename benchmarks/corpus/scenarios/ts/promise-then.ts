// TypeScript, compiled with a source map: a .then continuation, in an
// arrow function assigned to a const, loops over rows.
import { blockMs, now, ready, settle, truth } from '../_harness.mjs'

type Row = Readonly<{ id: number; total: number }>

const summarize = (rows: readonly Row[], ms: number): number => {
  const end = performance.now() + ms
  let sum = 0
  while (performance.now() < end) sum = rows.reduce((acc, row) => acc + row.total, sum) % 1e9 // CULPRIT
  return sum
}

ready(() => {
  void Promise.resolve<Row[]>([{ id: 1, total: 3 }]).then((rows) => {
    const start = now()
    summarize(rows, blockMs)
    truth(start, now())
    settle()
  })
})
