import { closeSync, openSync, readFileSync, writeSync } from 'node:fs'
import { threadId } from 'node:worker_threads'
import { classifyCause, type BlockCause } from '../core/cause.js'
import type { BlockEvent, BlockThread } from '../core/events.js'
import type { WatcherExtension } from '../core/extension.js'
import { isStartupBlock } from './culprit.js'
import type { SaturationEvent } from '../saturation/saturation.js'
import { stackKey, trimStack, type StackFrame } from '../watchdog/frames.js'

// The events file: one JSON object per line, appended by every process the
// CLI runs (the main thread for each block, the watchdog for each hang report
// while the main thread is stuck), read by the CLI when the app has ended.
// Stacks are written once per process and referred to by id.

/** A process started watching. */
export interface StartRecord {
  type: 'start'
  pid: number
  /** Epoch ms. */
  time: number
  threshold: number
  argv: string[]
}

/** A distinct stack, written before the first block that refers to it. */
export interface StackRecord {
  type: 'stack'
  pid: number
  /** The worker thread whose writer numbered it; absent for the main thread. */
  thread?: number
  id: number
  frames: StackFrame[]
}

/** A block that ended. Stacks are ids of earlier stack records of the same pid; -1 for none. */
export interface BlockRecord {
  type: 'block'
  pid: number
  startTime: number
  duration: number
  threshold: number
  hang: boolean
  samples: number
  stack: number
  profile: [stackId: number, count: number][]
  cause?: BlockCause
  startup: boolean
  /** Several callbacks of one loop turn made it together (`BlockEvent#kind`). */
  kind?: 'turn'
  callbacksSampled?: number
  /** A worker thread's block; absent for the main thread's. */
  thread?: BlockThread
}

/** A hang report, written by the watchdog while the block is still running. */
export interface HangRecord {
  type: 'hang'
  pid: number
  /** Epoch ms the stall began, as the watchdog saw it. */
  startTime: number
  /** How long it had lasted when written, ms. */
  elapsed: number
  threshold: number
  stack: StackFrame[]
  /** A worker thread's hang; absent for the main thread's. */
  thread?: BlockThread
}

/** A saturated stretch of the loop, reported when its profile was taken. */
export interface SaturationRecord extends SaturationEvent {
  type: 'saturation'
  pid: number
}

export type EventsRecord = StartRecord | StackRecord | BlockRecord | HangRecord | SaturationRecord

/** Frames kept per stack; a deeper stack keeps the app's first frame (see `trimStack`). */
const kMaxFrames = 64
/** Distinct stacks remembered per process; past that, stacks are written again each time. */
const kMaxStacks = 20_000

/** Opens a file for appending; `undefined` (never a throw) when it cannot be. */
export function openEventsFile(path: string): number | undefined {
  try {
    return openSync(path, 'a')
  } catch {
    return undefined
  }
}

function append(fd: number, record: EventsRecord): boolean {
  try {
    writeSync(fd, `${JSON.stringify(record)}\n`)
    return true
  } catch {
    return false
  }
}

/** Watchdog side: records a hang in progress. */
export function writeHangRecord(
  fd: number, elapsedMs: number, thresholdMs: number, stack: StackFrame[] | undefined, thread?: BlockThread,
): void {
  append(fd, {
    type: 'hang', pid: process.pid, startTime: Date.now() - elapsedMs, elapsed: elapsedMs, threshold: thresholdMs,
    stack: trimStack(stack ?? [], kMaxFrames), ...(thread === undefined || thread.id === 0 ? {} : { thread }),
  })
}

/** Main-thread side: appends the start and each block. Never throws; stops writing after a failure. */
export class EventsWriter {
  #fd: number | undefined
  readonly #stackIds = new Map<string, number>()
  #nextStackId = 0

  constructor(fd: number) {
    this.#fd = fd
  }

  start(thresholdMs: number): void {
    this.#write({ type: 'start', pid: process.pid, time: Date.now(), threshold: thresholdMs, argv: process.argv.slice(1) })
  }

