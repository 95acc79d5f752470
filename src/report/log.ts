import { writeSync } from 'node:fs'
import { clearTimeout, setTimeout } from 'node:timers'
import { culpritLabel, culpritOf } from './culprit.js'
import { codes, warn } from '../core/errors.js'
import type { BlockEvent } from '../core/events.js'
import { escapeControl } from './escape.js'
import { formatBlock } from './format.js'
import type { ResolvedOptions } from '../core/options.js'
import type { StackFrame } from '../watchdog/frames.js'
import { formatSpan, formatTotal } from './units.js'

/** Writes block reports where the `log` option says. */
export interface BlockLogger {
  log(event: BlockEvent): void
  /** Writes the line for blocks folded so far, now. */
  flush(): void
  /** Any other report (saturation, already one per episode), where the `log` option says. */
  write(report: string): void
  /** Reports that could not be written to stderr (closed, or a pipe whose reader is gone). */
  dropped(): number
}

/**
 * Writes one report to stderr synchronously, never throwing: `process.stderr`
 * raises a broken pipe (`EPIPE`, `2>&1 | head -1`, a dead log shipper) as an
 * 'error' event, which would crash the host. Returns false when dropped.
 */
export function writeStderr(text: string): boolean {
  try {
    writeSync(2, text)
    return true
  } catch {
    return false
  }
}

/** What the logger needs from the outside world; unit tests pass fakes. */
export interface LoggerDeps {
  /** Milliseconds on a monotonic clock. */
  now(): number
  /** Runs `fn` in `ms` without keeping the process alive; returns a cancel function. */
  schedule(fn: () => void, ms: number): () => void
  /** Runs `fn` when the process exits; returns a function that removes it. */
  onExit(fn: () => void): () => void
}

/** Full reports per culprit per window; blocks past them are folded into one line. */
export const kReportsPerWindow = 3
/** The rate-limit window, in milliseconds. */
export const kLogWindowMs = 60_000
/** Culprits tracked at once; the oldest window is closed past this. */
const kMaxTracked = 1000

interface Window {
  frame: StackFrame | undefined
  via: StackFrame | undefined
  startMs: number
  reported: number
  folded: number
  foldedMs: number
}

const kRealDeps: LoggerDeps = {
  now: () => performance.now(),
  schedule(fn, ms) {
    const timer = setTimeout(fn, ms).unref()
    return () => {
      clearTimeout(timer)
    }
  },
  onExit(fn) {
    process.once('exit', fn)
    return () => process.off('exit', fn)
  },
}

/**
 * The logger for a `log` option: stderr, nothing, or the user's function.
 * Rate-limited per culprit: the first {@link kReportsPerWindow} blocks of a
 * culprit in a {@link kLogWindowMs} window are reported in full; the rest are
 * counted and written as one line when the window ends, at `stop()` or at
 * exit. Only the log is limited: events and stats see every block.
 */
const kMachineKey = '\u0000machine'
const kTurnKey = '\u0000turn'

export function createBlockLogger(log: ResolvedOptions['log'], deps: LoggerDeps = kRealDeps): BlockLogger {
  if (log === false) return { log: () => undefined, flush: () => undefined, write: () => undefined, dropped: () => 0 }
  let dropped = 0
  const write = log === true
    ? (text: string) => {
      if (!writeStderr(`${text}\n`)) dropped++
    }
    : log
  const windows = new Map<string, Window>()
  let cancelTimer: (() => void) | undefined
  let removeExit: (() => void) | undefined

  const safeWrite = (text: string) => {
    try {
      write(escapeControl(text))
    } catch (error) {
      warn(`loopwatch: the \`log\` function threw: ${String(error)}`, codes.listenerFailed)
    }
  }
  const close = (key: string, window: Window, nowMs: number) => {
    windows.delete(key)
    if (window.folded === 0) return
    const times = window.folded === 1 ? 'once more' : `${window.folded} more times`
    const who = key === kMachineKey ? 'the machine (waiting for a CPU) stalled the event loop'
      : key === kTurnKey ? 'loop turns of several short callbacks blocked the event loop' : `${culpritLabel(window)} blocked`
    safeWrite(`loopwatch: ${who} ${times}, ${formatTotal(window.foldedMs)} in total, `
      + `in the last ${formatSpan(nowMs - window.startMs)}`)
  }
  // Closes the windows that have ended, then waits for the next one that has
  // folded blocks to report.
  const onTimer = () => {
    cancelTimer = undefined
    const nowMs = deps.now()
    let nextMs = Infinity
    for (const [key, window] of windows) {
      const endMs = window.startMs + kLogWindowMs
      if (endMs <= nowMs) close(key, window, nowMs)
      else if (window.folded > 0) nextMs = Math.min(nextMs, endMs)
    }
    if (nextMs !== Infinity) cancelTimer = deps.schedule(onTimer, nextMs - nowMs)
  }
  const flush = () => {
    cancelTimer?.()
    cancelTimer = undefined
    removeExit?.()
    removeExit = undefined
    const nowMs = deps.now()
    for (const [key, window] of windows) close(key, window, nowMs)
  }

  return {
    write: safeWrite,
    dropped: () => dropped,
    log(event) {
      const nowMs = deps.now()
      // Starved stalls are the machine's: one window for all, not the running function's.
      const culprit = event.cause === 'starved' ? { key: kMachineKey, frame: undefined }
        : event.kind === 'turn' ? { key: kTurnKey, frame: undefined } : culpritOf(event.stack)
      let window = windows.get(culprit.key)
      if (window !== undefined && nowMs - window.startMs >= kLogWindowMs) {
        close(culprit.key, window, nowMs)
        window = undefined
      }
      if (window === undefined) {
        if (windows.size >= kMaxTracked) {
          const [oldestKey, oldest] = windows.entries().next().value as [string, Window]
          close(oldestKey, oldest, nowMs)
        }
        window = { frame: culprit.frame, via: culprit.via, startMs: nowMs, reported: 0, folded: 0, foldedMs: 0 }
        windows.set(culprit.key, window)
      }
      if (window.reported < kReportsPerWindow) {
        window.reported++
        let text: string
        try {
          text = formatBlock(event)
        } catch (error) {
          text = `loopwatch: event loop blocked for ${Math.round(event.duration)} ms (report failed: ${String(error)})`
        }
        safeWrite(text)
        return
      }
      window.folded++
      window.foldedMs += event.duration
      cancelTimer ??= deps.schedule(onTimer, window.startMs + kLogWindowMs - nowMs)
      removeExit ??= deps.onExit(flush)
    },
    flush,
  }
}
