// CommonJS: a synchronous HTTP handler computes the response in a JS loop.
const { createServer, get } = require('node:http')
const { blockMs, now, ready, settle, truth } = require('./_harness.cjs')

function handleRequest(req, res) {
  const start = now()
  const end = performance.now() + blockMs
  let checksum = 0
  while (performance.now() < end) checksum = (checksum * 33 + req.url.length) | 0 // CULPRIT
  truth(start, now())
  res.end(String(checksum))
}

const server = createServer(handleRequest)
ready(() => {
  server.listen(0, '127.0.0.1', () => {
    get(`http://127.0.0.1:${server.address().port}/report`, (res) => {
      res.resume().on('end', () => {
        server.close()
        settle()
      })
    })
  })
})
