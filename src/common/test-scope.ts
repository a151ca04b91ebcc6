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
