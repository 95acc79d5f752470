// The watchdog thread's entry: loaded by path (src/watchdog/host.ts), never imported.
import { runWatchdog } from '../watchdog/worker.js'

runWatchdog()
