import assert from 'node:assert/strict'
import { test } from 'node:test'
import { FrameResolver, firstUserFrame, packageOf } from '../../src/watchdog/frames.js'

test('packageOf names plain and scoped packages, the innermost node_modules winning', () => {
  assert.equal(packageOf('/app/node_modules/lodash/index.js'), 'lodash')
  assert.equal(packageOf('/app/node_modules/@otel/instr/lib/v.js'), '@otel/instr')
  assert.equal(packageOf('/app/node_modules/a/node_modules/b/x.js'), 'b')
  assert.equal(packageOf('/app/src/x.js'), undefined)
})

test('frames: file URLs become paths; node:, built-ins and our own files are internal', () => {
  const resolver = new FrameResolver('/opt/loopwatch/dist')
  const frames = resolver.resolve([
    ['JSON.parse', '', 0, 0],
    ['readFileSync', 'node:fs', 441, 20],
    ['probe', '/opt/loopwatch/dist/index.js', 1, 1],
    ['getVersion', 'file:///app/node_modules/acme/lib/version.js', 14, 3],
    ['handle', '/app/src/server.js', 40, 3],
  ])
  assert.deepEqual(frames.map((f) => f.internal), [true, true, true, false, false])
  const vendor = frames[3]
  assert.ok(vendor)
  assert.equal(vendor.file, '/app/node_modules/acme/lib/version.js')
  assert.equal(vendor.package, 'acme')
  assert.equal(frames.at(4)?.package, undefined)
  assert.equal(firstUserFrame(frames)?.functionName, 'getVersion')
})

test('a file without a source map (or missing) keeps its position', () => {
  const resolver = new FrameResolver('/opt/loopwatch/dist')
  const [frame] = resolver.resolve([['f', '/does/not/exist.js', 3, 7]])
  assert.deepEqual(frame, { functionName: 'f', file: '/does/not/exist.js', line: 3, column: 7, internal: false })
})
