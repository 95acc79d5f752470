// An async HTTP handler awaits a lookup, then aggregates in a JS loop.
import { createServer, get } from 'node:http'
import { blockMs, now, ready, settle, truth } from './_harness.mjs'

const lookupUser = (id) => new Promise((resolve) => setImmediate(() => resolve({ id, plan: 'pro' })))

async function loadDashboard(req, res) {
  const user = await lookupUser(42)
  const start = now()
  const end = performance.now() + blockMs
  let widgets = 0
  while (performance.now() < end) widgets += user.plan.length // CULPRIT
  truth(start, now())
  res.end(String(widgets))
}

const server = createServer((req, res) => void loadDashboard(req, res))
ready(() => {
  server.listen(0, '127.0.0.1', () => {
    get(`http://127.0.0.1:${server.address().port}/dashboard`, (res) => {
      res.resume().on('end', () => {
        server.close()
        settle()
      })
    })
  })
})
