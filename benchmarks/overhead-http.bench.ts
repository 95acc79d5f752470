// HTTP keep-alive "hello world" on 127.0.0.1: requests per second under each
// contender, as a ratio to no watcher in the same round.
import { parseArgs } from './lib/common.js'
import { runHttpBench } from './lib/http.js'

await runHttpBench('overhead-http', 'hello', 'HTTP keep-alive hello world', parseArgs(process.argv.slice(2), { rounds: 7, seconds: 3 }))
