// `node --import loopwatch/register app.js` (or `--require`, or NODE_OPTIONS):
// watches the app's main thread with options from LOOPWATCH_* variables.
// Never throws and never stops the app: a bad variable is a warning and its
// default is used.
import { rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname } from 'node:path'
import { isMainThread } from 'node:worker_threads'
import { performance } from 'node:perf_hooks'
import { createDebug } from '../core/debug-log.js'
import { isStartupBlock } from '../report/culprit.js'
import { readEnv } from '../core/env.js'
import { EventsWriter, openEventsFile } from '../report/events-file.js'
import { codes, warnAtExit } from '../core/errors.js'
import { validateOptions } from '../core/options.js'
import { buildReport } from '../report/report.js'
import { writeReport } from '../report/write.js'
import { BlockSummary } from '../report/summary.js'
import { LoopWatcher } from '../core/watch-loop.js'
import { loopClock } from '../core/clock.js'
import type { SaturationEvent } from '../saturation/saturation.js'

const debug = createDebug('loopwatch:register')
// Preloaded twice (--import and NODE_OPTIONS, or the ESM and the CJS build):
// the process-wide mark keeps it to one watcher.
const kRegistered = Symbol.for('loopwatch.register')
const global = process as unknown as Record<symbol, boolean | undefined>

// Worker threads inherit --import/--require and NODE_OPTIONS: the app's
// workers load this file too. They are left alone; to watch a worker's loop,
// call watchLoop() inside it.
if (isMainThread && global[kRegistered] !== true) {
  global[kRegistered] = true
  register()
}

function register(): void {
  dieWithTheCli(process.env['LOOPWATCH_CLI_PID'], process.env['LOOPWATCH_CLI_DIR'])
  const settings = readEnv(process.env)
  for (const warning of settings.warnings) {
    process.emitWarning(`loopwatch: ${warning}`, { code: codes.invalidEnv })
  }
  let watcher: LoopWatcher
  try {
    const internals = settings.eventsFile === undefined ? {} : { eventsFile: settings.eventsFile }
    watcher = new LoopWatcher(validateOptions(settings.options), loopClock, internals)
  } catch (error) {
    process.emitWarning(`loopwatch: not watching: ${String(error)}`, { code: codes.invalidEnv })
    return
  }
  debug('watching with %o', settings.options)

  if (settings.eventsFile !== undefined) {
    const fd = openEventsFile(settings.eventsFile)
    if (fd === undefined) {
      process.emitWarning(`loopwatch: cannot append to LOOPWATCH_EVENTS file ${settings.eventsFile}`, { code: codes.invalidEnv })
    } else {
      const writer = new EventsWriter(fd)
      writer.start(watcher.options.threshold)
      watcher.on('block', (event) => {
        writer.block(event, isStartupBlock(event))
      })
      watcher.on('saturation', (event) => {
        writer.saturation(event)
      })
      process.once('exit', () => {
        writer.close()
      })
    }
  }

  const report = settings.report
  if (report !== undefined) {
    // Under NODE_OPTIONS every node process writes at its own exit: `%p` names one file per process.
    const file = report.file.replace(/%p/g, String(process.pid))
    const summary = new BlockSummary({ timeline: true, profiles: true })
    const saturations: { event: SaturationEvent; pid: number }[] = []
    watcher.on('block', (event) => {
      summary.add(event, { startup: isStartupBlock(event), pid: process.pid })
    })
    watcher.on('saturation', (event) => {
      saturations.push({ event, pid: process.pid })
    })
    process.once('exit', (code) => {
      try {
        writeReport(file, buildReport(summary, {
          command: [process.argv0, ...process.execArgv, ...process.argv.slice(1)],
          startTime: performance.timeOrigin,
          duration: performance.now(),
          exitCode: code,
          signal: null,
          threshold: watcher.options.threshold,
          processes: 1,
        }, process.cwd(), saturations), report.format)
      } catch (error) {
        // In an 'exit' listener: emitWarning() would never print.
        warnAtExit(`loopwatch: could not write LOOPWATCH_REPORT ${file}: ${String(error)}`, codes.invalidEnv)
      }
    })
  }

  // A block just before the loop drains is measured by no later heartbeat:
  // measure it once, when the app is about to end on its own. The ref'd timer
  // waits for the watchdog's samples (at most 2 s, as a heartbeat would).
  let flushed = false
  process.on('beforeExit', () => {
    if (flushed) return
    flushed = true
    const keepAlive = setTimeout(() => undefined, 2500)
    void watcher.flush().finally(() => {
      clearTimeout(keepAlive)
    })
  })
}

/**
 * Under the CLI: when the CLI is gone (SIGKILLed: it had no chance to stop
 * the app), remove its temporary folder and end this process, as Linux's
 * parent-death signal would; every node process of the app checks, however
 * deep. A check a second (a signal 0, unref'd: it never keeps the app alive).
 */
function dieWithTheCli(pidText: string | undefined, dir: string | undefined): void {
  const pid = Number(pidText)
  if (!Number.isInteger(pid) || pid <= 0) return
  const timer = setInterval(() => {
    try {
      process.kill(pid, 0)
      return
    } catch (error) {
      // EPERM: alive, someone else's (never here, the CLI is the app's parent).
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') return
    }
    clearInterval(timer)
    debug('the CLI (pid %d) is gone: ending', pid)
    if (dir !== undefined && basename(dir).startsWith('loopwatch-') && dirname(dir) === tmpdir()) {
      rmSync(dir, { recursive: true, force: true })
    }
    // The app's own SIGTERM handling runs; one that stays up is killed.
    setTimeout(() => {
      process.kill(process.pid, 'SIGKILL')
    }, 2000).unref()
    process.kill(process.pid, 'SIGTERM')
  }, 1000)
  timer.unref()
}
