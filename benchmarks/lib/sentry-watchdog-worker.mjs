// The watchdog half of the "Sentry-style" contender, modelled on how Sentry's
// eventLoopBlockIntegration drives @sentry-internal/node-native-stacktrace:
// a worker polls getThreadsLastSeen() every threshold / 2 ms and, once per
// stall, takes one native stack capture of the stalled thread. Sentry sends it
// as "blocked for at least <threshold> ms"; here it is written as a JSON line
// (and, with `print`, as text on stderr), from this thread, while the
// monitored thread is still stuck.
import { appendFileSync, writeSync } from 'node:fs'
import { workerData } from 'node:worker_threads'
import { captureStackTrace, getThreadsLastSeen } from '@sentry-internal/node-native-stacktrace'

const { threshold, reportFile, print } = workerData
const triggered = new Set()

setInterval(() => {
  for (const [thread, sinceMs] of Object.entries(getThreadsLastSeen())) {
    if (sinceMs <= threshold) {
      triggered.delete(thread)
      continue
    }
    if (triggered.has(thread)) continue
    triggered.add(thread)
    const threads = captureStackTrace()
    const capturedAt = performance.timeOrigin + performance.now()
    const frames = (threads[thread]?.frames ?? []).map((f) => ({ fn: f.function, file: f.filename, line: f.lineno, col: f.colno }))
    const record = { contender: 'sentry-native', thread, capturedAt, capturedAtNs: String(process.hrtime.bigint()), sinceMs, duration: null, hang: true, frames }
    if (reportFile) appendFileSync(reportFile, `${JSON.stringify(record)}\n`)
    if (print) writeSync(2, `sentry-style: thread ${thread} blocked for at least ${threshold} ms\n${frames.map((f) => `    at ${f.fn} (${f.file}:${f.line}:${f.col})`).join('\n')}\n`)
  }
}, threshold / 2)
