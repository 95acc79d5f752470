import { writeFileSync } from 'node:fs'
import { renderHtml } from './html.js'
import type { Report } from './report.js'

/** Writes a report as JSON, or as HTML when `format` says so. Synchronous: it runs at exit. */
export function writeReport(file: string, report: Report, format: 'json' | 'html'): void {
  writeFileSync(file, format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : renderHtml(report))
}
