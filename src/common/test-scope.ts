/**
 * The running test's end, for the standalone runs (`measure()`, `benchmark()`, `runLoad()`),
 * which no matcher hands a deadline: a runner adapter (perfgate/vitest, perfgate/jest) tells
 * which signal fires when the test that is running now ends, so that a run a test started does
 * not go on sending requests into the next test after a timeout. Kept on `globalThis`, so that
 * the ESM and CommonJS builds in one process share it.
 */
const scopeKey = Symbol.for('perfgate.testScope.v1')

type EndSignalProvider = () => AbortSignal | undefined

/** Sets how to find the running test's end signal (undefined: none, as outside a runner). */
export function useTestEndSignal(provider: EndSignalProvider | undefined): void {
  ;(globalThis as { [scopeKey]?: EndSignalProvider })[scopeKey] = provider
}

/**
 * A signal that fires when the test running now ends; undefined outside a test, when the
 * runner adapter is not loaded, or when several tests run at once and which one asks is unknown.
 */
export function runningTestEndSignal(): AbortSignal | undefined {
  return (globalThis as { [scopeKey]?: EndSignalProvider })[scopeKey]?.()
}

/** A standalone run's result → the end signal of the test that took it (shared by both builds). */
const takenInKey = Symbol.for('perfgate.takenIn.v1')

function takenIn(): WeakMap<object, AbortSignal> {
  const holder = globalThis as { [takenInKey]?: WeakMap<object, AbortSignal> }
  holder[takenInKey] ??= new WeakMap()
  return holder[takenInKey]
}

/** Notes that `result` was taken in the test whose end `signal` fires (nothing outside a test). */
export function noteTakenIn<T extends object>(result: T, signal: AbortSignal | undefined): T {
  if (signal !== undefined) takenIn().set(result, signal)
  return result
}

/**
 * True when `result` was taken in a test that has ended since: a `measure()` cut short by its
 * test's timeout resolves with what it had, and the test's body goes on into the next test's
 * time, where the runner names the next test. Such a result belongs to no running test.
 */
export function takenInEndedTest(result: unknown): boolean {
  return typeof result === 'object' && result !== null && takenIn().get(result)?.aborted === true
}
