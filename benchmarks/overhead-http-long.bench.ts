// The HTTP target (requests/s ratio >= 0.99) at the resolution it
// needs: one-second slices move by +-5 % on this machine, so a 1 % target
// takes more rounds than the side-by-side run gives each of its seven
// contenders. Only no watcher, loopwatch always-on and the A/A control.
import { parseArgs } from './lib/common.js'
import { runHttpBench } from './lib/http.js'

const args = parseArgs(process.argv.slice(2), { rounds: 24, seconds: 3 })
await runHttpBench('overhead-http-long', 'hello', 'HTTP keep-alive hello world (long run)', { ...args, only: ['loopwatch', 'control'] })
