import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { writeFileReplacing } from '../report/write.js'
import { constants, tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { readEventsFile } from '../report/events-file.js'
import { renderHtml } from '../report/html.js'
import { buildReport, type Report } from '../report/report.js'
import { formatSummaryTable } from '../report/text.js'
import { BlockSummary } from '../report/summary.js'
import type { CliOptions } from './args.js'
import { scriptCommand } from './typescript.js'

/** Signals passed on to the app; the summary waits for the app to end. */
// Not SIGUSR1: Node keeps it for starting the inspector.
const kForwarded = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR2'] as const

/** How the CLI reaches the outside world; tests may swap the streams. */
export interface CliIo {
  stdout: (text: string) => void
  stderr: (text: string) => void
  /** Where `register.js` is, as a file URL. */
  registerUrl: string
}

/**
 * Runs the command with loopwatch preloaded through NODE_OPTIONS (so it
 * reaches `node app.js`, `npm start` and their node children alike), passes
 * signals on, and prints the summary once the app has ended. Resolves to the
 * exit code the CLI should end with: the app's, or 128 + its signal number.
 */
export async function runWatched(command: string[], options: CliOptions, io: CliIo): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'loopwatch-'))
  try {
    const eventsFile = join(dir, 'events.jsonl')
    writeFileSync(eventsFile, '')
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_OPTIONS: `${process.env['NODE_OPTIONS'] ?? ''} --import=${io.registerUrl}`.trim(),
      LOOPWATCH_EVENTS: eventsFile,
      // Each node process of the app ends itself if the CLI dies (src/entry/register.ts).
      LOOPWATCH_CLI_PID: String(process.pid),
      LOOPWATCH_CLI_DIR: dir,
    }
    // The CLI writes the reports itself, from every process of the app.
    delete env['LOOPWATCH_REPORT']
    if (options.threshold !== undefined) env['LOOPWATCH_THRESHOLD'] = String(options.threshold)
    if (options.hangTimeout !== undefined) env['LOOPWATCH_HANG_TIMEOUT'] = String(options.hangTimeout)
    if (options.debug) env['LOOPWATCH_DEBUG'] = '1'
    if (options.quiet) env['LOOPWATCH_LOG'] = '0'
    if (options.saturation !== undefined) env['LOOPWATCH_SATURATION'] = options.saturation === false ? 'off' : String(options.saturation)
    if (options.saturationWindow !== undefined) env['LOOPWATCH_SATURATION_WINDOW'] = String(options.saturationWindow)

    const [first = '', ...rest] = command
    let file = first
    let args = rest
    if (/\.[cm]?[jt]sx?$/i.test(first)) {
      const script = scriptCommand(first)
      if ('error' in script) {
        io.stderr(`${script.error}\n`)
        return 1
      }
      file = process.execPath
      args = [...script.argv, ...rest]
    }
    const startTime = Date.now()
    const startedMs = performance.now()
    const ended = await spawnForwarding(file, args, env)
    const durationMs = performance.now() - startedMs
    if ('error' in ended) {
      io.stderr(`loopwatch: could not run ${JSON.stringify(file)}: ${ended.error.message}\n`)
      return 127
    }

    const { starts, blocks, saturations } = readEventsFile(eventsFile, { rootPid: ended.pid, endTime: Date.now() })
    const summary = new BlockSummary({ timeline: true, profiles: true })
    for (const block of blocks) summary.add(block.event, block)
    const report: Report = buildReport(summary, {
      command,
      startTime,
      duration: durationMs,
      exitCode: ended.code,
      signal: ended.signal,
      threshold: starts[0]?.threshold ?? options.threshold ?? 100,
      processes: Math.max(1, new Set(starts.map((s) => s.pid)).size),
    }, process.cwd(), saturations)
    io.stderr(`${formatSummaryTable(report, options.top)}\n`)
    if (options.json !== undefined) {
      const json = `${JSON.stringify(report, null, 2)}\n`
      if (options.json === '-') io.stdout(json)
      else writeOrWarn(options.json, json, 'JSON', io)
    }
    if (options.html !== undefined) writeOrWarn(options.html, renderHtml(report), 'HTML', io)
    if (ended.signal !== null) return 128 + (constants.signals[ended.signal as NodeJS.Signals] as number | undefined ?? 0)
    return ended.code ?? 1
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function writeOrWarn(file: string, text: string, kind: string, io: CliIo): void {
  try {
    writeFileReplacing(file, text)
    io.stderr(`loopwatch: ${kind} report written to ${file}\n`)
  } catch (error) {
    io.stderr(`loopwatch: could not write the ${kind} report to ${file}: ${(error as Error).message}\n`)
  }
}

type Ended = { code: number | null; signal: string | null; pid: number | undefined } | { error: Error }

/**
 * Spawns with inherited stdio and passes the CLI's signals on: Ctrl-C stops
 * the app, and the CLI, still alive, reports once the app is gone.
 */
function spawnForwarding(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<Ended> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { stdio: 'inherit', env })
    const forward = (signal: NodeJS.Signals) => {
      // A terminal's Ctrl-C reaches the whole process group, the app included;
      // a signal sent to the CLI alone reaches the app only through this.
      child.kill(signal)
    }
    const installed = kForwarded.filter((signal) => {
      try {
        process.on(signal, forward)
        return true
      } catch {
        return false // a signal this platform does not have
      }
    })
    const done = (ended: Ended) => {
      for (const signal of installed) process.off(signal, forward)
      resolve(ended)
    }
    child.once('error', (error) => {
      done({ error })
    })
    child.once('close', (code, signal) => {
      done({ code, signal, pid: child.pid })
    })
  })
}
