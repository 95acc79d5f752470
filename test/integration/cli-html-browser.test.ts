import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { renderHtml } from '../../src/report/html.js'
import type { BlockEvent, StackFrame } from '../../src/index.js'
import { buildReport, type Report } from '../../src/report/report.js'
import { BlockSummary } from '../../src/report/summary.js'
import { runCli } from '../helpers/run-cli.js'
import { syntheticReport } from '../helpers/synthetic-report.js'

const kChromium = '/usr/bin/chromium'
const skip = existsSync(kChromium) ? false
  : `Chromium is not installed at ${kChromium}: install it with \`apt-get install chromium\` (Debian's package; .ci/run installs it)`

async function withPage<T>(fn: (page: Page, errors: Error[]) => Promise<T>): Promise<T> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'loopwatch-chromium-'))
  let context: BrowserContext | undefined
  try {
    // A persistent context is how Playwright takes an (empty) --user-data-dir.
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: kChromium,
      timeout: 30_000,
      viewport: { width: 1200, height: 900 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--disable-quic'],
    })
    const page = await context.newPage()
    const errors: Error[] = []
    page.on('pageerror', (error) => errors.push(error))
    // Self-contained: any request other than the file itself fails the test.
    await page.route('**/*', (route) => route.request().url().startsWith('file:')
      ? route.continue()
      : (errors.push(new Error(`network request: ${route.request().url()}`)), route.abort()))
    return await fn(page, errors)
  } finally {
    await context?.close()
    rmSync(userDataDir, { recursive: true, force: true })
  }
}

test('--html: the report renders in a real browser: timeline bars, culprit rows, a culprit\'s stacks on click', { skip, timeout: 90_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'loopwatch-html-'))
  t.after(() => {
    rmSync(dir, { recursive: true, force: true })
  })
  const html = join(dir, 'report.html')
  const json = join(dir, 'report.json')
  const { code, stderr } = await runCli(['-q', '-t', '20', '--hang-timeout', '300', '--html', html, '--json', json, 'report-demo.mjs'])
  assert.equal(code, 0, stderr)
  const report = JSON.parse(readFileSync(json, 'utf8')) as Report
  await withPage(async (page, errors) => {
    await page.goto(pathToFileURL(html).href)
    await page.waitForSelector('body[data-rendered-ms]')
    assert.equal(await page.locator('#timeline rect.bar').count(), report.events.length)
    const rows = page.locator('#culprits tbody tr')
    assert.equal(await rows.count(), report.culprits.length)
    for (const [i, culprit] of report.culprits.entries()) {
      assert.ok((await rows.nth(i).textContent())?.includes(culprit.culprit), culprit.culprit)
    }
    // The top culprit is shown at first; a click on another shows its stacks.
    assert.equal(await page.textContent('#detail-title'), report.culprits[0]?.culprit)
    const parse = report.culprits.findIndex((c) => c.function === 'Object.parseRows')
    assert.ok(parse >= 0)
    await rows.nth(parse).click()
    assert.equal(await page.textContent('#detail-title'), 'Object.parseRows (report-demo.mjs:22)')
    assert.ok(await page.locator('#flame .node', { hasText: 'Object.parseRows (report-demo.mjs:22:' }).count() >= 1)
    assert.match(await page.textContent('#stacks') ?? '', /at Object\.parseRows \(report-demo\.mjs:22:\d+\)\n {4}at Timeout\.tick/)
    // The other culprits' bars are dimmed, parseRows' are not.
    // String expressions: the page's DOM types are not in this project's lib.
    const opacity = (selector: string) => page.evaluate(`getComputedStyle(document.querySelector('${selector.replace(/'/g, "\\'")}')).opacity`)
    assert.equal(await opacity(`#timeline rect.bar[data-c="${parse}"]`), '1')
    assert.equal(await opacity(`#timeline rect.bar:not([data-c="${parse}"])`), '0.18')
    // A click on a bar selects its culprit.
    await page.locator('#timeline rect.bar[data-c="0"]').first().click()
    assert.equal(await page.textContent('#detail-title'), report.culprits[0]?.culprit)
    // For the picture: the renderer, whose samples split between two helpers.
    const layout = report.culprits.findIndex((c) => c.function === 'layout')
    if (layout >= 0) await rows.nth(layout).click()
    await page.mouse.move(0, 0)
    const shot = join(dir, 'report.png')
    await page.screenshot({ path: shot, fullPage: true })
    assert.ok(statSync(shot).size > 10_000)
    // LOOPWATCH_UPDATE_DOCS=1 npm test refreshes the README's picture.
    if (process.env['LOOPWATCH_UPDATE_DOCS'] === '1') {
      await page.screenshot({ path: fileURLToPath(new URL('../../docs/report.png', import.meta.url)), clip: { x: 0, y: 0, width: 1200, height: 1040 } })
    }
    assert.deepEqual(errors, [])
  })
})

