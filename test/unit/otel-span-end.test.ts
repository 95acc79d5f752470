import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Span } from '@opentelemetry/api'
import { interceptEnd, type InterceptOptions, type Intercepted } from '../../src/otel/span-end.js'

/** A stall whose start and busy time the test sets, as the detector would report them. */
function fakeStall(startTime: number, duration: number) {
  const stall = { startTime, duration }
  return { stall, read: () => ({ ...stall }) }
}

class FakeSpan {
  ends: unknown[][] = []
  events: string[] = []
  end(...args: unknown[]): void {
    this.ends.push(args)
  }
}

function intercept(span: FakeSpan, read: () => { startTime: number; duration: number }) {
  const released: Intercepted[] = []
  const options: InterceptOptions = {
    thresholdMs: 100,
    onError: (error) => {
      throw error
    },
    done: (i) => released.push(i),
  }
  const intercepted = interceptEnd(span as unknown as Span, read, options)
  return { intercepted, released }
}

test('end() during a block is held until the block is published: the event goes on the span, then it ends at the time end() was called', () => {
  const span = new FakeSpan()
  const { stall, read } = fakeStall(5000, 150)
  const { intercepted, released } = intercept(span, read)
  assert.ok(Object.hasOwn(span, 'end'))
  stall.duration = 320
  span.end(42)
  span.end(43)
  assert.deepEqual(span.ends, [], 'not ended yet')
  assert.equal(intercepted.held, true)
  intercepted.finish((held) => {
    (held as unknown as FakeSpan).events.push('loopwatch.block')
  })
  assert.deepEqual(span.events, ['loopwatch.block'])
  assert.deepEqual(span.ends, [[42]])
  assert.deepEqual(released, [intercepted])
  assert.equal(Object.hasOwn(span, 'end'), false)
  span.end()
  assert.equal(span.ends.length, 2)
})

test('a held end() without an end time ends the span at the time it was called', () => {
  const span = new FakeSpan()
  const { intercepted } = intercept(span, fakeStall(5000, 300).read)
  const before = performance.timeOrigin + performance.now()
  span.end()
  const after = performance.timeOrigin + performance.now()
  intercepted.release()
  const [endTime] = span.ends[0] as [number]
  assert.ok(endTime >= before && endTime <= after, `${endTime} in ${before}..${after}`)
})

test('end() after the stall is over is held when the blocked callback had already blocked past the threshold', async () => {
  const span = new FakeSpan()
  const { stall, read } = fakeStall(5000, 150)
  const { intercepted } = intercept(span, read)
  stall.duration = 310
  await Promise.resolve() // the probe's microtask: the blocked callback has returned
  // The loop idled, then beat: a later stall.
  stall.startTime = 5400
  stall.duration = 3
  span.end()
  assert.equal(intercepted.held, true)
  assert.deepEqual(span.ends, [])
})

test('end() of a stall under the threshold ends the span at once', () => {
  const span = new FakeSpan()
  const { read } = fakeStall(5000, 60)
  const { intercepted, released } = intercept(span, read)
  span.end()
  assert.equal(intercepted.held, false)
  assert.equal(span.ends.length, 1)
  assert.deepEqual(released, [intercepted])
})

test('release() ends a held span (its block never came, or the watcher stopped)', () => {
  const span = new FakeSpan()
  const { intercepted } = intercept(span, fakeStall(5000, 300).read)
  span.end(7)
  intercepted.release()
  assert.deepEqual(span.ends, [[7]])
  intercepted.finish(() => assert.fail('released: nothing to record'))
  assert.deepEqual(span.ends, [[7]])
})

test('release() puts back the span\'s own end(), and leaves a later wrapper alone', () => {
  const own = new FakeSpan()
  const ownEnd = (): void => undefined
  Object.defineProperty(own, 'end', { value: ownEnd, writable: true, configurable: true })
  const first = intercept(own, fakeStall(5000, 300).read)
  first.intercepted.release()
  assert.equal(Object.getOwnPropertyDescriptor(own, 'end')?.value, ownEnd)

  const span = new FakeSpan()
  const { intercepted } = intercept(span, fakeStall(5000, 300).read)
  const ours = span.end.bind(span)
  const theirs = (): void => {
    ours()
  }
  span.end = theirs
  intercepted.release()
  assert.equal(Object.getOwnPropertyDescriptor(span, 'end')?.value, theirs)
  span.end()
  assert.equal(span.ends.length, 1)
})
