// `npm run soak`: the soak, the capture races and the faults, bounded (about
// 9 minutes; `--short` about 2; `--faults-only` reruns the faults into the
// saved result). Fixtures are the ones the short versions in
// `npm test` use (test/fixtures/); results go to results/soak.json for
// RESULTS.md. Each part prints what it found; nothing here gates CI.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { fixture, fixturesDir, parseLines, runFixture } from '../test/helpers/run-fixture.js'
import { analyzeRaces, analyzeSoak, getOnce, loadUntil, memorySlopes } from '../test/helpers/soak.js'
import { log, resultsDir, saveResult } from './lib/common.js'

const short = process.argv.includes('--short')
const soakMs = short ? 45_000 : 300_000
const kSeed = '2024'
const raceBlocks = short ? 1000 : 10_000
const kSoakThresholdMs = 50
const kRaceThresholdMs = 10

/** Starts a soak server; `mode` 'none' runs it without loopwatch. */
async function startSoakServer(mode: 'watch' | 'none') {
  const child = spawn(process.execPath, [fixture('soak-server.mjs'), String(kSoakThresholdMs), String(soakMs), '10', '500', 'wait,spin', kSeed, mode], {
    cwd: fixturesDir, env: { ...process.env, NODE_OPTIONS: '', DEBUG: '' }, stdio: ['ignore', 'pipe', 'pipe'],
  })
  const state = { child, stdout: '', stderr: '' }
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (state.stderr += chunk))
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      state.stdout += chunk
      const m = /"port":(\d+)/.exec(state.stdout)
      if (m) resolve(Number(m[1]))
    })
    child.on('exit', () => {
      reject(new Error(`soak server exited early: ${state.stderr}`))
    })
  })
  return { ...state, port, get out() { return state.stdout }, get err() { return state.stderr } }
}

async function httpSoak() {
  log(`HTTP soak: ${soakMs / 1000} s, threshold ${kSoakThresholdMs} ms, blocks of 10-500 ms (Atomics.wait and JS loops) at random times, 8 keep-alive connections; next to it, the same server and blocks without loopwatch (the memory baseline)`)
  const [watched, baseline] = [await startSoakServer('watch'), await startSoakServer('none')]
  const stopLoad = new AbortController()
  const load = loadUntil(watched.port, stopLoad.signal, 8)
  const baselineLoad = loadUntil(baseline.port, stopLoad.signal, 8)
  await new Promise((resolve) => setTimeout(resolve, soakMs - 500))
  const servedAtEnd = await getOnce(watched.port)
  stopLoad.abort()
  const requests = await load
  const baselineRequests = await baselineLoad
  const [[code]] = (await Promise.all([once(watched.child, 'exit'), once(baseline.child, 'exit')])) as [[number | null], unknown]
  const stderr = watched.err
  const lines = parseLines(watched.out)
  const baselineMemory = memorySlopes(parseLines(baseline.out))
  const analysis = analyzeSoak(lines, kSoakThresholdMs)
  const memory = memorySlopes(lines)
  const done = lines.find((l) => 'done' in l) as { stats: unknown } | undefined
  const result = {
    seconds: soakMs / 1000, thresholdMs: kSoakThresholdMs, exitCode: code, stderr, requests, servedAtEnd,
    injections: analysis.injections, overThreshold: analysis.overThreshold, reportedOnceRight: analysis.reportedOnceRight,
    missed: analysis.missed.length, duplicated: analysis.duplicated.length, wrongCulprit: analysis.wrongCulprit,
    underThresholdReported: analysis.underReported, realUninjected: analysis.realUninjected.length,
    falsePositives: analysis.falsePositives, events: analysis.events, memory, baselineMemory, baselineRequests, stats: done?.stats,
  }
  log(`  ${result.reportedOnceRight}/${result.overThreshold} injected blocks over the threshold reported exactly once with the right culprit; missed ${result.missed}, twice ${result.duplicated}, wrong culprit ${result.wrongCulprit.length}; ${result.falsePositives.length} reports no independent timer saw; ${result.realUninjected} real stalls nobody injected; heap ${memory.heapKBPerMin.toFixed(0)} KB/min, RSS ${memory.rssKBPerMin.toFixed(0)} KB/min over the second half (without loopwatch: ${baselineMemory.heapKBPerMin.toFixed(0)} and ${baselineMemory.rssKBPerMin.toFixed(0)} KB/min); ${requests.ok} requests (${requests.failed} failed)`)
  return result
}

