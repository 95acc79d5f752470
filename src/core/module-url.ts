import { createRequire } from 'node:module'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

/**
 * The `file:` URL of loopwatch's code: `__filename` in the CommonJS build
 * (any of its files: they share `dist/`), `import.meta.url` when run from
 * source. `undefined` when neither is there: loopwatch was bundled into an
 * ESM app, whose bundle has no `__filename`. Never `import.meta.url` alone:
 * it is empty in CommonJS, and tsup's shim for it throws in such a bundle.
 */
export const kModuleUrl: string | undefined = typeof __filename === 'string' && __filename !== ''
  ? pathToFileURL(__filename).href
  : import.meta.url

let ownRequire: NodeJS.Require | undefined

/**
 * A `require` that resolves from loopwatch's own location (optional peers,
 * `node:` modules), or from the working directory in an app's bundle.
 */
export function loopwatchRequire(): NodeJS.Require {
  return (ownRequire ??= createRequire(kModuleUrl ?? pathToFileURL(join(process.cwd(), 'index.js')).href))
}
