// TypeScript, compiled with a source map: an async HTTP handler awaits, then
// a class method renders in a JS loop.
import { createServer, get, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { blockMs, now, ready, settle, truth } from '../_harness.mjs'

interface Row {
  id: number
  label: string
}

class ReportService {
  readonly #rows: Row[] = [{ id: 1, label: 'one' }]

  async fetchRows(): Promise<Row[]> {
    return new Promise((resolve) => setImmediate(() => { resolve(this.#rows) }))
  }

  render(rows: readonly Row[], ms: number): string {
    const end = performance.now() + ms
    let html = ''
    while (performance.now() < end) html = rows.map((row) => `<tr>${row.label}</tr>`).join('') // CULPRIT
    return html
  }
}

const service = new ReportService()

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const rows = await service.fetchRows()
  const start = now()
  const html = service.render(rows, blockMs)
  truth(start, now())
  res.end(html)
}

const server = createServer((req, res) => void handle(req, res))
ready(() => {
  server.listen(0, '127.0.0.1', () => {
    get(`http://127.0.0.1:${(server.address() as AddressInfo).port}/report`, (res) => {
      res.resume().on('end', () => {
        server.close()
        settle()
      })
    })
  })
})
