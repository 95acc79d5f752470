import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { kModuleUrl } from '../core/module-url.js'

/**
 * loopwatch's own directory, whose frames are internal: the package's
 * `dist/`, or `src/` when run from source (tests, through tsx; the modules
 * sit one folder down there). `undefined` when loopwatch was bundled into an
 * app (esbuild, webpack): its directory is the app's then, and calling the
 * app's frames loopwatch's would hide the culprit.
 */
export const kOwnDir: string | undefined = findOwnDir()

function findOwnDir(): string | undefined {
  const url = kModuleUrl
  if (url === undefined || !url.startsWith('file:')) return undefined
  const fromSource = url.endsWith('.ts')
  const dir = fileURLToPath(new URL(fromSource ? '..' : '.', url))
  if (fromSource) return dir
  try {
    const pkg = JSON.parse(readFileSync(join(dirname(dir), 'package.json'), 'utf8')) as { name?: unknown }
    return pkg.name === 'loopwatch' ? dir : undefined
  } catch {
    return undefined
  }
}
