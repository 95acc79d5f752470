import { defineConfig } from 'tsup'

export default defineConfig([
  {
    // Library entries: ESM and CJS with a declaration file for each.
    entry: {
      index: 'src/index.ts',
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
])
