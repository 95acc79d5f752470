import { readFileSync, writeFileSync } from 'node:fs'
import { buildSync } from 'esbuild'
import { defineConfig, type Options } from 'tsup'

// One implementation for both module systems: the library is built once, as
// CommonJS split into shared chunks (each module once), and every ESM entry is
// a thin wrapper that imports its CommonJS twin. `import` and `require` in one
// process then share one module instance: one watchdog, one exit summary, one
// set of patched sync APIs.

/** Public and internal library entries, built as CommonJS with shared chunks. */
const kEntries = {
  index: 'src/index.ts',
  testing: 'src/testing/index.ts',
  'testing-node': 'src/entry/testing-node.ts',
  'testing-jest': 'src/entry/testing-jest.ts',
  'testing-mocha': 'src/entry/testing-mocha.ts',
  register: 'src/entry/register.ts',
  // Loaded by path with the main realm's require() from inside jest's vm
  // contexts (src/testing/realm.ts), and imported by the vitest entry.
  'testing-host': 'src/entry/testing-host.ts',
  cli: 'src/entry/cli.ts',
}
/** Entries that get an ESM wrapper (the others are internal or CommonJS only). */
const kEsmWrappers = ['index', 'testing', 'testing-node', 'testing-jest', 'testing-mocha', 'register', 'cli'] as const

/**
 * The watchdog thread's code, bundled whole (its one dependency included) and
 * carried as a string that the host starts with `new Worker(code, { eval: true })`:
 * an app bundled with esbuild, webpack or Next.js carries it along, where a
 * worker file next to the library would be left behind.
 */
function watchdogSource(): string {
  const result = buildSync({
    entryPoints: ['src/entry/watchdog-worker.ts'],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    write: false,
    minifySyntax: true,
    legalComments: 'none',
  })
  const file = result.outputFiles[0]
  if (file === undefined) throw new Error('the watchdog bundle is empty')
  return file.text
}

const kVersion = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version
// No tsup shims: the one for `import.meta.url` reads `__filename`, which throws
// in an app's ESM bundle; src/core/module-url.ts finds the URL itself.
const kShared: Options = { target: 'node20', sourcemap: false, define: { __LOOPWATCH_VERSION__: JSON.stringify(kVersion) } }

export default defineConfig([
  {
    ...kShared,
    entry: kEntries,
    format: ['cjs'],
    // tsup's code splitting for CommonJS: shared chunks instead of a copy of
    // the library per entry.
    splitting: true,
    dts: { entry: Object.fromEntries(Object.entries(kEntries).filter(([name]) => name !== 'cli' && name !== 'testing-host')) },
    // `import.meta` does not exist in CommonJS: src/core/module-url.ts, its one
    // reader, falls back to it only when run from source.
    define: { ...kShared.define, __LOOPWATCH_WATCHDOG__: JSON.stringify(watchdogSource()), 'import.meta.url': 'undefined' },
    onSuccess: () => {
      writeEsmWrappers()
      return Promise.resolve()
    },
  },
  {
    // ESM declaration files (`.d.ts`) for the wrappers; the code is the CommonJS build's.
    entry: Object.fromEntries(kEsmWrappers.filter((name) => name !== 'cli').map((name) => [name, kEntries[name]])),
    format: ['esm'],
    dts: { only: true },
  },
  {
    ...kShared,
    // vitest can only be imported, never required: ESM only. It reaches the
    // rest of loopwatch through the CommonJS testing-host, never a copy.
    entry: { 'testing-vitest': 'src/entry/testing-vitest.ts' },
    format: ['esm'],
    dts: true,
    external: ['vitest'],
    esbuildPlugins: [{
      name: 'testing-host-cjs',
      setup(build) {
        build.onResolve({ filter: /^\.\/testing-host\.js$/ }, () => ({ path: './testing-host.cjs', external: true }))
      },
    }],
  },
])

/** Writes dist/NAME.js for each wrapped entry: the CommonJS build's exports, by name. */
function writeEsmWrappers(): void {
  for (const name of kEsmWrappers) {
    const cjs = `./${name}.cjs`
    if (name === 'cli') {
      writeFileSync(`dist/${name}.js`, `#!/usr/bin/env node\nimport '${cjs}'\n`, { mode: 0o755 })
      continue
    }
    // Loading the entry runs its side effects (register, the runners'
    // hooks): read its export names from the source text instead.
    const names = exportNames(readFileSync(`dist/${name}.cjs`, 'utf8'))
    const body = names.length === 0
      ? `import '${cjs}'\n`
      : `import cjs from '${cjs}'\n\nexport const { ${names.join(', ')} } = cjs\n`
    writeFileSync(`dist/${name}.js`, `// ESM entry: the CommonJS build's module, so import and require share one instance.\n${body}`)
  }
}

/** The names a tsup CommonJS entry assigns to `exports`. */
function exportNames(source: string): string[] {
  return [...new Set([...source.matchAll(/\bexports\.([A-Za-z_$][\w$]*)\s*=/g)].map((match) => match[1] ?? ''))]
    .filter((name) => name !== '' && name !== '__esModule')
    .sort()
}
