import { extname } from 'node:path'
import { kDefaultHangTimeout, kDefaultSaturationUtilization, kDefaultSaturationWindow, kDefaultThreshold, kRanges, type SaturationOptions, type WatchLoopOptions } from './options.js'

/** What the environment asks `loopwatch/register` for. */
export interface EnvSettings {
  options: WatchLoopOptions
  /** `LOOPWATCH_REPORT`: a `.json` or `.html` report written at exit. */
  report: { file: string; format: 'json' | 'html' } | undefined
  /** `LOOPWATCH_EVENTS`: every block appended as a JSON line (the CLI sets it). */
  eventsFile: string | undefined
  /** One line per bad variable: what it is, what was expected, what was received, what is used instead. */
  warnings: string[]
}

/** The environment variables `loopwatch/register` reads. */
export const kEnvVariables = [
  'LOOPWATCH_THRESHOLD', 'LOOPWATCH_HANG_TIMEOUT', 'LOOPWATCH_DEBUG', 'LOOPWATCH_LOG', 'LOOPWATCH_REPORT', 'LOOPWATCH_EVENTS',
  'LOOPWATCH_SATURATION', 'LOOPWATCH_SATURATION_WINDOW', 'LOOPWATCH_CPU',
] as const

const kTrue = new Set(['1', 'true', 'yes', 'on'])
const kFalse = new Set(['0', 'false', 'no', 'off'])

/**
 * Reads the `LOOPWATCH_*` variables. Never throws: a bad value becomes a
 * warning and the default is used, so a typo never stops the app.
 */
export function readEnv(env: NodeJS.ProcessEnv): EnvSettings {
  const warnings: string[] = []
  const bad = (name: string, expected: string, value: string, fallback: string) => {
    warnings.push(`${name} should be ${expected}, got ${JSON.stringify(value)}; using ${fallback}`)
  }
  const options: WatchLoopOptions = {}

  const threshold = readMs(env, 'LOOPWATCH_THRESHOLD', `the default, ${kDefaultThreshold} ms`, bad, 'threshold')
  if (threshold !== undefined) options.threshold = threshold
  const effectiveThreshold = threshold ?? kDefaultThreshold
  const defaultHang = Math.max(kDefaultHangTimeout, effectiveThreshold)
  const hangTimeout = readMs(env, 'LOOPWATCH_HANG_TIMEOUT', `the default, ${defaultHang} ms`, bad, 'hangTimeout')
  if (hangTimeout !== undefined) {
    if (hangTimeout < effectiveThreshold) {
      bad('LOOPWATCH_HANG_TIMEOUT', `a number of milliseconds at least the threshold (${effectiveThreshold} ms)`,
        env['LOOPWATCH_HANG_TIMEOUT'] ?? '', `the default, ${defaultHang} ms`)
    } else {
      options.hangTimeout = hangTimeout
    }
  }
  const debug = readBoolean(env, 'LOOPWATCH_DEBUG', 'off', bad)
  if (debug !== undefined) options.debug = debug
  const log = readBoolean(env, 'LOOPWATCH_LOG', 'the default, 1 (reports on stderr)', bad)
  if (log !== undefined) options.log = log
  const cpu = readBoolean(env, 'LOOPWATCH_CPU', 'the default, 1 (CPU accounting on)', bad)
  if (cpu !== undefined) options.cpu = cpu

  const level = env['LOOPWATCH_SATURATION']
  const saturation: SaturationOptions = {}
  let saturationOff = false
  if (level !== undefined && level.trim() !== '') {
    const parsed = parseSaturationLevel(level)
    if (parsed === undefined) {
      bad('LOOPWATCH_SATURATION', 'off, or a utilization level such as 0.8 or 80%', level, `the default, ${kDefaultSaturationUtilization}`)
    } else if (parsed === false) saturationOff = true
    else saturation.utilization = parsed
  }
  const window = readMs(env, 'LOOPWATCH_SATURATION_WINDOW', `the default, ${kDefaultSaturationWindow} ms`, bad, 'saturation.window')
  if (window !== undefined) saturation.window = window
  if (saturationOff) options.saturation = false
  else if (Object.keys(saturation).length > 0) options.saturation = saturation

  let report: EnvSettings['report']
  const reportFile = env['LOOPWATCH_REPORT']
  if (reportFile !== undefined && reportFile !== '') {
    const ext = extname(reportFile).toLowerCase()
    if (ext === '.json' || ext === '.html') report = { file: reportFile, format: ext === '.json' ? 'json' : 'html' }
    else bad('LOOPWATCH_REPORT', 'a file name ending in .json or .html', reportFile, 'no report')
  }
  const eventsFile = env['LOOPWATCH_EVENTS'] === '' ? undefined : env['LOOPWATCH_EVENTS']
  return { options, report, eventsFile, warnings }
}

/**
 * `off` (`0`, `false`, `no`) turns saturation reports off; `0.8` or `80%`
 * sets the utilization level. `undefined` for anything else.
 */
export function parseSaturationLevel(raw: string): number | false | undefined {
  const text = raw.trim().toLowerCase()
  if (kFalse.has(text)) return false
  const percent = text.endsWith('%')
  const value = Number(percent ? text.slice(0, -1) : text)
  if (text === '' || text === '%' || !Number.isFinite(value)) return undefined
  const level = percent ? value / 100 : value
  return level > 0 && level <= 1 ? level : undefined
}

type Bad = (name: string, expected: string, value: string, fallback: string) => void

function readMs(env: NodeJS.ProcessEnv, name: string, fallback: string, bad: Bad, range: keyof typeof kRanges): number | undefined {
  const raw = env[name]
  if (raw === undefined || raw.trim() === '') return undefined
  const value = Number(raw.trim().replace(/ms$/, ''))
  if (!Number.isFinite(value) || value <= 0) {
    bad(name, 'a positive number of milliseconds, such as 100', raw, fallback)
    return undefined
  }
  const { min, max, text } = kRanges[range]
  if (value < min || value > max) {
    bad(name, `a number of milliseconds ${text}`, raw, fallback)
    return undefined
  }
  return value
}

function readBoolean(env: NodeJS.ProcessEnv, name: string, fallback: string, bad: Bad): boolean | undefined {
  const raw = env[name]
  if (raw === undefined || raw.trim() === '') return undefined
  const value = raw.trim().toLowerCase()
  if (kTrue.has(value)) return true
  if (kFalse.has(value)) return false
  bad(name, '1 or 0 (also true/false, yes/no, on/off)', raw, fallback)
  return undefined
}
