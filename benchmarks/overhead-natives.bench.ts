// 1e6 small JSON.parse calls (yielding to the loop every 1e4): time per call
// under each contender, as a ratio to no watcher in the same round.
import { parseArgs } from './lib/common.js'
import { runTimedBench } from './lib/timed.js'

await runTimedBench({
  name: 'overhead-natives',
  title: '1e6 small JSON.parse calls (wrapped natives)',
  script: 'json-calls.mjs',
  // blocked-at costs ~1000x here: 2e4 calls keep its run to a few seconds.
  // Per-call time is compared, so the ratio stands.
  argsFor: (contender) => [contender === 'blocked-at' ? '20000' : '1000000', contender === 'blocked-at' ? '3' : '15'],
  key: 'perCallNs',
  wallKey: 'wallPerCallNs',
  unit: 'ns CPU/call',
  note: 'blocked-at runs 2e4 calls instead of 1e6 (it costs ~1000x); per-call times are compared. Timed on the process CPU clock (all threads).',
}, parseArgs(process.argv.slice(2), { rounds: 7, seconds: 0 }))
