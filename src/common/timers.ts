/**
 * The real timers and clocks, taken once when perfgate first loads in a process. A test's fake
 * timers (`vi.useFakeTimers()`, `jest.useFakeTimers()`) replace the global `setTimeout`,
 * `setImmediate`, `Date`, `performance` and, under Vitest, `node:timers`' own exports; perfgate's
 * runs, their deadlines and request timeouts must go on in real time under them (with the fakes,
 * a `toRespondWithin` waited for a timer that never fired, until the runner's timeout, and
 * tinybench, whose clock had been faked, never ended its round). perfgate loads with the
 * runner's setup file, before any test can install fakes; under Jest, whose fakes can be on
 * before the setup files run (`fakeTimers.enableGlobally`), `node:timers` and `node:perf_hooks`
 * (Node's own modules, outside the test's sandbox) stay real, and Jest keeps the real
 * `Date.now` for itself. For a monotonic clock, perfgate reads `node:perf_hooks`' `performance`,
 * which fakes replace on `globalThis` only. The first build to load (ESM or CommonJS) keeps them on `globalThis`,
 * so a copy loaded later, perhaps under fakes, uses the same.
 */
import * as timers from 'node:timers'

interface RealTimers {
  readonly setTimeout: typeof timers.setTimeout
  readonly clearTimeout: typeof timers.clearTimeout
  readonly setInterval: typeof timers.setInterval
  readonly clearInterval: typeof timers.clearInterval
  readonly setImmediate: typeof timers.setImmediate
  /** Milliseconds since the epoch. */
  readonly dateNow: () => number
}

const realKey = Symbol.for('perfgate.realTimers.v1')

function realTimers(): RealTimers {
  const holder = globalThis as { [realKey]?: RealTimers }
  // Jest keeps the environment's real Date.now under this symbol before it fakes anything.
  const jestNativeNow = (globalThis as Record<symbol, unknown>)[Symbol.for('jest-native-now')]
  holder[realKey] ??= {
    setTimeout: timers.setTimeout,
    clearTimeout: timers.clearTimeout,
    setInterval: timers.setInterval,
    clearInterval: timers.clearInterval,
    setImmediate: timers.setImmediate,
    dateNow: typeof jestNativeNow === 'function' ? (jestNativeNow as () => number) : Date.now.bind(Date),
  }
  return holder[realKey]
}

const real = realTimers()

export const setTimeout: typeof timers.setTimeout = real.setTimeout
export const clearTimeout: typeof timers.clearTimeout = real.clearTimeout
export const setInterval: typeof timers.setInterval = real.setInterval
export const clearInterval: typeof timers.clearInterval = real.clearInterval
export const setImmediate: typeof timers.setImmediate = real.setImmediate

/** `Date.now()` without fakes: the wall clock the runners time tests by, and files' mtimes. */
export const wallClockNow: () => number = real.dateNow

/** `setImmediate` as a promise: resolves on the next turn of the event loop, after its I/O. */
export function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

/** Runs `task` as a microtask (a promise job, which fake timers cannot hold back as they can `queueMicrotask`). */
export function microtask(task: () => void): void {
  void Promise.resolve().then(task)
}

/**
 * True when `fn` is a fake timer of @sinonjs/fake-timers (Vitest's and modern Jest's), which
 * marks each with its `clock`. A spy that calls through (`vi.spyOn(globalThis, 'setImmediate')`)
 * is no fake; legacy Jest fakes are mocks that cannot be told from such spies, and are not
 * recognised (a run under them stops at its test's deadline).
 */
function isFake(fn: unknown): boolean {
  if (typeof fn !== 'function') return false
  const { clock } = fn as { clock?: unknown }
  return typeof clock === 'object' && clock !== null
}

/** Which of `names` (`setImmediate`, `process.nextTick`, …) a test's fake timers replaced now. */
export function fakedTimers(names: readonly string[]): string[] {
  return names.filter((name) => {
    const [owner, key] = name.startsWith('process.') ? [globalThis.process as unknown as Record<string, unknown>, name.slice(8)] : [globalThis as unknown as Record<string, unknown>, name]
    return isFake(owner?.[key])
  })
}
