#!/usr/bin/env node
// Fails when the package's unpacked size passes its limit (issue: a small
// install). Reads what `npm pack` would publish, without writing a tarball.
import { execFileSync } from 'node:child_process'

const kLimitBytes = 800 * 1024

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const [pack] = JSON.parse(execFileSync(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], { encoding: 'utf8' }))
const largest = [...pack.files].sort((a, b) => b.size - a.size).slice(0, 5)
  .map((file) => `  ${(file.size / 1024).toFixed(1).padStart(7)} KB  ${file.path}`)
const summary = `${pack.name}@${pack.version}: ${(pack.unpackedSize / 1024).toFixed(1)} KB unpacked, ` +
  `${(pack.size / 1024).toFixed(1)} KB packed, ${pack.entryCount} files (limit ${kLimitBytes / 1024} KB unpacked)`
console.log(`${summary}\nlargest:\n${largest.join('\n')}`)
if (pack.unpackedSize > kLimitBytes) {
  console.error(`package-size: over the limit by ${((pack.unpackedSize - kLimitBytes) / 1024).toFixed(1)} KB`)
  process.exitCode = 1
}
