import { defineConfig } from 'tsup'

export default defineConfig([
  {
    // Library entries: ESM and CJS with a declaration file for each.
    entry: {
      index: 'src/index.ts',
      testing: 'src/testing/index.ts',
      'testing-node': 'src/entry/testing-node.ts',
      'testing-jest': 'src/entry/testing-jest.ts',
      'testing-mocha': 'src/entry/testing-mocha.ts',
    },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    shims: true,
    splitting: false,
  },
  {
    // `--import loopwatch/register` and `--require loopwatch/register`.
    entry: { register: 'src/entry/register.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    target: 'node20',
    shims: true,
    splitting: false,
  },
  {
    // The `loopwatch` command (bin); it preloads dist/register.js into the app.
    entry: { cli: 'src/entry/cli.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
    splitting: false,
  },
  {
    // The watchdog runs in its own thread and is loaded by path, never imported.
    entry: { 'watchdog-worker': 'src/entry/watchdog-worker.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
    splitting: false,
  },
  {
    // vitest can only be imported, never required: ESM only.
    entry: { 'testing-vitest': 'src/entry/testing-vitest.ts' },
    format: ['esm'],
    dts: true,
    sourcemap: true,
    target: 'node20',
    splitting: false,
    external: ['vitest'],
  },
  {
    // Loaded by path with the main realm's require() from inside jest's vm
    // contexts (src/testing/realm.ts): CJS only, not an export.
    entry: { 'testing-host': 'src/entry/testing-host.ts' },
    format: ['cjs'],
    sourcemap: true,
    target: 'node20',
    shims: true,
    splitting: false,
  },
])
