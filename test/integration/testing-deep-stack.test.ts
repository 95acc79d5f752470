import assert from 'node:assert/strict'
import { copyFileSync, cpSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { test } from 'node:test'
import { run, tapOutcomes, tempDir, testingFixtures } from '../helpers/runners.js'

test('node: a block deep in a library prints the project\'s first frame and the test\'s own line, the middle folded', async (t) => {
  const dir = tempDir(t)
  cpSync(join(testingFixtures, 'deep'), dir, { recursive: true })
  mkdirSync(join(dir, 'node_modules', 'deeplib'), { recursive: true })
  copyFileSync(join(dir, 'deeplib.cjs'), join(dir, 'node_modules', 'deeplib', 'index.js'))
  symlinkSync(fileURLToPath(new URL('../../', import.meta.url)), join(dir, 'node_modules', 'loopwatch'), 'dir')
  writeFileSync(join(dir, 'node_modules', 'deeplib', 'package.json'), '{ "name": "deeplib", "version": "1.0.0" }\n')
  const { stdout, stderr } = await run(['--import', 'loopwatch/testing/node', '--test', '--test-reporter=tap', 'deep.test.mjs'], dir,
    { LOOPWATCH_THRESHOLD: '30' })
  const [outcome] = tapOutcomes(stdout)
  assert.equal(outcome?.passed, false, `${stdout}\n${stderr}`)
  const failure = outcome.failure
  assert.match(failure, /blocked for \d+ ms during this test \(limit 30 ms\)/)
  // The top: the native wait and the library's innermost frames.
  assert.match(failure, /at Atomics\.wait \(native\)\n\s+at walk \([^)]*deeplib/)
  // The middle of the recursion, counted on one line.
  assert.match(failure, /\(\d+ deeplib frames not shown\)/)
  // The project's first frame, the library frame it called above it.
  assert.match(failure, /at walk \([^)]*deeplib[^)]*\)\n\s+at (Object\.)?compileSchema \([^)]*schema\.cjs:6:10\)/)
  // The test's own line, though the helpers put it far below.
  assert.match(failure, /at TestContext\.<anonymous> \([^)]*deep\.test\.mjs:14:3\)/)
  assert.doesNotMatch(failure, /outer frames? not shown/)
})
