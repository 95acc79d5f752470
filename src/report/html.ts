import { formatSaturations } from './text.js'
import { displayPath, formatThread } from './format.js'
import { stackKey, type StackFrame } from '../watchdog/frames.js'
import { kClientScript, kStyles } from './html-client.js'
import type { Report } from './report.js'

/** Culprits whose sampled stacks the page carries (the table lists them all). */
const kMaxProfiledCulprits = 100

/**
 * The data the page's script renders, packed small: frames in one table,
 * stacks as lists of frame indexes, blocks as parallel arrays.
 * @internal Exported for tests.
 */
export interface PageData {
  meta: Omit<Report, 'culprits' | 'events' | 'format' | 'saturations'>
  /** `[functionName, file (relative to cwd when inside it), line, column, internal 0|1]`. */
  frames: [string, string, number, number, number][]
  culprits: {
    culprit: string
    startup: boolean
    count: number
    total: number
    max: number
    p95: number
    hangs: number
    unfinished: number
    causes: Record<string, number>
    /** Frame indexes, innermost first. */
    stack: number[]
    /** `[frame indexes innermost first, samples]`. */
    profile: [number[], number][]
    /** `worker 3 "resize"`: a worker thread's culprit; absent for the main thread's. */
    thread?: string
  }[]
  causes: string[]
  /** Per block: start (ms after the run began), duration (ms), culprit index, cause index, flags (1 hang, 2 unfinished). */
  t: number[]
  d: number[]
  c: number[]
  k: number[]
  f: number[]
}

/** Packs a report for the page. */
export function pageData(report: Report, cwd = process.cwd()): PageData {
  const frames: PageData['frames'] = []
  const frameIds = new Map<string, number>()
  const frameId = (frame: StackFrame) => {
    const key = stackKey([frame])
    let id = frameIds.get(key)
    if (id === undefined) {
      id = frames.length
      frames.push([frame.functionName, frame.file === '' ? '' : displayPath(frame.file, cwd), frame.line, frame.column,
        frame.internal ? 1 : 0])
      frameIds.set(key, id)
    }
    return id
  }
  const culprits = report.culprits.map((c, i) => ({
    culprit: c.culprit,
    startup: c.startup,
    count: c.count,
    total: c.total,
    max: c.max,
    p95: c.p95,
    hangs: c.hangs,
    unfinished: c.unfinished,
    causes: c.causes,
    stack: c.stack.map(frameId),
    profile: i < kMaxProfiledCulprits ? c.profile.map((p): [number[], number] => [p.stack.map(frameId), p.count]) : [],
    ...(c.thread === undefined ? {} : { thread: formatThread(c.thread).replace(/: $/, '') }),
  }))
  const causes: string[] = []
  const causeIds = new Map<string, number>()
  const data: PageData = {
    meta: {
      command: report.command, startTime: report.startTime, duration: report.duration, exitCode: report.exitCode,
      signal: report.signal, threshold: report.threshold, processes: report.processes, blocks: report.blocks,
      blockedTime: report.blockedTime, eventsDropped: report.eventsDropped,
    },
    frames, culprits, causes, t: [], d: [], c: [], k: [], f: [],
  }
  for (const event of report.events) {
    let cause = causeIds.get(event.cause)
    if (cause === undefined) {
      cause = causes.length
      causes.push(event.cause)
      causeIds.set(event.cause, cause)
    }
    data.t.push(Math.round(event.time * 10) / 10)
    data.d.push(Math.round(event.duration * 10) / 10)
    data.c.push(event.culprit)
    data.k.push(cause)
    data.f.push((event.hang ? 1 : 0) | (event.unfinished ? 2 : 0))
  }
  return data
}

/** JSON that is safe inside a `<script>` element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')
}

/** The saturated stretches as the CLI prints them; empty when there were none. */
function saturationSection(report: Report): string {
  const text = formatSaturations(report)
  if (text === '') return ''
  return `<section id="saturation"><h2>Saturation</h2><pre>${escapeHtml(text)}</pre></section>\n`
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`)
}

/**
 * A self-contained HTML page for a report: a timeline of the blocks coloured
 * by cause, the culprit table, and each culprit's sampled stacks as an icicle
 * graph. No network, no external files.
 */
export function renderHtml(report: Report, cwd = process.cwd()): string {
  const title = `loopwatch: ${report.command.join(' ')}`
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${kStyles}</style>
</head>
<body>
<header><h1>loopwatch report</h1><p id="summary"></p><p id="command"></p></header>
<section><h2>Timeline</h2><div id="legend"></div>
<div id="timeline-box"><svg id="timeline" role="img" aria-label="Blocks over time"></svg><div id="tip" hidden></div></div>
</section>
${saturationSection(report)}<section><h2>Culprits</h2>
<table id="culprits"><thead><tr><th class="num">count</th><th class="num">total</th><th class="num">max</th><th class="num">p95</th><th>causes</th><th>culprit</th></tr></thead><tbody></tbody></table>
</section>
<section id="detail" hidden><h2 id="detail-title"></h2>
<p class="hint">Sampled stacks, outermost frame on top; width is the share of samples. Click a frame to zoom, the top bar to zoom out.</p>
<div id="flame"></div>
<h3>Stacks</h3><div id="stacks"></div>
</section>
<script type="application/json" id="loopwatch-data">${scriptJson(pageData(report, cwd))}</script>
<script>${kClientScript}</script>
</body>
</html>
`
}
