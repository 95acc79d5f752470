import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ProfileEntry, StackFrame } from '../../src/index.js'
import { eventStack } from '../../src/watchdog/event-stack.js'
import { stackKey } from '../../src/watchdog/frames.js'

const app = (functionName: string, line = 1): StackFrame => ({ functionName, file: '/app/main.js', line, column: 1, internal: false })
const lib = (functionName: string, line = 1): StackFrame => ({ functionName, file: '/app/node_modules/yaml/index.js', line, column: 1, internal: false, package: 'yaml' })
const node = (functionName: string): StackFrame => ({ functionName, file: 'node:internal/timers', line: 1, column: 1, internal: true })

/** Samples as the sampler keeps them: stack (innermost first) to count, in the order first seen. */
function profileOf(...samples: [StackFrame[], number][]): Map<string, ProfileEntry> {
  return new Map(samples.map(([stack, count]) => [stackKey(stack), { stack, count }]))
}
const names = (stack: StackFrame[] | undefined) => stack?.map((frame) => frame.functionName).join(' < ')

test('a recursive parser whose samples spread over its depths beats a flat loop beside it with more samples on one stack', () => {
  const below = [lib('load'), app('loadSettings'), node('listOnTimeout')]
  const parse = (depth: number, top: string) => [lib(top), ...Array.from({ length: depth }, () => [lib('parseNode'), lib('readMapping')]).flat(), lib('parse'), ...below]
  const profile = profileOf(
    [parse(8, 'skipSpace'), 2],
    [[lib('construct'), ...below], 4],
    [parse(9, 'skipSpace'), 3],
    [parse(10, 'readScalar'), 2],
    [parse(11, 'skipSpace'), 3],
  )
  const stack = eventStack(profile) ?? assert.fail('no stack')
  assert.equal(stack[0]?.functionName, 'skipSpace')
  assert.ok(stack.length > 12, names(stack))
})

test('one stack with most of the samples is the event\'s, wherever the others sit', () => {
  const spin = [app('spinFor', 5), app('handler'), node('listOnTimeout')]
  const profile = profileOf(
    [[app('spinFor', 2), app('handler'), node('listOnTimeout')], 1],
    [spin, 20],
    [[app('other'), app('handler'), node('listOnTimeout')], 3],
  )
  assert.deepEqual(eventStack(profile), spin)
})

test('the function most samples blame comes first: a hot path of another culprit does not win', () => {
  // 6 samples blame slowPath, spread over 3 stacks; 4 on one stack blame quickPath.
  const profile = profileOf(
    [[app('quickPath'), node('listOnTimeout')], 4],
    [[lib('a'), app('slowPath'), node('listOnTimeout')], 2],
    [[lib('b'), app('slowPath'), node('listOnTimeout')], 2],
    [[lib('c'), app('slowPath'), node('listOnTimeout')], 2],
  )
  assert.equal(eventStack(profile)?.find((frame) => !frame.package && !frame.internal)?.functionName, 'slowPath')
})

test('samples of Node\'s code alone lose to any that name a function; alone they are the stack', () => {
  const between = [node('processTimers')]
  const spin = [app('spinFor'), node('listOnTimeout')]
  assert.deepEqual(eventStack(profileOf([between, 9], [spin, 1])), spin)
  assert.deepEqual(eventStack(profileOf([between, 2])), between)
  assert.equal(eventStack(new Map()), undefined)
})

test('a native call\'s held-off wait weighs for its stack: one sample of `JSON.parse` beats two of the loop after it', () => {
  const parse = [{ functionName: 'JSON.parse', file: '', line: 0, column: 0, internal: true }, app('readConfig', 3), app('main')]
  const after = [app('readConfig', 7), app('main')]
  const profile = profileOf([parse, 1], [after, 2])
  assert.deepEqual(eventStack(profile), after)
  assert.deepEqual(eventStack(profile, new Map([[stackKey(parse), 5]])), parse)
})

test('ties go to the stack sampled first', () => {
  const first = [app('spinFor', 5), app('handler')]
  const second = [app('spinFor', 6), app('handler')]
  assert.deepEqual(eventStack(profileOf([first, 3], [second, 3])), first)
})
