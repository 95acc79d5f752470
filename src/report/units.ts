import { formatMs } from './format.js'

/** A total of blocked time: `840 ms`, `4.1 s`, `5 m 12 s`. */
export function formatTotal(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`
  return formatMs(ms)
}

/** A time span in whole units: `12 s`, `60 s`, `5 m 12 s`. */
export function formatSpan(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`
  return formatMs(ms)
}
