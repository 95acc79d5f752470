// A worker thread blocks its own event loop; the main thread stays free.
import { Worker } from 'node:worker_threads'
import { ready, settle } from './_harness.mjs'

ready(() => {
  const worker = new Worker(new URL('./worker-thread-job.mjs', import.meta.url))
  worker.on('message', (message) => {
    process.stdout.write(`${JSON.stringify(message)}\n`)
    // Let the worker's own watcher report, then leave.
    setTimeout(() => void worker.terminate(), 1200)
    settle()
  })
})
