// A CPU-bound batch job in ~2-3 ms synchronous chunks (setImmediate between
// them): time per job under each contender, as a ratio to no watcher.
import { parseArgs } from './lib/common.js'
import { runTimedBench } from './lib/timed.js'

await runTimedBench({
  name: 'overhead-cpu',
  title: 'CPU-bound sync workload (200 chunks)',
  script: 'cpu-sync.mjs',
  argsFor: () => ['200', '7'],
  key: 'ms',
  wallKey: 'wallMs',
  unit: 'ms CPU/job',
}, parseArgs(process.argv.slice(2), { rounds: 7, seconds: 0 }))