async function races() {
  log(`capture races: ${raceBlocks} blocks of 0.5-1.5x a ${kRaceThresholdMs} ms threshold, decoy callbacks after each`)
  const { code, stdout, stderr } = await runFixture(fixture('races.mjs'), [String(kRaceThresholdMs), String(raceBlocks), '99'], { timeout: 600_000 })
  const lines = parseLines(stdout)
  const analysis = analyzeRaces(lines)
  const end = lines.find((l) => 'responsive' in l) as { maxLateMs: number } | undefined
  const result = {
    thresholdMs: kRaceThresholdMs, exitCode: code, blocks: analysis.blocks, events: analysis.events, stale: analysis.stale,
    afterBlock: analysis.afterBlock, withoutStack: analysis.withoutStack, maxLateMsAtEnd: end?.maxLateMs,
    waitingForDebugger: /Waiting for the debugger/.test(stderr),
  }
  log(`  ${result.events} events over ${result.blocks} blocks: ${result.stale.length} stale culprits, ${result.afterBlock} sampled after the blocking function returned (same stall), ${result.withoutStack} without a stack; timers ${end?.maxLateMs.toFixed(1) ?? '?'} ms late at the end; "Waiting for the debugger": ${result.waitingForDebugger ? 'yes' : 'no'}`)
  return result
}

interface Fault { name: string; ok: boolean; detail: string }

