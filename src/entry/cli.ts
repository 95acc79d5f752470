// The `loopwatch` command: runs an app with loopwatch preloaded and prints
// the top blockers when it ends. Exit code 2 for a usage error.
import { readFileSync } from 'node:fs'
import { kUsage, parseCliArgs } from '../cli/args.js'
import { runWatched } from '../cli/run.js'
import { kModuleUrl } from '../core/module-url.js'
import { escapeControl } from '../report/escape.js'

// The CLI runs from the package, never from a bundle.
const kOwnUrl = kModuleUrl ?? ''

async function main(): Promise<number> {
  const request = parseCliArgs(process.argv.slice(2))
  switch (request.kind) {
    case 'help':
      process.stdout.write(`${kUsage}\n`)
      return 0
    case 'version': {
      const pkg = JSON.parse(readFileSync(new URL('../package.json', kOwnUrl), 'utf8')) as { version: string }
      process.stdout.write(`${pkg.version}\n`)
      return 0
    }
    case 'error':
      process.stderr.write(`loopwatch: ${request.message}\n\n${kUsage}\n`)
      return 2
    case 'run':
      return runWatched(request.command, request.options, {
        stdout: (text) => process.stdout.write(text),
        // The summary names functions and files, which can hold any character.
        stderr: (text) => process.stderr.write(escapeControl(text)),
        registerUrl: new URL('./register.js', kOwnUrl).href,
      })
  }
}

// Built as CommonJS with the library (no top-level await there).
void main().then((code) => {
  process.exitCode = code
})
