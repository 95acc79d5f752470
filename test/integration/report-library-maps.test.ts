import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { test } from 'node:test'
import { fixture, runFixture } from '../helpers/run-fixture.js'

// marked ships lib/marked.esm.js with a map into src/*.ts, which it does not ship.
test("a library's mapped frames keep the file on disk, and the report names it", async () => {
  const { code, stderr, blockEvents } = await runFixture(fixture('markdown-libraries.mjs'), ['marked'], { env: { LOG: '1' } })
  assert.equal(code, 0, stderr)
  const event = blockEvents[0] ?? assert.fail(`no block event\n${stderr}`)
  const marked = event.stack.filter((frame) => frame.package === 'marked')
  assert.ok(marked.length > 0, JSON.stringify(event.stack))
  for (const frame of marked) {
    assert.match(frame.file, /node_modules\/marked\/src\/\w+\.ts$/)
    assert.equal(existsSync(frame.file), false, `${frame.file} is shipped after all`)
    assert.match(frame.generated?.file ?? '', /node_modules\/marked\/lib\/marked\.esm\.js$/)
    assert.ok(existsSync(frame.generated?.file ?? ''))
  }
  const [first] = marked
  assert.ok(first?.generated)
  const { line, column } = first.generated
  assert.ok(stderr.includes(`at ${first.functionName} (`) && stderr.includes(`, on disk lib/marked.esm.js:${line}:${column})`), stderr)
  assert.match(stderr, /^ {4}at renderWithMarked \(markdown-libraries\.mjs:21:\d+\)$/m)
})

test('markdown-it: every frame is at its mapped source, with the dist position kept, or at the dist position', async () => {
  const { code, stderr, blockEvents } = await runFixture(fixture('markdown-libraries.mjs'), ['markdown-it'])
  assert.equal(code, 0, stderr)
  const event = blockEvents[0] ?? assert.fail(`no block event\n${stderr}`)
  const frames = event.profile.flatMap((entry) => entry.stack).filter((frame) => frame.package === 'markdown-it')
  assert.ok(frames.length > 0)
  for (const frame of frames) {
    if (frame.generated === undefined) assert.match(frame.file, /markdown-it\/dist\/markdown-it\.cjs\.js$/)
    else assert.match(`${frame.file} ${frame.generated.file}`, /markdown-it\/src\/\S+\.ts \S+markdown-it\/dist\/markdown-it\.cjs\.js$/)
  }
  assert.match(stderr + JSON.stringify(event.stack), /renderWithMarkdownIt/)
})