async function faults(): Promise<Fault[]> {
  const out: Fault[] = []
  const record = (name: string, ok: boolean, detail: string) => {
    out.push({ name, ok, detail })
    log(`  ${ok ? 'ok  ' : 'FAIL'} ${name}: ${detail}`)
  }
  log('faults:')
  for (const mode of ['terminate', 'terminate-capture', 'throw', 'oom']) {
    const runs = mode === 'throw' ? 10 : 3
    let passed = 0
    let detail = ''
    for (let i = 0; i < runs; i++) {
      const { code, stdout, stderr } = await runFixture(fixture('fault-worker.mjs'), [mode])
      const r = parseLines(stdout).find((l) => 'events' in l) as { events: { duration: number; frames: number }[]; warnings: { code: string }[]; status: number } | undefined
      const blocks = r?.events.filter((e) => e.duration >= 200) ?? []
      const ok = code === 0 && r?.status === 200 && blocks.length === 3 && blocks[2]?.frames === 0 &&
        r.warnings.filter((w) => w.code === 'LOOPWATCH_WATCHDOG_FAILED').length === 1
      if (ok) passed++
      else detail = `exit ${code}; ${stderr.slice(0, 200)}`
    }
    record(`watchdog worker ${mode}`, passed === runs, `${passed}/${runs} runs: blocks measured without stacks afterwards, one warning, still serving${detail ? `; last failure: ${detail}` : ''}`)
  }
  for (const mode of ['throw', 'reject']) {
    const { code, stdout } = await runFixture(fixture('fault-listeners.mjs'), [mode])
    const r = parseLines(stdout).find((l) => 'seen' in l) as { seen: number; warnings: string[]; status: number } | undefined
    record(`log function and listener that ${mode}`, code === 0 && r?.seen === 2 && r.status === 200, `exit ${code}, good listener saw ${r?.seen ?? 0}/2, ${r?.warnings.length ?? 0} warnings`)
  }
  for (const mode of ['early', 'capture', 'listener']) {
    const { code, stdout, stderr } = await runFixture(fixture('fault-stop.mjs'), [mode])
    const r = parseLines(stdout).find((l) => 'durations' in l) as { durations: number[]; status: number } | undefined
    const blocks = r?.durations.filter((ms) => ms >= 150).length ?? -1
    record(`stop() ${mode}`, code === 0 && r?.status === 200 && blocks === (mode === 'listener' ? 1 : 0) && stderr === '', `exit ${code}; 200 ms blocks emitted: ${blocks} (expected ${mode === "listener" ? 1 : 0}: only those before stop())`)
  }
  {
    const { code, stdout } = await runFixture(fixture('fault-many.mjs'), ['100'], { timeout: 120_000 })
    const r = parseLines(stdout).find((l) => 'withStack' in l) as { createMs: number; stopMs: number; sawBlock: number; withStack: number; events: number; status: number; before: { threads: number; rssMB: number }; running: { threads: number; rssMB: number }; after: { threads: number; rssMB: number } } | undefined
    record('watchLoop() x 100', code === 0 && r?.sawBlock === 100 && r.withStack === 100 && r.status === 200 && r.running.threads <= r.before.threads + 1 && r.after.threads <= r.before.threads + 1,
      r ? `100 calls took ${r.createMs.toFixed(0)} ms of the main thread (one watchdog thread serves them all); ${r.running.threads} threads and ${r.running.rssMB.toFixed(0)} MB RSS while running (${r.before.threads} threads / ${r.before.rssMB.toFixed(0)} MB before); the 300 ms block: measured by ${r.sawBlock}/100 watchers, with a stack by ${r.withStack}/100 (${r.events} events in all, the rest start-up stalls); stop() ${r.stopMs.toFixed(0)} ms; after: ${r.after.threads} threads, ${r.after.rssMB.toFixed(0)} MB` : `exit ${code}`)
  }
  for (const [mode, exitCode] of [['capture', 7], ['hang', 9]] as const) {
    const started = performance.now()
    const { code, stderr } = await runFixture(fixture('fault-exit.mjs'), [mode])
    const ms = performance.now() - started
    const waiting = /Waiting for the debugger/.test(stderr)
    record(`process.exit() during ${mode === 'capture' ? 'a capture' : 'a hang report'}`, code === exitCode && !waiting, `exit ${code} (expected ${exitCode}) in ${ms.toFixed(0)} ms; "Waiting for the debugger to disconnect": ${waiting ? 'PRINTED' : 'no'}`)
  }
  {
    const env = { ...process.env, NODE_OPTIONS: '', DEBUG: '' }
    const app = spawn(process.execPath, ['--inspect=127.0.0.1:0', fixture('fault-inspect.mjs')], { cwd: fixturesDir, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    app.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c))
    const url = await new Promise<string>((resolve) => {
      app.stdout.setEncoding('utf8').on('data', (c: string) => {
        stdout += c
        const m = /"url":"([^"]+)"/.exec(stdout)
        if (m?.[1]) resolve(m[1])
      })
    })
    const client = spawn(process.execPath, ['--experimental-websocket', '--no-warnings', fixture('inspector-client.mjs'), url], { cwd: fixturesDir, env, stdio: 'ignore' })
    const [[code]] = (await Promise.all([once(app, 'exit'), once(client, 'exit')])) as [[number | null], unknown]
    const r = parseLines(stdout).find((l) => 'events' in l) as { events: (string | null)[] } | undefined
    const named = r?.events.filter((fn) => fn === 'blockFor').length ?? 0
    record('--inspect with a debugger attached', code === 0 && named === 2 && !/Waiting for the debugger/.test(stderr), `exit ${code}, ${named}/2 blocks named blockFor, "Waiting for the debugger": ${/Waiting for the debugger/.test(stderr) ? 'PRINTED' : 'no'}`)
  }
  return out
}

const started = performance.now()
if (process.argv.includes('--faults-only')) {
  const name = short ? 'soak-short' : 'soak'
  const saved = JSON.parse(readFileSync(`${resultsDir}${name}.json`, 'utf8')) as { result: Record<string, unknown> }
  saveResult(name, { ...saved.result, faults: await faults(), faultsRerun: new Date().toISOString() })
} else {
  const result = { short, http: await httpSoak(), races: await races(), faults: await faults(), minutes: 0 }
  result.minutes = (performance.now() - started) / 60_000
  log(`soak done in ${result.minutes.toFixed(1)} min`)
  saveResult(short ? 'soak-short' : 'soak', result)
}