test('a report of 10,000 blocks opens fast; bars are coloured by cause', { skip, timeout: 90_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'loopwatch-html-'))
  t.after(() => {
    rmSync(dir, { recursive: true, force: true })
  })
  const report = syntheticReport(10_000, dir)
  const file = join(dir, 'big.html')
  writeFileSync(file, renderHtml(report, dir))
  const sizeKb = statSync(file).size / 1024
  await withPage(async (page, errors) => {
    const started = performance.now()
    await page.goto(pathToFileURL(file).href)
    await page.waitForSelector('body[data-rendered-ms]')
    const openMs = performance.now() - started
    // Parsing and rendering, as the page measured it from navigation start.
    const renderedMs = Number(await page.getAttribute('body', 'data-rendered-ms'))
    t.diagnostic(`10,000 blocks: ${sizeKb.toFixed(0)} KB, rendered ${renderedMs} ms after navigation, ${openMs.toFixed(0)} ms from goto to rendered`)
    assert.equal(await page.locator('#timeline rect.bar').count(), 10_000)
    assert.equal(await page.locator('#culprits tbody tr').count(), report.culprits.length)
    // Causes are known here: the bars take the colours of the cause legend.
    assert.equal(await page.inputValue('#color-by'), 'cause')
    const bars = await page.evaluate<[string, string][]>(`[...document.querySelectorAll('#timeline rect.bar')]
      .map((rect) => [rect.getAttribute('data-k'), rect.getAttribute('fill')])`)
    const byCause = new Map<string, Set<string>>()
    for (const [k, fill] of bars) byCause.set(k, (byCause.get(k) ?? new Set()).add(fill))
    const colours = [...byCause.values()].map((set) => [...set])
    assert.equal(colours.length, 5)
    assert.ok(colours.every((set) => set.length === 1), JSON.stringify(colours))
    assert.equal(new Set(colours.map((set) => set[0])).size, 5)
    // Generous for a shared 2-core machine; it takes well under a second.
    assert.ok(renderedMs < 5000, `rendered after ${renderedMs} ms`)
    assert.ok(sizeKb < 1024, `${sizeKb} KB`)
    assert.deepEqual(errors, [])
  })
})

test('the page\'s summary line counts the machine\'s starved stalls apart from the blocks', { skip, timeout: 90_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'loopwatch-html-'))
  t.after(() => {
    rmSync(dir, { recursive: true, force: true })
  })
  const work: StackFrame = { functionName: 'work', file: join(dir, 'work.js'), line: 3, column: 1, internal: false }
  const stall = (id: number, duration: number, cause: BlockEvent['cause']): BlockEvent => ({ id, startTime: 1_700_000_000_000 + id * 1000,
    duration, threshold: 50, thread: { id: 0, name: '' }, hang: false, stack: [work], samples: 1, profile: [{ stack: [work], count: 1 }], cause })
  const meta = { command: ['node', 'app.js'], startTime: 1_700_000_000_000, duration: 60_000, exitCode: 0, signal: null, threshold: 50, processes: 1 }
  const summaryOf = async (events: BlockEvent[]) => {
    const summary = new BlockSummary({ timeline: true, profiles: true })
    for (const event of events) summary.add(event)
    const file = join(dir, `r${events.length}.html`)
    writeFileSync(file, renderHtml(buildReport(summary, meta, dir), dir))
    return withPage(async (page, errors) => {
      await page.goto(pathToFileURL(file).href)
      await page.waitForSelector('body[data-rendered-ms]')
      assert.deepEqual(errors, [])
      return page.textContent('#summary')
    })
  }
  assert.match(await summaryOf([stall(1, 300, 'cpu'), stall(2, 420, 'starved'), stall(3, 80, 'starved')]) ?? '',
    /^1 block, 300 ms blocked in 60 s \(0\.5%\) · the machine stalled the loop 2 times, 500 ms · /)
  assert.match(await summaryOf([stall(1, 420, 'starved')]) ?? '', /^no blocks over 50 ms in 60 s · the machine stalled the loop 1 time, 420 ms · /)
})
