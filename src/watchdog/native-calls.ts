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

/**
 * Modules whose `*Sync` functions are wrapped. `fs` comes loaded with Node;
 * the others are wrapped once the app loads them, never loaded here: loading
 * them would add 1.4 MB of resident memory to a process that never uses them
 * (benchmarks/overhead-memory.bench.ts).
 */
const kSyncModules = ['fs', 'zlib', 'crypto', 'child_process'] as const
type SyncModule = (typeof kSyncModules)[number]

/** Where a wrapped call found the probe waiting: its caller's stack, the call on top. */
export type OnHeldProbe = (frames: RawFrame[]) => void

/** `node:module`'s CommonJS loader, through which every `require()` of a builtin goes. */
interface ModuleLoader {
  _load?: AnyFunction
}

/**
 * Wraps `JSON.parse`, `JSON.stringify` and the `*Sync` functions of `fs`,
 * `zlib`, `crypto` and `child_process`, keeping each one's `name`, `length`
 * and behaviour (arguments, `this`, return value, exceptions). Where the
 * realm is frozen, the functions it cannot replace stay as they are.
 *
 * A module not loaded yet is wrapped when the app loads it: a `require()`
 * wraps it before returning it (so `const { execSync } = require(...)`
 * gets the wrapper), an `import` or `process.getBuiltinModule()` at the
 * next heartbeat (`refresh()`; ESM named imports are live bindings).
 */
export class NativeCallWatch {
  readonly #restore: (() => void)[] = []
  /** Modules to wrap once something loads them. */
  readonly #pending = new Set<SyncModule>()
  /** `process.moduleLoadList`'s length at the last look: it only grows. */
  #seenLoads = 0
  #stopped = false
  readonly #wrap: (owner: Owner, key: string, api: string) => void
  /**
   * The wrapped call whose check is running: the probe may run right then
   * (at the stack check of the capture below), and its live stack is then
   * this call's caller's, under the wrapper.
   */
  inCheck: { frame: RawFrame; wrapped: AnyFunction } | undefined

  constructor(pending: Int32Array, onHeld: OnHeldProbe) {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const watch = this
    this.#wrap = (owner: Owner, key: string, api: string): void => {
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
    const loads = moduleLoadList()
    for (const name of kSyncModules) {
      // Without the load list (not Node's), load them all, as before.
      if (name === 'fs' || loads === undefined || isLoaded(loads, name)) this.#wrapModule(name)
      else this.#pending.add(name)
    }
    this.#seenLoads = loads?.length ?? 0
    this.#wrap(JSON as unknown as Owner, 'parse', 'JSON.parse')
    this.#wrap(JSON as unknown as Owner, 'stringify', 'JSON.stringify')
    if (this.#pending.size > 0) this.#hookRequire()
    // ESM named imports (`import { readFileSync } from 'node:fs'`) are
    // separate bindings, updated from the CommonJS object only on request.
    syncBuiltinESMExports()
  }

  /**
   * Wraps the modules loaded since the last call by other means than
   * `require()`. Called at each heartbeat: one length check while nothing
   * new was loaded.
   */
  refresh(): void {
    if (this.#pending.size === 0) return
    const loads = moduleLoadList()
    if (loads === undefined || loads.length === this.#seenLoads) return
    this.#seenLoads = loads.length
    let wrapped = false
    for (const name of this.#pending) {
      if (!isLoaded(loads, name)) continue
      this.#wrapModule(name)
      wrapped = true
    }
    if (wrapped) syncBuiltinESMExports()
  }

  #wrapModule(name: SyncModule): void {
    this.#pending.delete(name)
    const module = loopwatchRequire()(`node:${name}`) as Owner
    for (const key of Object.keys(module)) {
      if (key.endsWith('Sync')) this.#wrap(module, key, key)
    }
  }

  /**
   * Passes every `require()` through, wrapping a pending module's functions
   * before the caller sees them. Removed once nothing is pending, unless
   * another tool has hooked the loader over it since (then it stays, a bare
   * pass-through).
   */
  #hookRequire(): void {
    let loader: ModuleLoader
    try {
      loader = loopwatchRequire()('node:module') as ModuleLoader
    } catch {
      return
    }
    const original = loader._load
    if (typeof original !== 'function') return
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const watch = this
    const hooked = function (this: unknown, request: unknown): unknown {
      // eslint-disable-next-line prefer-rest-params
      const exports: unknown = Reflect.apply(original, this, arguments)
      if (!watch.#stopped && watch.#pending.size > 0 && typeof request === 'string') {
        const name = (request.startsWith('node:') ? request.slice(5) : request) as SyncModule
        if (watch.#pending.has(name)) {
          try {
            watch.#wrapModule(name)
            syncBuiltinESMExports()
          } catch {
            // A frozen or odd module: left as it is, the app's require() unharmed.
          }
          if (watch.#pending.size === 0) unhook()
        }
      }
      return exports
    }
    const unhook = (): void => {
      if (loader._load === hooked) loader._load = original
    }
    try {
      loader._load = hooked
    } catch {
      return
    }
    this.#restore.push(unhook)
  }

  stop(): void {
    this.#stopped = true
    this.#pending.clear()
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

/** The builtins this thread has loaded, in order (`undefined` outside Node). */
function moduleLoadList(): readonly string[] | undefined {
  const list = (process as { moduleLoadList?: unknown }).moduleLoadList
  return Array.isArray(list) ? list as string[] : undefined
}

function isLoaded(loads: readonly string[], name: string): boolean {
  return loads.includes(`NativeModule ${name}`)
}
