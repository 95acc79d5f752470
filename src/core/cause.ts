import type { StackFrame } from '../watchdog/frames.js'

/** Why the loop was blocked. */
export type BlockCause = 'cpu' | 'sync-io' | 'gc' | 'wait' | 'unknown' | 'starved'

/** A GC pause, on the `performance.now()` timeline (ms). */
export interface GcPause {
  startMs: number
  durationMs: number
}

/** Node modules whose `*Sync` functions block on I/O or native work. */
const kSyncModules = /^node:(fs|internal\/fs\/.*|child_process|zlib|crypto|internal\/crypto\/.*)$/
const kSyncName = /(^|\.)(\w+Sync|execSync|spawnSync|execFileSync)$/

/** True for a frame of a synchronous I/O or native call: `readFileSync`, `execSync`, `pbkdf2Sync`... */
export function isSyncCallFrame(frame: StackFrame): boolean {
  return frame.internal && kSyncModules.test(frame.file) && kSyncName.test(frame.functionName)
}

/**
 * Classifies a block. The innermost frames, up to the first user frame,
 * come first: `Atomics.wait` is `wait`, a Node `*Sync` call is `sync-io` (a
 * GC inside it, such as one set off by `readFileSync` allocating 64 MB, is
 * its consequence: the call is what to fix). Then GC pauses covering most
 * of the block make it `gc`: the probe cannot run during a GC, and its
 * sample lands in whatever JavaScript runs after. Any other JavaScript is
 * `cpu`.
 */
export function classifyCause(stack: readonly StackFrame[], block: { startMs: number; durationMs: number },
  gcPauses: readonly GcPause[]): BlockCause {
  for (const frame of stack) {
    if (frame.functionName === 'Atomics.wait') return 'wait'
    if (isSyncCallFrame(frame)) return 'sync-io'
    if (!frame.internal) break
  }
  if (gcCoverageMs(block, gcPauses) > block.durationMs / 2) return 'gc'
  return stack.length === 0 ? 'unknown' : 'cpu'
}

/** Milliseconds of GC pause inside the block. */
export function gcCoverageMs(block: { startMs: number; durationMs: number }, gcPauses: readonly GcPause[]): number {
  const endMs = block.startMs + block.durationMs
  let coveredMs = 0
  for (const pause of gcPauses) {
    const from = Math.max(block.startMs, pause.startMs)
    const to = Math.min(endMs, pause.startMs + pause.durationMs)
    if (to > from) coveredMs += to - from
  }
  return coveredMs
}

/**
 * The machine's stall, not the code's: its own time (wall time minus the
 * time the thread waited for a CPU) is under the threshold. Only where the
 * wait is measured (Linux).
 */
export function isStarved(durationMs: number, thresholdMs: number, cpu: { waiting?: number; othersWaiting?: number } | undefined): boolean {
  return cpu?.waiting !== undefined && durationMs - cpu.waiting - (cpu.othersWaiting ?? 0) < thresholdMs
}
