import { spawn, type ChildProcessByStdio } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import type { Readable } from 'node:stream'
import { fixturesDir } from './run-fixture.js'

/** The built CLI (npm test builds first). */
export const cliPath = fileURLToPath(new URL('../../dist/cli.js', import.meta.url))

export interface CliResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** Runs `loopwatch ...args` in the fixtures folder; kills it and rejects after `timeoutMs`. */
export async function runCli(args: string[], timeoutMs = 20_000): Promise<CliResult> {
  const cli = startCli(args, timeoutMs)
  const { code, signal } = await cli.ended
  if (signal === 'SIGKILL') throw new Error(`loopwatch ${args.join(' ')} timed out after ${timeoutMs} ms\n${cli.stderr()}`)
  return { code, signal, stdout: cli.stdout(), stderr: cli.stderr() }
}

/** A CLI process the test talks to while it runs: waits for output, sends signals. */
export interface LiveCli {
  child: ChildProcessByStdio<null, Readable, Readable>
  stdout: () => string
  stderr: () => string
  /** Resolves once stdout or stderr (as named) matches; rejects after `timeoutMs` or if the CLI ends first. */
  waitFor(stream: 'stdout' | 'stderr', pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>
  /** SIGKILLs the CLI and the app (its own process group). */
  killAll(): void
  /** Resolves when the CLI has ended. */
  ended: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

/**
 * Starts `loopwatch ...args`. Past `timeoutMs` the CLI and the app are
 * killed (the test then fails on a SIGKILL); tests also kill them in t.after.
 */
export function startCli(args: string[], timeoutMs = 20_000): LiveCli {
  const child = spawn(process.execPath, [cliPath, ...args], {
    cwd: fixturesDir,
    env: { ...process.env, NODE_OPTIONS: '', DEBUG: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so that a test can end the CLI and the app together.
    detached: true,
  })
  const text = { stdout: '', stderr: '' }
  const waiters = new Set<() => void>()
  for (const name of ['stdout', 'stderr'] as const) {
    child[name].setEncoding('utf8').on('data', (chunk: string) => {
      text[name] += chunk
      for (const check of waiters) check()
    })
  }
  const ended = once(child, 'close').then((args) => {
    const [code, signal] = args as [number | null, NodeJS.Signals | null]
    return { code, signal }
  })
  const deadline = setTimeout(() => {
    live.killAll()
  }, timeoutMs).unref()
  void ended.finally(() => {
    clearTimeout(deadline)
  })
  const live: LiveCli = {
    child,
    killAll() {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
      } catch {
        // Already gone.
      }
    },
    stdout: () => text.stdout,
    stderr: () => text.stderr,
    ended,
    waitFor(stream, pattern, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          done()
          reject(new Error(`no ${String(pattern)} on ${stream} within ${timeoutMs} ms\nstdout: ${text.stdout}\nstderr: ${text.stderr}`))
        }, timeoutMs)
        const check = () => {
          const match = pattern.exec(text[stream])
          if (match) {
            done()
            resolve(match)
          }
        }
        const done = () => {
          clearTimeout(timer)
          waiters.delete(check)
        }
        waiters.add(check)
        void ended.then(() => {
          if (!waiters.has(check)) return
          done()
          reject(new Error(`the CLI ended before ${String(pattern)} on ${stream}\nstdout: ${text.stdout}\nstderr: ${text.stderr}`))
        })
        check()
      })
    },
  }
  return live
}
