import { syncBuiltinESMExports } from 'node:module'
import { loopwatchRequire } from '../core/module-url.js'
import { captureRawStack } from './probe.js'
import type { RawFrame } from './frames.js'

// Native calls at a function's tail (`return JSON.parse(big)`), always on.
// The probe runs at V8's next interrupt check, which a native call cannot
// reach: by then the function that made the call has often returned, and the
// sample lands one frame too high, in its caller. So the synchronous natives
// are wrapped with a check of one shared cell the watchdog sets while its
// probe waits to run. Set after the call: the call held the probe off, and
// the stack is taken right there, where the caller is still on it. The check
// is one read of shared memory per call (benchmarks/overhead-natives.bench.ts),
// no clock.

type AnyFunction = (...args: unknown[]) => unknown
type Owner = Record<string, unknown>

/** Modules whose `*Sync` functions are wrapped. */
const kSyncModules = ['fs', 'zlib', 'crypto', 'child_process'] as const

/** Where a wrapped call found the probe waiting: its caller's stack, the call on top. */
export type OnHeldProbe = (frames: RawFrame[]) => void

/**
 * Wraps `JSON.parse`, `JSON.stringify` and the `*Sync` functions of `fs`,
 * `zlib`, `crypto` and `child_process`, keeping each one's `name`, `length`
 * and behaviour (arguments, `this`, return value, exceptions). Where the
 * realm is frozen, the functions it cannot replace stay as they are.
 */
export class NativeCallWatch {
  readonly #restore: (() => void)[] = []
  /**
   * The wrapped call whose check is running: the probe may run right then
   * (at the stack check of the capture below), and its live stack is then
   * this call's caller's, under the wrapper.
   */
  inCheck: { frame: RawFrame; wrapped: AnyFunction } | undefined

  constructor(pending: Int32Array, onHeld: OnHeldProbe) {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const watch = this
    const wrap = (owner: Owner, key: string, api: string): void => {
      const original = owner[key]
      if (typeof original !== 'function') return
      const target = original as AnyFunction
      const frame: RawFrame = [api, '', 0, 0]
      // `arguments`, not a rest parameter: no array per call.
      const wrapped = function (this: unknown): unknown {
        // eslint-disable-next-line prefer-rest-params
        const result: unknown = Reflect.apply(target, this, arguments)
        if (pending[0] !== 0) {
          const outer = watch.inCheck
          watch.inCheck = { frame, wrapped }
          try {
            const frames = captureRawStack(wrapped)
            // Still waiting: the probe's next answer is this stack. (If it
            // ran during the capture, it took the same stack itself.)
            if (pending[0] !== 0) onHeld([frame, ...frames])
          } finally {
            watch.inCheck = outer
          }
        }
        return result
      }
      try {
        Object.defineProperties(wrapped, {
          name: { value: target.name },
          length: { value: target.length },
        })
        owner[key] = wrapped
      } catch {
        return // frozen: left alone
      }
      if (owner[key] !== wrapped) return
      this.#restore.push(() => {
        // Leave a later patch (mock-fs, graceful-fs...) in place.
        if (owner[key] === wrapped) owner[key] = original
      })
    }
    for (const name of kSyncModules) {
      const module = loopwatchRequire()(`node:${name}`) as Owner
      for (const key of Object.keys(module)) {
        if (key.endsWith('Sync')) wrap(module, key, key)
      }
    }
    wrap(JSON as unknown as Owner, 'parse', 'JSON.parse')
    wrap(JSON as unknown as Owner, 'stringify', 'JSON.stringify')
    // ESM named imports (`import { readFileSync } from 'node:fs'`) are
    // separate bindings, updated from the CommonJS object only on request.
    syncBuiltinESMExports()
  }

  stop(): void {
    for (const restore of this.#restore.splice(0)) {
      try {
        restore()
      } catch {
        // Frozen since: nothing to put back.
      }
    }
    syncBuiltinESMExports()
  }
}
