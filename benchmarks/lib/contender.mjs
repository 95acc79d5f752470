// Preload (`node --import ./benchmarks/lib/contender.mjs app.mjs`) that
// installs one block detector, chosen by BENCH_CONTENDER, the way a user
// would: before the app, in every thread that loads it (workers inherit
// --import). Reports go to BENCH_REPORT as JSON lines, one per report:
//   { contender, thread, capturedAt, duration, hang, frames: [{ fn, file, line, col }] }
// `duration` is null when the contender does not measure one.
import { appendFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { isMainThread, threadId, Worker } from 'node:worker_threads'

const require = createRequire(import.meta.url)
const name = process.env.BENCH_CONTENDER ?? 'none'
const threshold = Number(process.env.BENCH_THRESHOLD ?? 100)
const reportFile = process.env.BENCH_REPORT || undefined
// Text reports on stderr (each contender's own format); off for overhead runs.
const print = process.env.BENCH_PRINT === '1'

function report(record) {
  if (reportFile) appendFileSync(reportFile, `${JSON.stringify({ contender: name, thread: String(threadId), ...record })}\n`)
}

const kContenders = {
  none() {},

  // Controls (benchmarks/lib/common.ts): a second baseline, and a thread
  // that wakes as often as loopwatch's idle watchdog (every 75 ms).
  control() {},

  'idle-thread'() {
    if (!isMainThread) return
    const source = `
      const cell = new Int32Array(new SharedArrayBuffer(4))
      for (;;) Atomics.wait(cell, 0, 0, 75)
    `
    new Worker(source, { eval: true, execArgv: [], env: { ...process.env, NODE_OPTIONS: '' } }).unref()
  },

  async loopwatch() {
    await startLoopwatch({})
  },

  // A second always-on: the A/A control between two identical watchers.
  async 'loopwatch-copy'() {
    await startLoopwatch({})
  },

  // Always-on without CPU accounting: no schedstat read on either thread.
  async 'loopwatch-no-cpu'() {
    await startLoopwatch({ cpu: false })
  },

  async 'loopwatch-debug'() {
    await startLoopwatch({ debug: true })
  },

  // Debug mode after a first block: on Node 20 a block switches the async
  // hook on (Node 20 cannot leave promises out of a hook); on Node >= 22
  // the hook runs from the start and this is the same as loopwatch-debug.
  async 'loopwatch-debug-armed'() {
    const watcher = await startLoopwatch({ debug: true })
    await watcher.ready()
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, threshold * 3)
    await watcher.flush()
  },

  async 'loopwatch-debug-stacks'() {
    await startLoopwatch({ debug: true, scheduleStacks: true })
  },

  // blocked-at with its defaults (threshold 20 ms): it times every callback
  // with async_hooks and reports the stack where the callback was scheduled.
  'blocked-at'() {
    const blocked = require('blocked-at')
    blocked((ms, stack, info) => {
      report({ capturedAt: Date.now(), duration: ms, hang: false, type: info.type, frames: stack.map(parseV8Frame).filter(Boolean) })
      if (print) process.stderr.write(`blocked-at: blocked for ${Math.round(ms)} ms (${info.type})\n${stack.join('\n')}\n`)
    })
  },

  // The watchdog Sentry's eventLoopBlockIntegration builds on
  // @sentry-internal/node-native-stacktrace: every thread registers and polls
  // every threshold / 2 ms; a worker started from the main thread watches.
  'sentry-native'() {
    const native = require('@sentry-internal/node-native-stacktrace')
    native.registerThread()
    // Sentry passes its session and debug-image map as poll state each time.
    const pollState = { session: undefined, debugImages: {} }
    setInterval(() => native.threadPoll(true, pollState), threshold / 2).unref()
    if (!isMainThread) return
    const worker = new Worker(new URL('./sentry-watchdog-worker.mjs', import.meta.url), {
      workerData: { threshold, reportFile, print },
      execArgv: [],
      env: { ...process.env, NODE_OPTIONS: '' },
    })
    worker.unref()
  },
}

async function startLoopwatch(extra) {
  const { watchLoop } = await import('loopwatch')
  const watcher = watchLoop({ threshold, log: print, ...extra })
  globalThis.__benchWatcher = watcher
  watcher.on('block', (event) => {
    report({
      capturedAt: Date.now(),
      duration: event.duration,
      hang: event.hang,
      samples: event.samples,
      startTime: event.startTime,
      frames: event.stack.map((f) => ({ fn: f.functionName, file: f.file, line: f.line, col: f.column })),
      ...(event.cause === undefined ? {} : { cause: event.cause }),
      ...(event.callback === undefined ? {} : { callback: { type: event.callback.type, duration: event.callback.duration } }),
    })
  })
  return watcher
}

/** `    at fn (file:1:2)` -> { fn, file, line, col }. */
export function parseV8Frame(text) {
  const m = /^\s*at (?:(.*?) \()?(.*?):(\d+):(\d+)\)?$/.exec(text)
  if (!m) return undefined
  return { fn: m[1] ?? '<anonymous>', file: m[2].replace(/^file:\/\//, ''), line: Number(m[3]), col: Number(m[4]) }
}

const install = kContenders[name]
if (install === undefined) throw new Error(`BENCH_CONTENDER: unknown contender ${name}`)
await install()