  block(event: BlockEvent, startup: boolean): void {
    if (this.#fd === undefined) return
    this.#write({
      type: 'block', pid: process.pid, startTime: event.startTime, duration: event.duration, threshold: event.threshold,
      hang: event.hang, samples: event.samples, stack: this.#stackId(event.stack),
      profile: event.profile.slice(0, 20).map((entry) => [this.#stackId(entry.stack), entry.count]),
      cause: event.cause, startup,
      ...(event.kind === 'turn' ? { kind: 'turn' as const, callbacksSampled: event.callbacksSampled ?? 0 } : {}),
      ...(event.thread.id === 0 ? {} : { thread: event.thread }),
    })
  }

  saturation(event: SaturationEvent): void {
    const hot = event.hot.map((entry) => ({ ...entry, frames: trimStack(entry.frames, kMaxFrames) }))
    this.#write({ type: 'saturation', pid: process.pid, ...event, hot })
  }

  close(): void {
    if (this.#fd === undefined) return
    try {
      closeSync(this.#fd)
    } catch {
      // Closing at exit: nothing left to do about it.
    }
    this.#fd = undefined
  }

  #stackId(stack: StackFrame[]): number {
    if (stack.length === 0) return -1
    const frames = trimStack(stack, kMaxFrames)
    const key = stackKey(frames)
    const known = this.#stackIds.get(key)
    if (known !== undefined) return known
    const id = this.#nextStackId++
    if (this.#stackIds.size < kMaxStacks) this.#stackIds.set(key, id)
    this.#write({ type: 'stack', pid: process.pid, ...(threadId === 0 ? {} : { thread: threadId }), id, frames })
    return id
  }

  #write(record: EventsRecord): void {
    if (this.#fd !== undefined && !append(this.#fd, record)) this.#fd = undefined
  }
}

/**
 * A worker thread's watcher under the CLI (`LOOPWATCH_EVENTS` set): appends
 * its blocks to the events file, since register.ts's writer serves the main
 * thread only. No start record: the process's is the main thread's.
 * `undefined` when the file cannot be opened. Never throws.
 */
export function workerEventsExtension(path: string): WatcherExtension | undefined {
  const fd = openEventsFile(path)
  if (fd === undefined) return undefined
  const writer = new EventsWriter(fd)
  return {
    block(event) {
      writer.block(event, isStartupBlock(event))
    },
    stop() {
      writer.close()
    },
  }
}

/** A block read back from an events file. */
export interface ReadBlock {
  event: BlockEvent
  pid: number
  startup: boolean
  /** The process ended while this block was still running (from its last hang record). */
  unfinished: boolean
}

/** A saturation read back from an events file. */
export interface ReadSaturation {
  event: SaturationEvent
  pid: number
}

export interface EventsFileContents {
  starts: StartRecord[]
  /** In the order they were written. */
  saturations: ReadSaturation[]
  /** In the order they were written; unfinished blocks last. */
  blocks: ReadBlock[]
}

/** What the reader knows of how the app ended. */
export interface ReadOptions {
  /** The process the CLI started, and when it ended (epoch ms): its unfinished block lasted until then. */
  rootPid?: number | undefined
  endTime?: number | undefined
}

/**
 * Reads an events file. Lines that do not parse (a process killed mid-write)
 * are skipped. A hang with no block record after it that covers it was still
 * running when its process ended: it comes back as an unfinished block.
 */
export function readEventsFile(path: string, options: ReadOptions = {}): EventsFileContents {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch {
    return { starts: [], blocks: [], saturations: [] }
  }
  const starts: StartRecord[] = []
  const blocks: ReadBlock[] = []
  const saturations: ReadSaturation[] = []
  const stacks = new Map<string, StackFrame[]>()
  const pending = new Map<string, HangRecord>()
  let id = 1
  const stackOf = (pid: number, thread: number, stackId: number) => stacks.get(`${pid}:${thread}:${stackId}`) ?? []
  /** Hangs and blocks pair up per thread of a process. */
  const threadKey = (record: { pid: number; thread?: BlockThread }) => `${record.pid}:${record.thread?.id ?? 0}`
  for (const line of text.split('\n')) {
    const record = parseRecord(line)
    if (record === undefined) continue
    if (record.type === 'start') starts.push(record)
    else if (record.type === 'saturation') {
      const { startTime, duration, utilization, samples, blocks: inStretch, hot, cpu } = record
      if (Array.isArray(hot)) {
        const event: SaturationEvent = { startTime, duration, utilization, samples, blocks: inStretch, hot }
        if (typeof cpu === 'object' && (cpu as unknown) !== null) event.cpu = cpu
        saturations.push({ event, pid: record.pid })
      }
    }
    else if (record.type === 'stack') stacks.set(`${record.pid}:${record.thread ?? 0}:${record.id}`, record.frames)
    else if (record.type === 'hang') {
      const previous = pending.get(threadKey(record))
      // Repeated reports of one stall: keep the latest, and a stack if any had one.
      if (previous !== undefined && record.stack.length === 0 && Math.abs(previous.startTime - record.startTime) < record.threshold) {
        record.stack = previous.stack
      }
      pending.set(threadKey(record), record)
    } else {
      const hang = pending.get(threadKey(record))
      // A block ending after the hang was seen is that hang, over. (A block
      // that ended before it began can be written after it: its record waits
      // for the watchdog's samples while the next stall holds the thread.)
      if (hang !== undefined && record.startTime + record.duration >= hang.startTime + hang.elapsed - record.threshold / 2) {
        pending.delete(threadKey(record))
      }
      const thread = record.thread?.id ?? 0
      const event: BlockEvent = {
        id: id++, startTime: record.startTime, duration: record.duration, threshold: record.threshold, hang: record.hang,
        stack: stackOf(record.pid, thread, record.stack), samples: record.samples,
        profile: record.profile.map(([stackId, count]) => ({ stack: stackOf(record.pid, thread, stackId), count })),
        cause: record.cause ?? 'unknown', thread: threadOf(record.thread),
      }
      if (record.kind === 'turn') {
        event.kind = 'turn'
        if (typeof record.callbacksSampled === 'number') event.callbacksSampled = record.callbacksSampled
      }
      blocks.push({ event, pid: record.pid, startup: record.startup, unfinished: false })
    }
  }
  for (const hang of pending.values()) {
    // Stuck from its last report until the end, for the process whose end we saw.
    const durationMs = hang.pid === options.rootPid && options.endTime !== undefined
      ? Math.max(hang.elapsed, options.endTime - hang.startTime)
      : hang.elapsed
    const event: BlockEvent = {
      id: id++, startTime: hang.startTime, duration: durationMs, threshold: hang.threshold, hang: true,
      stack: hang.stack, samples: hang.stack.length > 0 ? 1 : 0,
      profile: hang.stack.length > 0 ? [{ stack: hang.stack, count: 1 }] : [],
      // Classified as the main thread would have, from the stack (GC pauses unknown here).
      cause: classifyCause(hang.stack, { startMs: 0, durationMs: durationMs }, []),
      thread: threadOf(hang.thread),
    }
    blocks.push({ event, pid: hang.pid, startup: false, unfinished: true })
  }
  return { starts, blocks, saturations }
}

function parseRecord(line: string): EventsRecord | undefined {
  if (!line.startsWith('{')) return undefined
  try {
    const value = JSON.parse(line) as Partial<EventsRecord> | null
    if (value === null || typeof value !== 'object' || typeof value.pid !== 'number') return undefined
    if (value.type === 'start' || value.type === 'stack' || value.type === 'block' || value.type === 'hang' || value.type === 'saturation') {
      return value as EventsRecord
    }
  } catch {
    // A line cut short when its process was killed.
  }
  return undefined
}

/** A record's thread as an event has it: the main thread when the record names none. */
function threadOf(thread: unknown): BlockThread {
  const { id, name } = (typeof thread === 'object' && thread !== null ? thread : {}) as Partial<Record<keyof BlockThread, unknown>>
  return typeof id === 'number' ? { id, name: typeof name === 'string' ? name : '' } : { id: 0, name: '' }
}
