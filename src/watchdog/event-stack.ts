import type { ProfileEntry } from '../core/events.js'
import { isAppFrame, stackKey, type StackFrame } from './frames.js'

/**
 * The event's stack, chosen from a stall's samples in two steps.
 *
 * 1. The culprit: the function most samples blamed (the app's innermost
 *    frame, else the innermost user frame; the earliest on a tie; samples of
 *    Node's code alone only when no sample blamed a function). The first
 *    sample alone can land in other code of the same stall, run just before
 *    the block (measured under HTTP load: 1 sample in Node's HTTP internals,
 *    then 28 in the blocking function), or at the blocking function's first
 *    line, on its way in. (Weighing each sample by the time since the
 *    previous one, to count probes starved by GC pauses, was tried and
 *    dropped: under jest it blamed a block on an earlier test's function.)
 * 2. Under it, the hottest path, as a flame graph's widest tower: from the
 *    outermost frame down, the callee with the most samples at each level,
 *    and the most sampled stack that follows it. Not simply the most sampled
 *    stack: a recursive parser spreads its samples over a stack per depth,
 *    and one flat loop beside it wins with a fraction of the time (js-yaml
 *    5: 3 of 18 samples in `constructFromEvents` beat 12 spread over parse
 *    depths).
 *
 * `heldWeight`: samples a native call's wait stands for, by stack key (see
 * the sampler), added for this choice only.
 */
export function eventStack(profile: ReadonlyMap<string, ProfileEntry>, heldWeight: ReadonlyMap<string, number> = new Map()): StackFrame[] | undefined {
  const weighed = [...profile].map(([id, entry]) => ({ stack: entry.stack, weight: entry.count + (heldWeight.get(id) ?? 0) }))
  // Samples per culprit, in the order culprits were first sampled (ties go to the earliest).
  const culprits = new Map<string, number>()
  for (const { stack, weight } of weighed) {
    const key = culpritKey(stack)
    culprits.set(key, (culprits.get(key) ?? 0) + weight)
  }
  // Samples in Node's code alone (between microtasks, in the timers'
  // loop) name no culprit: they lose to any that do. Seen on Node 24 CI: a
  // 1.5 s `for (;;) await null` stall whose probes landed more often in
  // runNextTicks, between the microtasks, than in awaitInALoop.
  let top: string | undefined
  let topCount = 0
  for (const [key, count] of culprits) {
    if (key === '' && culprits.size > 1) continue
    if (count > topCount) {
      top = key
      topCount = count
    }
  }
  if (top === undefined) return undefined
  return hottest(weighed.filter(({ stack }) => culpritKey(stack) === top))
}

/** The blamed function of a sampled stack: the app's own frame, since samples deep in a library land in many of its functions. */
function culpritKey(stack: readonly StackFrame[]): string {
  const culprit = stack.find(isAppFrame) ?? stack.find((frame) => !frame.internal)
  return culprit === undefined ? '' : `${culprit.functionName}@${culprit.file}`
}

interface Weighed {
  stack: StackFrame[]
  weight: number
}

/** The most sampled stack along the hottest path through `stacks` (innermost frame first, as sampled). */
function hottest(stacks: Weighed[]): StackFrame[] | undefined {
  let along = stacks
  for (let depth = 0; ; depth++) {
    // Samples that end at this depth (their innermost frame is the path's
    // last), against each callee one level further in.
    let ending = 0
    const callees = new Map<string, { weight: number; stacks: Weighed[] }>()
    for (const entry of along) {
      const frame = entry.stack[entry.stack.length - 1 - depth]
      if (frame === undefined) {
        ending += entry.weight
        continue
      }
      const key = stackKey([frame])
      const callee = callees.get(key)
      if (callee === undefined) callees.set(key, { weight: entry.weight, stacks: [entry] })
      else {
        callee.weight += entry.weight
        callee.stacks.push(entry)
      }
    }
    let next: { weight: number; stacks: Weighed[] } | undefined
    for (const callee of callees.values()) if (next === undefined || callee.weight > next.weight) next = callee
    if (next === undefined || next.weight <= ending) break
    along = next.stacks
  }
  let best: Weighed | undefined
  for (const entry of along) if (best === undefined || entry.weight > best.weight) best = entry
  return best?.stack
}
