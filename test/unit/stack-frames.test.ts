import assert from 'node:assert/strict'
import { test } from 'node:test'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { FrameResolver, firstUserFrame, packageOf } from '../../src/watchdog/frames.js'

test('packageOf names plain and scoped packages, the innermost node_modules winning', () => {
  assert.equal(packageOf('/app/node_modules/lodash/index.js'), 'lodash')
  assert.equal(packageOf('/app/node_modules/@otel/instr/lib/v.js'), '@otel/instr')
  assert.equal(packageOf('/app/node_modules/a/node_modules/b/x.js'), 'b')
  assert.equal(packageOf('/app/src/x.js'), undefined)
})

test('frames: file URLs become paths; node: and built-ins are internal; our own frames are left out', () => {
  const resolver = new FrameResolver('/opt/loopwatch/dist')
  const frames = resolver.resolve([
    ['JSON.parse', '', 0, 0],
    ['readFileSync', 'node:fs', 441, 20],
    ['parse', '/opt/loopwatch/dist/index.js', 1, 1],
    ['parse', 'file:///opt/loopwatch/dist/chunk.cjs', 9, 1],
    ['getVersion', 'file:///app/node_modules/acme/lib/version.js', 14, 3],
    ['handle', '/app/src/server.js', 40, 3],
  ])
  assert.deepEqual(frames.map((f) => [f.functionName, f.internal]),
    [['JSON.parse', true], ['readFileSync', true], ['getVersion', false], ['handle', false]])
  const vendor = frames[2]
  assert.ok(vendor)
  assert.equal(vendor.file, '/app/node_modules/acme/lib/version.js')
  assert.equal(vendor.package, 'acme')
  assert.equal(frames.at(3)?.package, undefined)
  assert.equal(firstUserFrame(frames)?.functionName, 'getVersion')
})

test('a file without a source map (or missing) keeps its position', () => {
  const resolver = new FrameResolver('/opt/loopwatch/dist')
  const [frame] = resolver.resolve([['f', '/does/not/exist.js', 3, 7]])
  assert.deepEqual(frame, { functionName: 'f', file: '/does/not/exist.js', line: 3, column: 7, internal: false })
})

test("a library's map is used only where it covers the position; mapped frames keep the generated one (real markdown-it)", () => {
  const dist = fileURLToPath(new URL('../../node_modules/markdown-it/dist/markdown-it.cjs.js', import.meta.url))
  const lines = readFileSync(dist, 'utf8').split('\n')
  // A bundler helper with no mapping of its own: the nearest earlier mapping
  // is another file's (entities' bin-trie-flags.js), a wrong place.
  const helper = lines.findIndex((line) => line.startsWith('function _defineProperty(')) + 2
  assert.ok(helper > 1)
  // A rule of markdown-it's own, mapped to its source.
  const own = lines.findIndex((line) => line.startsWith('function list(')) + 1
  assert.ok(own > 0)
  const resolver = new FrameResolver('/opt/loopwatch/dist')
  const [unmapped, mapped] = resolver.resolve([['_defineProperty', dist, helper, 2], ['list', dist, own, 1]])
  assert.deepEqual(unmapped, { functionName: '_defineProperty', file: dist, line: helper, column: 2, internal: false, package: 'markdown-it' })
  assert.match(mapped?.file ?? '', /node_modules\/markdown-it\/src\/rules_block\/list\.ts$/)
  assert.deepEqual(mapped?.generated, { file: dist, line: own, column: 1 })
  assert.equal(mapped.package, 'markdown-it')
})
