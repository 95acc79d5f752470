// The diagnosis corpus: each scenario blocks once, in a known function, on
// the line of its file marked `// CULPRIT`. Written before any contender was
// run on it; a scenario a contender fails stays here, and in RESULTS.md.
export interface Scenario {
  id: string
  /** The script to run, relative to scenarios/ (TypeScript: the .ts source). */
  file: string
  /** The function that blocks. */
  fn: string
  /** The file holding the CULPRIT line, when not `file`. */
  culpritFile?: string
  kind: string
  cause: string
  format: 'ESM' | 'CJS' | 'TS'
  nodeArgs?: string[]
  /** Never returns: scored on a report while still stuck. */
  hang?: boolean
}

export const scenarios: Scenario[] = [
  { id: 'timer', file: 'timer.mjs', fn: 'crunchNumbers', kind: 'setTimeout', cause: 'JS loop', format: 'ESM' },
  { id: 'immediate', file: 'immediate.mjs', fn: 'buildIndex', kind: 'setImmediate', cause: 'JS loop', format: 'ESM' },
  { id: 'next-tick', file: 'next-tick.mjs', fn: 'flushQueue', kind: 'process.nextTick', cause: 'JS loop', format: 'ESM' },
  { id: 'promise-then', file: 'promise-then.mjs', fn: 'transformRows', kind: '.then', cause: 'JS loop', format: 'ESM' },
  { id: 'microtask', file: 'microtask.mjs', fn: 'reconcileState', kind: 'queueMicrotask', cause: 'JS loop', format: 'ESM' },
  { id: 'async-after-await', file: 'async-after-await.mjs', fn: 'renderReport', kind: 'async fn after await', cause: 'JS loop', format: 'ESM' },
  { id: 'fs-callback', file: 'fs-callback.mjs', fn: 'parseConfig', kind: 'fs.readFile callback', cause: 'JS loop', format: 'ESM' },
  { id: 'http-sync', file: 'http-sync.mjs', fn: 'handleRequest', kind: 'HTTP handler (sync)', cause: 'JS loop', format: 'ESM' },
  { id: 'http-async', file: 'http-async.mjs', fn: 'loadDashboard', kind: 'HTTP handler (async, after await)', cause: 'JS loop', format: 'ESM' },
  { id: 'stream-data', file: 'stream-data.mjs', fn: 'onChunk', kind: "stream 'data'", cause: 'JS loop', format: 'ESM' },
  { id: 'event-emitter', file: 'event-emitter.mjs', fn: 'onOrderPlaced', kind: 'EventEmitter listener', cause: 'JS loop', format: 'ESM' },
  { id: 'class-method', file: 'class-method.mjs', fn: 'recompute', kind: 'setInterval, class method', cause: 'JS loop', format: 'ESM' },
  { id: 'top-level', file: 'top-level.mjs', culpritFile: 'top-level-cache.mjs', fn: 'warmCache', kind: 'top-level module code', cause: 'JS loop', format: 'ESM' },
  { id: 'worker-thread', file: 'worker-thread.mjs', culpritFile: 'worker-thread-job.mjs', fn: 'compressFrames', kind: "worker thread's own loop", cause: 'JS loop', format: 'ESM' },
  { id: 'deep-library', file: 'deep-library.mjs', fn: 'renderTree', kind: 'setTimeout, 120 frames deep in a package', cause: 'JS loop', format: 'ESM' },
  { id: 'json-parse-tail', file: 'json-parse-tail.mjs', fn: 'loadCatalog', kind: 'setTimeout', cause: 'JSON.parse (last act)', format: 'ESM' },
  { id: 'json-parse-then-loop', file: 'json-parse-then-loop.mjs', fn: 'totalQuantity', kind: 'setTimeout', cause: 'JSON.parse, then a loop', format: 'ESM' },
  { id: 'json-stringify-http', file: 'json-stringify-http.mjs', fn: 'sendReport', kind: 'HTTP handler (sync)', cause: 'JSON.stringify', format: 'ESM' },
  { id: 'regex', file: 'regex-catastrophic.mjs', fn: 'validateUsername', kind: 'setTimeout', cause: 'catastrophic regex', format: 'ESM' },
  { id: 'zlib-sync', file: 'zlib-sync.mjs', fn: 'compressPayload', kind: 'setTimeout', cause: 'zlib.gzipSync', format: 'ESM' },
  { id: 'crypto-sync', file: 'crypto-sync.mjs', fn: 'hashPassword', kind: 'setTimeout', cause: 'crypto.pbkdf2Sync (last act)', format: 'ESM' },
  { id: 'fs-sync', file: 'fs-sync.mjs', fn: 'loadTemplates', kind: 'setTimeout', cause: 'fs.readFileSync in a loop', format: 'ESM' },
  { id: 'child-process-sync', file: 'child-process-sync.mjs', fn: 'runMigration', kind: 'setTimeout', cause: 'child_process.execSync', format: 'ESM' },
  { id: 'atomics-wait', file: 'atomics-wait.mjs', fn: 'waitForLock', kind: 'setTimeout', cause: 'Atomics.wait', format: 'ESM' },
  { id: 'gc-forced', file: 'gc-forced.mjs', fn: 'compactHeap', kind: 'setTimeout', cause: 'full GC (gc())', format: 'ESM', nodeArgs: ['--expose-gc'] },
  { id: 'gc-allocation', file: 'gc-allocation.mjs', fn: 'buildSnapshot', kind: 'setTimeout', cause: 'allocation + GC', format: 'ESM' },
  { id: 'hang', file: 'hang.mjs', fn: 'spinUntilReady', kind: 'setTimeout', cause: 'infinite loop (hang)', format: 'ESM', hang: true },
  { id: 'timer-cjs', file: 'timer.cjs', fn: 'crunchNumbers', kind: 'setTimeout', cause: 'JS loop', format: 'CJS' },
  { id: 'http-sync-cjs', file: 'http-sync.cjs', fn: 'handleRequest', kind: 'HTTP handler (sync)', cause: 'JS loop', format: 'CJS' },
  { id: 'json-parse-cjs', file: 'json-parse.cjs', fn: 'loadConfig', kind: 'setTimeout', cause: 'readFileSync + JSON.parse (last act)', format: 'CJS' },
  { id: 'timer-ts', file: 'ts/timer.ts', fn: 'crunchNumbers', kind: 'setTimeout', cause: 'JS loop', format: 'TS' },
  { id: 'http-async-class-ts', file: 'ts/http-async-class.ts', fn: 'render', kind: 'HTTP handler (async), class method', cause: 'JS loop', format: 'TS' },
  { id: 'promise-then-ts', file: 'ts/promise-then.ts', fn: 'summarize', kind: '.then, arrow function', cause: 'JS loop', format: 'TS' },
]
