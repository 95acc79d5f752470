// An HTTP handler serializes a large report with JSON.stringify.
import { createServer, get } from 'node:http'
import { inSlices, now, ready, settle, truth, unitsFor } from './_harness.mjs'

const report = { rows: [] }
const row = (i) => ({ id: i, label: `row ${i}`, values: [i, i * 2, i * 3] })

function sendReport(req, res) {
  const start = now()
  res.end(JSON.stringify(report)) // CULPRIT
  truth(start, now())
}

const server = createServer(sendReport)
ready(async () => {
  const sample = { rows: Array.from({ length: 20_000 }, (_, i) => row(i)) }
  const rows = unitsFor(20_000, () => JSON.stringify(sample))
  await inSlices(rows, (i) => report.rows.push(row(i)))
  server.listen(0, '127.0.0.1', () => {
    get(`http://127.0.0.1:${server.address().port}/report.json`, (res) => {
      res.resume().on('end', () => {
        server.close()
        settle()
      })
    })
  })
})
