/**
 * The real timers and clock, taken once when perfgate loads. A test's fake timers
 * (`vi.useFakeTimers()`, `jest.useFakeTimers()`) replace the global `setTimeout`,
 * `setImmediate`, `Date` and, under Vitest, `node:timers`' own exports; perfgate's runs, their
 * deadlines and request timeouts must go on in real time under them (with the fakes, a
 * `toRespondWithin` waited for a timer that never fired, until the runner's timeout). perfgate
 * loads with the runner's setup file, before any test can install fakes; under Jest, whose fakes
 * can be on before the setup files run, `node:timers` (Node's own module, outside the test's
 * sandbox) and `node:perf_hooks` stay real.
 */
import { performance } from 'node:perf_hooks'
import * as timers from 'node:timers'

export const setTimeout: typeof timers.setTimeout = timers.setTimeout
export const clearTimeout: typeof timers.clearTimeout = timers.clearTimeout
export const setInterval: typeof timers.setInterval = timers.setInterval
export const clearInterval: typeof timers.clearInterval = timers.clearInterval
export const setImmediate: typeof timers.setImmediate = timers.setImmediate

/** `setImmediate` as a promise: resolves on the next turn of the event loop, after its I/O. */
export function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

/** Runs `task` as a microtask (a promise job, which fake timers cannot hold back as they can `queueMicrotask`). */
export function microtask(task: () => void): void {
  void Promise.resolve().then(task)
}

/** Milliseconds since the epoch, as `Date.now()` reads it without fakes (from the monotonic clock and its origin). */
export function wallClockNow(): number {
  return performance.timeOrigin + performance.now()
}

/** True when `fn` is a fake timer: @sinonjs/fake-timers' (Vitest, modern Jest) or a Jest mock (legacy Jest fakes). */
function isFake(fn: unknown): boolean {
  if (typeof fn !== 'function') return false
  const marks = fn as { clock?: unknown; _isMockFunction?: unknown }
  return (typeof marks.clock === 'object' && marks.clock !== null) || marks._isMockFunction === true
}

/** Which of `names` (`setImmediate`, `process.nextTick`, …) a test's fake timers replaced now. */
export function fakedTimers(names: readonly string[]): string[] {
  return names.filter((name) => {
    const [owner, key] = name.startsWith('process.') ? [globalThis.process as unknown as Record<string, unknown>, name.slice(8)] : [globalThis as unknown as Record<string, unknown>, name]
    return isFake(owner?.[key])
  })
}
