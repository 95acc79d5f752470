import { syncBuiltinESMExports } from 'node:module'
import type { Clock } from '../core/clock.js'
import { captureRawStack } from '../watchdog/probe.js'
import type { RawFrame } from '../watchdog/frames.js'
import { loopwatchRequire } from '../core/module-url.js'

/** A synchronous call that took longer than the threshold, timed at its call site. */
export interface SlowCall {
  /** `readFileSync`, `JSON.parse`... */
  api: string
  /** Where the API lives: `node:fs`, or `''` for JSON. */
  file: string
  startMs: number
  durationMs: number
  /** The caller's stack, innermost first, without the wrapper. */
  stack: RawFrame[]
}

type AnyFunction = (...args: unknown[]) => unknown
type Owner = Record<string, unknown>

/** Modules whose `*Sync` functions are wrapped. */
const kSyncModules = ['fs', 'zlib', 'crypto', 'child_process'] as const

/**
 * Debug mode's call-site timing of synchronous APIs. The watchdog's probe
 * only runs once a native call returns to JavaScript, so a function whose
 * last act is one long `JSON.parse` is sampled in its caller; timing the
 * call where it is made names the exact function and line.
 */
export class SyncCallTimer {
  readonly #restore: (() => void)[] = []

  constructor(clock: Clock, thresholdMs: number, onSlow: (call: SlowCall) => void) {
    const wrap = (owner: Owner, key: string, api: string, file: string): void => {
      const original = owner[key]
      if (typeof original !== 'function') return
      const target = original as AnyFunction
      const wrapped = function (this: unknown, ...args: unknown[]): unknown {
        const startMs = clock.now()
        try {
          return Reflect.apply(target, this, args)
        } finally {
          const durationMs = clock.now() - startMs
          if (durationMs >= thresholdMs) onSlow({ api, file, startMs, durationMs, stack: captureRawStack(wrapped) })
        }
      }
      Object.defineProperties(wrapped, {
        name: { value: target.name },
        length: { value: target.length },
      })
      owner[key] = wrapped
      this.#restore.push(() => {
        // Leave a later patch (mock-fs, graceful-fs...) in place.
        if (owner[key] === wrapped) owner[key] = original
      })
    }
    for (const name of kSyncModules) {
      const module = loopwatchRequire()(`node:${name}`) as Owner
      for (const key of Object.keys(module)) {
        if (key.endsWith('Sync')) wrap(module, key, key, `node:${name}`)
      }
    }
    wrap(JSON as unknown as Owner, 'parse', 'JSON.parse', '')
    wrap(JSON as unknown as Owner, 'stringify', 'JSON.stringify', '')
    // ESM named imports (`import { readFileSync } from 'node:fs'`) are
    // separate bindings, updated from the CommonJS object only on request.
    syncBuiltinESMExports()
  }

  stop(): void {
    for (const restore of this.#restore.splice(0)) restore()
    syncBuiltinESMExports()
  }
}
