import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../', import.meta.url))
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as {
  repository?: { url?: string }; bugs?: { url?: string }; homepage?: string; files: string[]
}

test('package.json names the repository, the issue tracker and the home page', () => {
  assert.match(pkg.repository?.url ?? '', /^git\+https:\/\/\S+\.git$/)
  assert.match(pkg.bugs?.url ?? '', /^https:\/\/\S+\/issues$/)
  assert.match(pkg.homepage ?? '', /^https:\/\/\S+#readme$/)
})

test('every relative link of the README is a file of the repository; pictures ship in the tarball', () => {
  const readme = readFileSync(`${root}README.md`, 'utf8')
  // Relative links resolve against `repository` on the registry's page; a
  // picture must also be in the tarball, for readers of the installed copy.
  const links = [...readme.matchAll(/(!?)\[[^\]]*\]\(([^)\s]+)\)/g)]
    .map(([, bang, target]) => ({ image: bang === '!', path: (target ?? '').split('#')[0] ?? '' }))
    .filter(({ path }) => path !== '' && !/^[a-z]+:/.test(path))
  assert.ok(links.length > 0)
  for (const { image, path } of links) {
    assert.ok(existsSync(`${root}${path}`), `README links to ${path}, which does not exist`)
    if (image) assert.ok(pkg.files.some((entry) => path === entry || path.startsWith(`${entry}/`)), `${path} is not in package.json's files`)
  }
})
