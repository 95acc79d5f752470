import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import type { BlockEvent } from '../../src/index.js'

export const fixturesDir = fileURLToPath(new URL('../fixtures/', import.meta.url))

/** A fixture file's absolute path. */
export function fixture(name: string): string {
  return fixturesDir + name
}

export interface FixtureResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  /** Block events the fixture printed as JSON lines on stdout. */
  events: BlockEvent[]
  /**
   * The events spanning the start of the fixture's first `blockFor()`: the
   * block under test, without the stalls a loaded machine can add before or
   * after it (start-up, closing a server).
   */
  blockEvents: BlockEvent[]
}

export interface RunOptions {
  nodeArgs?: string[]
  env?: NodeJS.ProcessEnv
  /** Hard limit: the child is killed and the promise rejects after this long (ms). */
  timeout?: number
  cwd?: string
}

/**
 * Runs a fixture in a child process with a hard timeout and collects its
 * output. Fixtures print one JSON object per line on stdout; lines that parse
 * as block events (they have `duration` and `stack`) land in `events`.
 */
export async function runFixture(file: string, args: string[] = [], options: RunOptions = {}): Promise<FixtureResult> {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), file, ...args], {
    env: { ...process.env, NODE_OPTIONS: '', DEBUG: '', ...options.env },
    cwd: options.cwd ?? fixturesDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const timeoutMs = options.timeout ?? 20_000
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null]
  clearTimeout(timer)
  if (signal === 'SIGKILL') throw new Error(`fixture ${file} timed out after ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`)
  const blockAt = firstBlockAt(stdout)
  // The markers are for blockEvents only: tests read stdout without them.
  stdout = stdout.split('\n').filter((line) => !line.startsWith('{"blockAt":')).join('\n')
  const events = parseEvents(stdout)
  // A stall begins a little before blockFor() (the work of the same callback),
  // or a few ms after by its measure: libuv closes its idle-time count after
  // poll returns, and a loaded machine can deschedule the process in between
  // (3.3 ms seen with both cores busy). No other stall can begin while the
  // block holds the loop, and every block under test is longer than 20 ms.
  const blockEvents = events.filter((event) => event.startTime <= blockAt + 20 && event.startTime + event.duration > blockAt)
  return { code, signal, stdout, stderr, events, blockEvents }
}

function firstBlockAt(stdout: string): number {
  for (const line of stdout.split('\n')) {
    if (line.startsWith('{"blockAt":')) return (JSON.parse(line) as { blockAt: number }).blockAt
  }
  return -Infinity
}

export function parseEvents(stdout: string): BlockEvent[] {
  const events: BlockEvent[] = []
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue
    const value = JSON.parse(line) as Partial<BlockEvent>
    if (typeof value.duration === 'number' && Array.isArray(value.stack)) events.push(value as BlockEvent)
  }
  return events
}

/** Every JSON object line of a fixture's stdout. */
export function parseLines(stdout: string): Record<string, unknown>[] {
  return stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>)
}
