import type { Module } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { kModuleUrl } from '../core/module-url.js'
type ModuleBuiltin = { createRequire: (path: string) => NodeJS.Require }
/** The main realm's `process`: `getBuiltinModule` is Node >= 20.16. */
interface HostProcess {
  getBuiltinModule?: (id: string) => unknown
  mainModule?: Module
}

let host: object | null | undefined

/**
 * jest runs each test file in its own `vm` context, with a copy of `process`
 * and globals that a test may fake (timers, `hrtime`, `queueMicrotask`), and
 * tears that context down after the file. The watcher must outlive files and
 * see real time, and the watchdog's probe runs in the main context; so from a
 * vm context everything stateful is delegated to the main realm's copy of
 * this code. Returns `undefined` when this code already runs there.
 */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names what it loads
export function hostModule<T extends object>(): T | undefined {
  host ??= loadHost()
  // The main realm's build of src/entry/testing-host.ts; the caller names
  // the part of it that it uses (typing it here would make an import ring).
  return (host ?? undefined) as T | undefined
}

let hostGlobalCache: typeof globalThis | null | undefined

/**
 * The main realm's `globalThis` when this code runs in another realm (a vm
 * context), else `undefined`. jest's copy of `process` keeps the real one's
 * prototype, whose constructor comes from the main realm, and so does its
 * `Function`.
 */
export function hostGlobal(): typeof globalThis | undefined {
  if (hostGlobalCache === undefined) {
    const hostFunction = (Object.getPrototypeOf(process) as { constructor: { constructor: FunctionConstructor } })
      .constructor.constructor
    try {
      hostGlobalCache = hostFunction === Function ? null : (hostFunction('return globalThis') as () => typeof globalThis)()
    } catch {
      // Code generation from strings is disabled.
      hostGlobalCache = null
    }
  }
  return hostGlobalCache ?? undefined
}

function loadHost(): object | null {
  const main = hostGlobal()
  if (main === undefined) return null
  try {
    const hostProcess = main.process as unknown as HostProcess
    // jest reroutes the sandbox's `process.getBuiltinModule` to its own
    // registry; the main realm's process still has Node's.
    const builtin = hostProcess.getBuiltinModule?.('node:module') as ModuleBuiltin | undefined
    // Before Node 20.16 the main module's constructor is the way to Module.
    const mainModule = hostProcess.mainModule
    const createRequire = builtin?.createRequire ?? (mainModule?.constructor as ModuleBuiltin | undefined)?.createRequire
    if (createRequire === undefined) return null
    if (kModuleUrl === undefined) return null
    const file = fileURLToPath(kModuleUrl)
    return createRequire(file)(join(dirname(file), 'testing-host.cjs')) as object
  } catch {
    // Not running from the build: keep to this realm.
    return null
  }
}
