// The way from the watchdog to a worker thread's live stack. An inspector
// session from a worker reaches only the process's main thread
// (`connectToMainThread()`, even from a worker's worker), but the main
// thread's `NodeWorker` domain attaches to every worker of the process and
// passes protocol messages to each. A `Runtime.evaluate` sent that way runs
// at the worker's next interrupt check, on top of whatever blocks it, as
// the main thread's probe does (measured: answered in 0.5-0.8 ms with the
// main thread idle, 0.5-4.9 ms with it blocked in JavaScript).
import { Session } from 'node:inspector'
import { createDebug } from '../core/debug-log.js'
import type { SharedBeat } from './protocol.js'

const debug = createDebug('loopwatch:watchdog')

/** How often an open route checks whether the main thread is exiting (a few microseconds each). */
const kExitCheckMs = 250

/** A worker's title in `NodeWorker.attachedToWorker`: `[worker <threadId>] <name>`. */
const kTitle = /^\[worker (\d+)\]/

interface Attached {
  sessionId: string
  /** Replies awaited, by message id. */
  replies: Map<number, (reply: WorkerReply | undefined) => void>
}

/** A protocol reply from a worker's session. */
export interface WorkerReply {
  id: number
  result?: unknown
  error?: { message: string }
}

/** What a message to a worker took on its way: the part spent waiting for the main thread to pass it on. */
export interface Sent {
  /** Settles with the worker's reply; `undefined` when the worker is gone or the route closed. */
  reply: Promise<WorkerReply | undefined>
  /** Settles (hrtime ms) once the main thread passed the message on. */
  relayed: Promise<number>
}

/**
 * One session to the main thread with `NodeWorker` enabled, shared by every
 * worker the watchdog serves; opened for the first one and closed after the
 * last. A message to a worker not attached yet waits for it.
 */
export class WorkerRoute {
  #session: Session | undefined
  readonly #attached = new Map<number, Attached>()
  /** Threads a message waits for, until they attach. */
  readonly #arrivals = new Map<number, Set<() => void>>()
  /** Called with the thread id of a worker that ended. */
  readonly #onGone: (threadId: number) => void
  #users = 0
  #nextId = 1
  /** The main thread's beat, when the watchdog serves it (see open()). */
  readonly #mainBeat: () => SharedBeat | undefined
  #main: SharedBeat | undefined

  constructor(onGone: (threadId: number) => void, mainBeat: () => SharedBeat | undefined) {
    this.#onGone = onGone
    this.#mainBeat = mainBeat
  }

  /** A served worker now uses the route. */
  open(): void {
    this.#users++
    if (this.#session !== undefined) return
    const session = new Session()
    session.connectToMainThread()
    session.on('NodeWorker.attachedToWorker', ({ params }) => {
      const threadId = Number(kTitle.exec(params.workerInfo.title)?.[1] ?? Number.NaN)
      if (Number.isNaN(threadId)) return
      this.#attached.set(threadId, { sessionId: params.sessionId, replies: new Map() })
      for (const arrived of this.#arrivals.get(threadId) ?? []) arrived()
      this.#arrivals.delete(threadId)
    })
    session.on('NodeWorker.detachedFromWorker', ({ params }) => {
      for (const [threadId, attached] of this.#attached) {
        if (attached.sessionId !== params.sessionId) continue
        this.#attached.delete(threadId)
        for (const settle of attached.replies.values()) settle(undefined)
        this.#onGone(threadId)
      }
    })
    session.on('NodeWorker.receivedMessageFromWorker', ({ params }) => {
      for (const attached of this.#attached.values()) {
        if (attached.sessionId !== params.sessionId) continue
        let reply: WorkerReply
        try {
          reply = JSON.parse(params.message) as WorkerReply
        } catch {
          return
        }
        attached.replies.get(reply.id)?.(reply)
        attached.replies.delete(reply.id)
      }
    })
    // Attaches to the workers there are and to every one started from now on.
    session.post('NodeWorker.enable', { waitForDebuggerOnStart: false }, (error) => {
      if (error) debug('NodeWorker.enable failed: %O', error)
    })
    this.#session = session
    debug('worker route open')
    // A session still connected when the main thread exits makes Node print
    // "Waiting for the debugger to disconnect..." (a process.exit() with a
    // watched worker alive). Where the main thread is served, it counts
    // this one among its connected sessions and waits at exit for it to
    // close (SharedBeat.releaseSession), which happens here.
    this.#main = this.#mainBeat()
    if (this.#main === undefined) return
    this.#main.setConnected(true)
    const main = this.#main
    const watchExit = async (): Promise<void> => {
      while (this.#session === session) {
        if (await main.exitingWithin(kExitCheckMs)) {
          if (this.#session === session) this.#shut()
          return
        }
      }
    }
    void watchExit()
  }

  /** A served worker no longer uses the route; the last one closes it. */
  close(): void {
    if (--this.#users > 0) return
    this.#shut()
  }

  #shut(): void {
    const session = this.#session
    if (session === undefined) return
    this.#session = undefined
    for (const attached of this.#attached.values()) for (const settle of attached.replies.values()) settle(undefined)
    this.#attached.clear()
    for (const arrived of [...this.#arrivals.values()].flatMap((set) => [...set])) arrived()
    this.#arrivals.clear()
    session.disconnect()
    this.#main?.setConnected(false)
    this.#main = undefined
    debug('worker route closed')
  }

  /**
   * Sends a protocol message to worker `threadId`. `waitMs`: how long to wait
   * for a worker that has not attached yet (it attaches a moment after the
   * route opens, or after it starts).
   */
  send(threadId: number, method: string, params: object, waitMs: number): Sent {
    let relayed!: (atMs: number) => void
    const sent: Sent = {
      relayed: new Promise((resolve) => {
        relayed = resolve
      }),
      reply: this.#whenAttached(threadId, waitMs).then((attached) => {
        const session = this.#session
        if (attached === undefined || session === undefined) return undefined
        const id = this.#nextId++
        return new Promise<WorkerReply | undefined>((resolve) => {
          attached.replies.set(id, resolve)
          session.post('NodeWorker.sendMessageToWorker',
            { sessionId: attached.sessionId, message: JSON.stringify({ id, method, params }) }, (error) => {
              relayed(hrtimeMs())
              if (!error) return
              attached.replies.delete(id)
              resolve(undefined)
            })
        })
      }),
    }
    return sent
  }

  async #whenAttached(threadId: number, waitMs: number): Promise<Attached | undefined> {
    const attached = this.#attached.get(threadId)
    if (attached !== undefined || this.#session === undefined) return attached
    await new Promise<void>((resolve) => {
      const arrivals = this.#arrivals.get(threadId) ?? new Set()
      this.#arrivals.set(threadId, arrivals)
      const arrived = () => {
        clearTimeout(timer)
        arrivals.delete(arrived)
        resolve()
      }
      const timer = setTimeout(arrived, waitMs)
      arrivals.add(arrived)
    })
    return this.#attached.get(threadId)
  }
}

function hrtimeMs(): number {
  return Number(process.hrtime.bigint()) / 1e6
}
