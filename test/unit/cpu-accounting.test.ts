import assert from 'node:assert/strict'
import { test } from 'node:test'
import { cpuBetween, findThrottleSource, parseSchedstat, parseThrottledNs } from '../../src/core/cpu-time.js'
import { isStarved } from '../../src/core/cause.js'
import { formatBlock } from '../../src/report/format.js'
import type { BlockEvent, StackFrame } from '../../src/index.js'

const bytes = (text: string) => Buffer.from(text, 'latin1')

test('schedstat parses to on-CPU and run-queue ns; anything else is refused', () => {
  const line = bytes('79148167 84206521 41\n')
  assert.deepEqual(parseSchedstat(line, line.length), [79148167, 84206521])
  for (const bad of ['', '12', 'x 1 2\n', '12 -3 4\n']) assert.equal(parseSchedstat(bytes(bad), bad.length), undefined, bad)
})

test('the split of a stall: on CPU, waiting, the rest off CPU, each bounded by the stall', () => {
  const before = { onCpuNs: 1e9, waitingNs: 5e8, throttledNs: undefined }
  // 62 ms stall: ran 3 ms, waited 55 ms; the rest (and the idle poll before it) off CPU.
  assert.deepEqual(cpuBetween(before, { onCpuNs: 1e9 + 3e6, waitingNs: 5e8 + 55e6, throttledNs: undefined }, 62),
    { onCpu: 3, waiting: 55, offCpu: 4 })
  // Counters that moved more than the stall lasted (the beat's own work) are clipped to it.
  assert.deepEqual(cpuBetween(before, { onCpuNs: 1e9 + 70e6, waitingNs: 5e8 + 10e6, throttledNs: undefined }, 62),
    { onCpu: 62, waiting: 0, offCpu: 0 })
  // Without the run-queue wait (process.threadCpuUsage()): no `waiting`, `offCpu` holds it.
  assert.deepEqual(cpuBetween({ onCpuNs: 0, waitingNs: undefined, throttledNs: undefined },
    { onCpuNs: 10e6, waitingNs: undefined, throttledNs: undefined }, 60), { onCpu: 10, offCpu: 50 })
  assert.deepEqual(cpuBetween({ ...before, throttledNs: 1e6 }, { onCpuNs: 1e9 + 3e6, waitingNs: 5e8 + 55e6, throttledNs: 41e6 }, 62),
    { onCpu: 3, waiting: 55, offCpu: 4, throttled: 40 })
})

test('starved: the stall minus its run-queue wait is under the threshold; never without the wait', () => {
  assert.equal(isStarved(62, 50, { waiting: 55 }), true)
  assert.equal(isStarved(2299, 50, { waiting: 2018 }), false)
  assert.equal(isStarved(62, 50, { waiting: 12 }), false)
  assert.equal(isStarved(62, 50, undefined), false)
  assert.equal(isStarved(62, 50, {}), false)
  // Off CPU while the GC helpers waited for a CPU: the machine's too.
  assert.equal(isStarved(89, 50, { waiting: 35, othersWaiting: 40 }), true)
  assert.equal(isStarved(89, 50, { waiting: 35, othersWaiting: 2 }), false)
})

test('the cgroup with a CPU limit is found for v2 and v1; none without a limit', () => {
  const files: Record<string, string> = {
    '/sys/fs/cgroup/kubepods/pod1/cpu.max': '50000 100000\n',
    '/sys/fs/cgroup/free/cpu.max': 'max 100000\n',
    '/sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_quota_us': '150000\n',
    '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '-1\n',
  }
  const read = (path: string) => {
    const text = files[path]
    if (text === undefined) throw new Error(`ENOENT ${path}`)
    return text
  }
  assert.deepEqual(findThrottleSource('0::/kubepods/pod1\n', read),
    { path: '/sys/fs/cgroup/kubepods/pod1/cpu.stat', field: 'throttled_usec' })
  assert.equal(findThrottleSource('0::/free\n', read), undefined)
  assert.deepEqual(findThrottleSource('4:memory:/docker/abc\n3:cpu,cpuacct:/docker/abc\n0::/\n', read),
    { path: '/sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.stat', field: 'throttled_time' })
  assert.equal(findThrottleSource('1:cpu:/\n0::/\n', read), undefined)
  assert.equal(parseThrottledNs('usage_usec 10\nnr_throttled 3\nthrottled_usec 4200\n', 'throttled_usec'), 4_200_000)
  assert.equal(parseThrottledNs('nr_periods 9\nthrottled_time 77\n', 'throttled_time'), 77)
  assert.equal(parseThrottledNs('nr_periods 9\n', 'throttled_time'), undefined)
})

const frame = (functionName: string, file: string, line = 1): StackFrame => ({ functionName, file, line, column: 5, internal: false })
const event = (patch: Partial<BlockEvent>): BlockEvent =>
  ({ id: 1, startTime: 0, duration: 62, threshold: 50, thread: { id: 0, name: '' }, hang: false, stack: [frame('spin', '/app/x.js', 3)], samples: 1,
    profile: [], cause: 'cpu', ...patch })

test('a starved stall reads as the machine\'s, its stack as running at the time, not a culprit', () => {
  const text = formatBlock(event({ cause: 'starved', cpu: { onCpu: 3, waiting: 55, offCpu: 4 } }), '/app')
  assert.equal(text, [
    'loopwatch: event loop stalled 62 ms (threshold 50 ms, cause: starved: on CPU 3 ms, waiting for a CPU 55 ms, off CPU 4 ms; '
      + 'the machine or the container\'s CPU limit, not your code)',
    '  running at the time:',
    '    at spin (x.js:3:5)',
  ].join('\n'))
  assert.match(formatBlock(event({ cause: 'starved', cpu: { onCpu: 3, waiting: 55, offCpu: 0.2 } })),
    /^loopwatch: event loop stalled 62 ms \(threshold 50 ms, cause: starved: on CPU 3 ms, waiting for a CPU 55 ms; the machine/)
})

test('a real block keeps its cause and shows the split; throttling is named', () => {
  assert.match(formatBlock(event({ duration: 412, cpu: { onCpu: 254, waiting: 150, offCpu: 8 } })),
    /^loopwatch: event loop blocked for 412 ms \(threshold 50 ms, cause: cpu; on CPU 254 ms, waiting for a CPU 150 ms, off CPU 8 ms\)\n/)
  assert.match(formatBlock(event({ duration: 412, cause: 'wait', cpu: { onCpu: 0, waiting: 0, offCpu: 412 } })),
    /\(threshold 50 ms, cause: wait; on CPU 0 ms, off CPU 412 ms\)/)
  assert.match(formatBlock(event({ duration: 412, cpu: { onCpu: 254, waiting: 150, offCpu: 8, throttled: 120 } })),
    /waiting for a CPU 150 ms \(throttled at the CPU limit 120 ms\), off CPU 8 ms/)
  assert.match(formatBlock(event({ duration: 412 })), /\(threshold 50 ms, cause: cpu\)\n/)
})
