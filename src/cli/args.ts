import { parseArgs } from 'node:util'
import { parseSaturationLevel } from '../core/env.js'
import { kRanges } from '../core/options.js'

/** What the command line asks for. */
export type CliRequest =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'error'; message: string }
  | { kind: 'run'; options: CliOptions; command: string[] }

export interface CliOptions {
  threshold: number | undefined
  hangTimeout: number | undefined
  debug: boolean
  json: string | undefined
  html: string | undefined
  quiet: boolean
  /** Rows of the summary table. */
  top: number
  /** `--saturation`: `false` for off, else the utilization level (0..1). */
  saturation?: number | false
  /** `--saturation-window`, ms. */
  saturationWindow?: number
}

export const kUsage = `Usage: loopwatch [options] [--] <command> [args...]
       loopwatch [options] <app.js> [args...]

Runs a Node.js app with loopwatch preloaded (no code change) and, when it
ends, prints the functions that blocked its event loop the most.

Options:
  -t, --threshold <ms>     report blocks longer than this (default 100)
      --hang-timeout <ms>  report a block still running after this long (default 1000)
      --debug              debug mode: time every callback (slower)
      --json <file>        write the report as JSON ("-" for stdout)
      --html <file>        write a self-contained HTML report
      --top <n>            rows in the summary table (default 10)
      --saturation <level> report a saturated loop from this utilization,
                           such as 0.9 or 90% (default 0.9); off to turn off
      --saturation-window <ms>
                           how long it must last (default 5000)
  -q, --quiet              no report per block while the app runs, only the summary
  -h, --help               show this help
  -v, --version            show the version

Examples:
  npx loopwatch server.js --port 8080
  npx loopwatch src/server.ts          (Node's type stripping, else tsx if installed)
  npx loopwatch --html report.html -- node --enable-source-maps dist/app.js
  npx loopwatch --threshold 50 -- npm test

The exit code is the app's (128 + the signal number if a signal ended it).`

const kOptions = {
  threshold: { type: 'string', short: 't' },
  'hang-timeout': { type: 'string' },
  debug: { type: 'boolean' },
  json: { type: 'string' },
  html: { type: 'string' },
  top: { type: 'string' },
  saturation: { type: 'string' },
  'saturation-window': { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const

/** The option names and short letters that take a value. */
const kTakesValue = new Set(Object.entries(kOptions).filter(([, o]) => o.type === 'string')
  .flatMap(([name, o]) => ['short' in o ? `-${o.short}` : '', `--${name}`]).filter(Boolean))

/**
 * Splits argv into loopwatch's options and the command: the command starts
 * after `--` or at the first argument that is not an option, so the app's own
 * flags (`app.js --port 3`) are left to it.
 */
export function splitArgs(argv: readonly string[]): { own: string[]; command: string[] } {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? ''
    if (arg === '--') return { own: argv.slice(0, i), command: argv.slice(i + 1) }
    if (!arg.startsWith('-') || arg === '-') return { own: argv.slice(0, i), command: argv.slice(i) }
    if (kTakesValue.has(arg)) i++
  }
  return { own: [...argv], command: [] }
}

/** Parses the CLI's arguments with `util.parseArgs` (strict: unknown options are errors). */
export function parseCliArgs(argv: readonly string[]): CliRequest {
  const { own, command } = splitArgs(argv)
  let values: ReturnType<typeof parse>['values']
  try {
    values = parse(own).values
  } catch (error) {
    return { kind: 'error', message: (error as Error).message }
  }
  if (values.help) return { kind: 'help' }
  if (values.version) return { kind: 'version' }
  try {
    const threshold = values.threshold === undefined ? undefined : parseMs('--threshold', values.threshold, 'threshold')
    const hangTimeout = values['hang-timeout'] === undefined ? undefined : parseMs('--hang-timeout', values['hang-timeout'], 'hangTimeout')
    if (hangTimeout !== undefined && hangTimeout < (threshold ?? 100)) {
      throw new Error(`--hang-timeout (${hangTimeout} ms) must be at least the threshold (${threshold ?? 100} ms)`)
    }
    const top = values.top === undefined ? 10 : Number(values.top)
    if (!Number.isInteger(top) || top < 1) throw new Error(`--top should be a whole number of rows, at least 1; got ${JSON.stringify(values.top)}`)
    for (const name of ['json', 'html'] as const) {
      if (values[name] === '') throw new Error(`--${name} needs a file name`)
    }
    const saturation = values.saturation === undefined ? undefined : parseSaturationLevel(values.saturation)
    if (values.saturation !== undefined && saturation === undefined) {
      throw new Error(`--saturation should be off, or a utilization level such as 0.9 or 90%; got ${JSON.stringify(values.saturation)}`)
    }
    const saturationWindow = values['saturation-window'] === undefined ? undefined
      : parseMs('--saturation-window', values['saturation-window'], 'saturation.window')
    if (command.length === 0) throw new Error('missing the command to run, such as `loopwatch app.js` or `loopwatch -- node app.js`')
    if ((command[0] ?? '').trim() === '') throw new Error(`the command to run is empty (${JSON.stringify(command[0])}); give a program, such as \`loopwatch -- node app.js\``)
    return {
      kind: 'run',
      command,
      options: {
        threshold, hangTimeout, top, debug: values.debug ?? false, json: values.json, html: values.html,
        quiet: values.quiet ?? false,
        ...(saturation === undefined ? {} : { saturation }),
        ...(saturationWindow === undefined ? {} : { saturationWindow }),
      },
    }
  } catch (error) {
    return { kind: 'error', message: (error as Error).message }
  }
}

function parse(args: string[]) {
  return parseArgs({ args, options: kOptions, strict: true, allowPositionals: false })
}

function parseMs(name: string, raw: string, range: keyof typeof kRanges): number {
  const value = Number(raw.trim().replace(/ms$/, ''))
  if (raw.trim() === '' || !Number.isFinite(value) || value <= 0) {
    throw new Error(`${name} should be a positive number of milliseconds, such as 100; got ${JSON.stringify(raw)}`)
  }
  const { min, max, text } = kRanges[range]
  if (value < min || value > max) throw new Error(`${name} should be a number of milliseconds ${text}; got ${JSON.stringify(raw)}`)
  return value
}
