// An async HTTP handler with 20 awaits before it answers: where async_hooks
// based detectors pay for every promise.
import { parseArgs } from './lib/common.js'
import { runHttpBench } from './lib/http.js'

await runHttpBench('overhead-http-await', 'await20', 'HTTP handler with 20 awaits', parseArgs(process.argv.slice(2), { rounds: 7, seconds: 3 }))
