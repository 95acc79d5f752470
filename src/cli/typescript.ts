import { createRequire } from 'node:module'
import { dirname, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

/** A `.ts`, `.mts`, `.cts` or `.tsx` file. */
const kTypeScript = /\.[cm]?tsx?$/i

/** How the CLI starts a script it was given: `node [flags] file`, or why it cannot. */
export type ScriptCommand = { argv: string[] } | { error: string }

export interface RuntimeFacts {
  /** `process.features.typescript`: `'strip'` or `'transform'` when Node runs `.ts` files by default. */
  typescript: string | false | undefined
  /** `process.versions.node`. */
  version: string
  /** Resolves a package from a folder; `undefined` when it is not installed there. */
  resolveFrom: (dir: string, name: string) => string | undefined
}

const kFacts: RuntimeFacts = {
  typescript: (process.features as { typescript?: string | false }).typescript,
  version: process.versions.node,
  resolveFrom(dir, name) {
    try {
      return createRequire(resolve(dir, 'noop.js')).resolve(name)
    } catch {
      return undefined
    }
  },
}

/**
 * The node arguments that run `script` (a file given as the command): plain
 * JavaScript as it is; TypeScript as this Node can run it. In order: Node's
 * own type stripping where it is on by default (22.18+, 23.6+; not for
 * `.tsx`), tsx when it is installed where the script is, Node's
 * `--experimental-strip-types` (22.6+). Else a one-line message saying what to do.
 */
export function scriptCommand(script: string, cwd = process.cwd(), facts: RuntimeFacts = kFacts): ScriptCommand {
  if (!kTypeScript.test(script)) return { argv: [script] }
  const tsx = /\.tsx$/i.test(script)
  if (facts.typescript && !tsx) return { argv: [script] }
  const loader = facts.resolveFrom(dirname(resolve(cwd, script)), 'tsx')
  if (loader !== undefined) return { argv: ['--import', pathToFileURL(loader).href, script] }
  const [major = 0, minor = 0] = facts.version.split('.').map(Number)
  if (!tsx && (major > 22 || (major === 22 && minor >= 6))) return { argv: ['--experimental-strip-types', script] }
  return {
    error: `loopwatch: ${script} is TypeScript, which Node ${facts.version} cannot run by itself: install tsx `
      + `(npm install --save-dev tsx)${tsx ? '' : ', use Node 22.18 or later'}, or name your runner: loopwatch -- node --import tsx ${script}`,
  }
}
