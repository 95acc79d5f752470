import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Span } from '@opentelemetry/api'
import type { BlockFacts } from '../../src/otel/attributes.js'
import { interceptEnd, type InterceptOptions, type Intercepted } from '../../src/otel/span-end.js'
import { FrameResolver } from '../../src/watchdog/frames.js'

/** A stall whose start and busy time the test sets, as the detector would report them. */
function fakeStall(startTime: number, duration: number) {
  const stall = { startTime, duration }
  return { stall, read: () => ({ ...stall }) }
}

class FakeSpan {
  ends: unknown[][] = []
  end(...args: unknown[]): void {
    this.ends.push(args)
  }
}

function intercept(span: FakeSpan, read: () => { startTime: number; duration: number }) {
  const recorded: BlockFacts[] = []
  const released: Intercepted[] = []
  const options: InterceptOptions = {
    thresholdMs: 100,
    hangTimeoutMs: 1000,
    resolve: (raw) => new FrameResolver('/nonexistent/').resolve(raw),
    record: (facts) => recorded.push(facts),
    onError: (error) => {
      throw error
    },
    done: (i) => released.push(i),
  }
  const intercepted = interceptEnd(span as unknown as Span, read, options)
  return { intercepted, recorded, released }
}

function blockedCaller(span: FakeSpan, read: () => { startTime: number; duration: number }) {
  return intercept(span, read)
}

test('end() during the block records the block so far, with the live stack, then ends the span and lets go', () => {
  const span = new FakeSpan()
  const { stall, read } = fakeStall(5000, 150)
  const { intercepted, recorded, released } = blockedCaller(span, read)
  assert.ok(Object.hasOwn(span, 'end'))
  stall.duration = 320
  span.end(42)
  assert.deepEqual(span.ends, [[42]])
  assert.equal(recorded.length, 1)
  const [facts] = recorded as [BlockFacts]
  assert.equal(facts.startTime, 5000)
  assert.equal(facts.duration, 320)
  assert.equal(facts.threshold, 100)
  assert.equal(facts.hang, false)
  assert.ok(facts.stack.some((f) => f.functionName === 'blockedCaller'), JSON.stringify(facts.stack))
  assert.ok(!facts.stack.some((f) => f.functionName === 'interceptEnd'))
  assert.equal(intercepted.ended, true)
  assert.equal(intercepted.recorded, true)
  assert.deepEqual(released, [intercepted])
  assert.equal(Object.hasOwn(span, 'end'), false)
  span.end()
  assert.equal(recorded.length, 1)
  assert.equal(span.ends.length, 2)
})

test('end() after the stall is over uses the duration read when the blocked callback returned', async () => {
  const span = new FakeSpan()
  const { stall, read } = fakeStall(5000, 150)
  const { recorded } = intercept(span, read)
  stall.duration = 310
  await Promise.resolve() // the probe's microtask: the blocked callback has returned
  // The loop idled, then beat: a later stall.
  stall.startTime = 5400
  stall.duration = 3
  span.end()
  assert.deepEqual(recorded.map((f) => [f.startTime, f.duration]), [[5000, 310]])
})

test('end() of a stall under the threshold records nothing', () => {
  const span = new FakeSpan()
  const { read } = fakeStall(5000, 60)
  const { intercepted, recorded } = intercept(span, read)
  span.end()
  assert.deepEqual(recorded, [])
  assert.equal(intercepted.ended, true)
  assert.equal(intercepted.recorded, false)
  assert.equal(span.ends.length, 1)
})

test('release() puts back the span\'s own end(), and leaves a later wrapper alone', () => {
  const own = new FakeSpan()
  const ownEnd = (): void => undefined
  Object.defineProperty(own, 'end', { value: ownEnd, writable: true, configurable: true })
  const first = intercept(own, fakeStall(5000, 300).read)
  first.intercepted.release()
  assert.equal(Object.getOwnPropertyDescriptor(own, 'end')?.value, ownEnd)

  const span = new FakeSpan()
  const { intercepted, recorded } = intercept(span, fakeStall(5000, 300).read)
  const ours = span.end.bind(span)
  const theirs = (): void => {
    ours()
  }
  span.end = theirs
  intercepted.release()
  assert.equal(Object.getOwnPropertyDescriptor(span, 'end')?.value, theirs)
  span.end()
  assert.deepEqual(recorded, [])
  assert.equal(span.ends.length, 1)
})

test('a hang is flagged from the duration so far', () => {
  const span = new FakeSpan()
  const { recorded } = intercept(span, fakeStall(5000, 1500).read)
  span.end()
  assert.equal(recorded[0]?.hang, true)
})
