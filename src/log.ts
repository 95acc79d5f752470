import { codes, warn } from './errors.js'
import type { BlockEvent } from './events.js'
import { formatBlock } from './format.js'
import type { ResolvedOptions } from './options.js'

/** Writes block reports where the `log` option says. */
export interface BlockLogger {
  log(event: BlockEvent): void
}

/** The logger for a `log` option: stderr, nothing, or the user's function. */
export function createBlockLogger(log: ResolvedOptions['log']): BlockLogger {
  if (log === false) return { log: () => undefined }
  const write = log === true ? (text: string) => process.stderr.write(`${text}\n`) : log
  return {
    log(event) {
      try {
        write(formatBlock(event))
      } catch (error) {
        warn(`loopwatch: the \`log\` function threw: ${String(error)}`, codes.listenerFailed)
      }
    },
  }
}
