import { writeSync } from 'node:fs'
import { formatWithOptions } from 'node:util'

// loopwatch's own diagnostics: `DEBUG=loopwatch*` (the `debug` package's
// convention, without its 2 MB of resident memory) or `NODE_DEBUG=loopwatch`
// (Node's). Off, a call costs one boolean check. Written with writeSync to fd 2,
// so the watchdog thread's lines come out while the main thread is blocked, and
// a closed or broken stderr is ignored.

export type DebugLog = (format: string, ...args: unknown[]) => void

const kOff: DebugLog = () => undefined

/** Whether `namespace` is on in a `DEBUG` value: `a,b*`, spaces too, `-x` excludes. */
export function debugEnabled(namespace: string, patterns: string | undefined): boolean {
  if (patterns === undefined || patterns === '') return false
  let enabled = false
  for (const pattern of patterns.split(/[\s,]+/)) {
    if (pattern === '') continue
    const negated = pattern.startsWith('-')
    const body = negated ? pattern.slice(1) : pattern
    const regexp = new RegExp(`^${body.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*?')}$`)
    if (!regexp.test(namespace)) continue
    if (negated) return false
    enabled = true
  }
  return enabled
}

function nodeDebugEnabled(value: string | undefined): boolean {
  return value !== undefined && value.split(/[\s,]+/).some((name) => name.toLowerCase() === 'loopwatch' || name === '*')
}

/** A logger for `namespace` (`loopwatch`, `loopwatch:watchdog`...). */
export function createDebug(namespace: string): DebugLog {
  let enabled: boolean
  try {
    enabled = debugEnabled(namespace, process.env['DEBUG']) || nodeDebugEnabled(process.env['NODE_DEBUG'])
  } catch {
    // A permission model or a frozen environment: no diagnostics.
    enabled = false
  }
  if (!enabled) return kOff
  return (format, ...args) => {
    try {
      const text = formatWithOptions({ colors: false, depth: 4 }, format, ...args)
      writeSync(2, `${namespace} ${process.pid} ${text.replace(/\n/g, `\n${namespace} `)}\n`)
    } catch {
      // stderr closed or broken: diagnostics are not worth a crash.
    }
  }
}
