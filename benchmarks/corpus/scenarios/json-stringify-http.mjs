// An HTTP handler serializes a large report with JSON.stringify.
import { createServer, get } from 'node:http'
import { blockMs, inSlices, now, ready, settle, truth } from './_harness.mjs'

const report = { rows: [] }
const rows = Math.round((200_000 * blockMs) / 300)

function sendReport(req, res) {
  const start = now()
  res.end(JSON.stringify(report)) // CULPRIT
  truth(start, now())
}

const server = createServer(sendReport)
ready(async () => {
  await inSlices(rows, (i) => report.rows.push({ id: i, label: `row ${i}`, values: [i, i * 2, i * 3] }))
  server.listen(0, '127.0.0.1', () => {
    get(`http://127.0.0.1:${server.address().port}/report.json`, (res) => {
      res.resume().on('end', () => {
        server.close()
        settle()
      })
    })
  })
})
