import { randomBytes } from 'node:crypto'
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { renderHtml } from './html.js'
import type { Report } from './report.js'

/** Writes a report as JSON, or as HTML when `format` says so. Synchronous: it runs at exit. */
export function writeReport(file: string, report: Report, format: 'json' | 'html'): void {
  writeFileReplacing(file, format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : renderHtml(report))
}

/**
 * Writes `text` to `file` through a new temporary file in the same folder,
 * then renames it over `file`. A symlink planted at `file` (a shared /tmp, a
 * world-writable folder) is replaced, never followed: its target is left
 * alone. A reader never sees a half-written report. The temporary file is
 * created exclusively (`wx`), so it cannot be a planted link either.
 */
export function writeFileReplacing(file: string, text: string): void {
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  let fd: number
  try {
    fd = openSync(temp, 'wx', 0o644)
  } catch (error) {
    const { code } = error as NodeJS.ErrnoException
    throw new Error(`cannot create a file in ${dirname(file)} (${code ?? String(error)})`, { cause: error })
  }
  try {
    try {
      writeSync(fd, text)
    } finally {
      closeSync(fd)
    }
    renameSync(temp, file)
  } catch (error) {
    rmSync(temp, { force: true })
    throw error
  }
}
