import { codes, warn } from './errors.js'
import type { BlockEvent } from './events.js'
import { formatBlock } from './format.js'
import type { ResolvedOptions } from './options.js'

/** Writes block reports where the `log` option says. */
export interface BlockLogger {
  log(event: BlockEvent): void
  /** Any other report (saturation), where the `log` option says. */
  write(report: string): void
}

/** The logger for a `log` option: stderr, nothing, or the user's function. */
export function createBlockLogger(log: ResolvedOptions['log']): BlockLogger {
  if (log === false) return { log: () => undefined, write: () => undefined }
  const output = log === true ? (text: string) => process.stderr.write(`${text}\n`) : log
  const write = (report: string): void => {
    try {
      output(report)
    } catch (error) {
      warn(`loopwatch: the \`log\` function threw: ${String(error)}`, codes.listenerFailed)
    }
  }
  return {
    log(event) {
      write(formatBlock(event))
    },
    write,
  }
}
