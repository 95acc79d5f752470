// The watchdog thread. It sleeps until the main thread's heartbeat is
// `threshold` ms old, then connects an inspector session to the main thread
// and samples its live stack with the probe until the next heartbeat.
import { writeSync } from 'node:fs'
import { Session } from 'node:inspector'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parentPort, workerData } from 'node:worker_threads'
import createDebug from 'debug'
import { formatHang, formatHangRepeat } from '../format.js'
import { probeExpression } from '../probe.js'
import { FrameResolver, stackKey, type RawFrame, type StackFrame } from '../stack.js'
import type { ProfileEntry } from '../events.js'
import { SharedBeat, type CaptureMessage, type WatchdogConfig } from '../watchdog/protocol.js'

const debug = createDebug('loopwatch:watchdog')
const config = workerData as WatchdogConfig
const shared = new SharedBeat(config.buffer)
const resolver = new FrameResolver(dirname(fileURLToPath(import.meta.url)))
/** Time between samples of one block: often enough to see where a long block moves. */
const kSampleIntervalMs = Math.min(100, Math.max(10, config.thresholdMs / 2))
/** Past this many samples, sample only when a hang report is due. */
const kMaxSamples = 100
const kTimedOut = Symbol('timed out')

let lastSampledSeq = -1

function watch(): void {
  const seq = shared.seq()
  const ageMs = Number(process.hrtime.bigint() - shared.beatTimeNs()) / 1e6
  if (ageMs < config.thresholdMs || seq === lastSampledSeq) {
    // A stall we already sampled and found idle (the main thread is running
    // exit handlers, say) is not sampled again: check back a threshold later.
    const waitMs = seq === lastSampledSeq ? config.thresholdMs : config.thresholdMs - ageMs
    setTimeout(watch, Math.max(1, Math.ceil(waitMs)))
    return
  }
  lastSampledSeq = seq
  sample(seq).then(watch, (error: unknown) => {
    debug('sampling failed: %O', error)
    parentPort?.postMessage({ type: 'failed', message: String(error) })
    // Stay alive until the host terminates this thread. Ending on our own
    // right after the session's disconnect races with the main thread
    // tearing down its side of the session (it does so at an interrupt,
    // while still blocked): Node 20 aborts the whole process in
    // MainThreadInterface::Post (test/integration/faults-watchdog.test.ts,
    // the `throw` case, crashed 7 runs in 10).
    setInterval(() => undefined, 60_000)
  })
}

async function sample(seq: number): Promise<void> {
  const startedNs = shared.beatTimeNs()
  const elapsedMs = (): number => Number(process.hrtime.bigint() - startedNs) / 1e6
  const session = new Session()
  session.connectToMainThread()
  debug('stall of seq %d: sampling', seq)

  const profile = new Map<string, ProfileEntry>()
  let first: StackFrame[] | undefined
  let latest: StackFrame[] | undefined
  let samples = 0
  let hang = false
  let nextHangMs = config.hangTimeoutMs
  let hangIntervalMs = config.hangTimeoutMs
  let lastHangKey: string | undefined
  let pending: Promise<RawFrame[] | null> | undefined

  try {
    for (;;) {
      // Never wait on the probe past a due hang report: inside a long native
      // call the probe cannot run, and the report must still go out.
      pending ??= evaluate(session, seq)
      const raw = await withTimeout(pending, nextHangMs - elapsedMs())
      if (raw !== kTimedOut) {
        pending = undefined
        if (raw === null) break
        latest = resolver.resolve(raw)
        first ??= latest
        samples++
        const key = stackKey(latest)
        const entry = profile.get(key)
        if (entry) entry.count++
        else profile.set(key, { stack: latest, count: 1 })
      }
      if (elapsedMs() >= nextHangMs) {
        hang = true
        const key = latest && stackKey(latest)
        const same = key !== undefined && key === lastHangKey
        if (config.writeHangs) {
          const text = same ? formatHangRepeat(elapsedMs()) : formatHang(elapsedMs(), config.thresholdMs, latest)
          writeSync(2, `${text}\n`)
        }
        lastHangKey = key
        // The same stack again: report it ever less often (1x, 2x, 4x ...
        // hangTimeout); a new stack is reported at the next hangTimeout.
        hangIntervalMs = same ? hangIntervalMs * 2 : config.hangTimeoutMs
        while (nextHangMs <= elapsedMs()) nextHangMs += hangIntervalMs
      }
      if (pending) continue
      const untilHangMs = nextHangMs - elapsedMs()
      const pauseMs = samples < kMaxSamples ? Math.min(kSampleIntervalMs, untilHangMs) : untilHangMs
      if (await shared.waitForBeat(seq, Math.max(1, pauseMs))) break
    }
  } finally {
    session.disconnect()
  }
  debug('seq %d: %d samples', seq, samples)
  const message: CaptureMessage = {
    type: 'capture',
    seq,
    samples,
    stack: first ?? [],
    profile: [...profile.values()].sort((a, b) => b.count - a.count),
    hang,
  }
  parentPort?.postMessage(message)
}

/** Runs the probe on the main thread; `null` when the block is already over. */
function evaluate(session: Session, seq: number): Promise<RawFrame[] | null> {
  return new Promise((resolve) => {
    session.post('Runtime.evaluate', { expression: probeExpression(config.probeId, seq), returnByValue: true, silent: true },
      (error, result) => {
        const value: unknown = error ? undefined : result.result.value
        if (!Array.isArray(value) || value.length === 0) {
          if (error) debug('probe failed: %O', error)
          else debug('stale probe for seq %d dropped', seq)
          resolve(null)
          return
        }
        resolve(value as RawFrame[])
      })
  })
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | typeof kTimedOut> {
  if (ms <= 0) return Promise.resolve(kTimedOut)
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<typeof kTimedOut>((resolve) => {
    timer = setTimeout(resolve, ms, kTimedOut)
  })
  return Promise.race([promise, timeout]).finally(() => {
    clearTimeout(timer)
  })
}

watch()
