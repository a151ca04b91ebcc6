import { PerfgateError } from '../common/errors.js'

/** Which test runner this process runs under, from what each runner sets before setup files run. */
export function detectRunner(): 'vitest' | 'jest' | 'unknown' {
  // Not process.env.VITEST: a Jest started from inside a Vitest run inherits it.
  if (typeof (globalThis as { __vitest_worker__?: unknown }).__vitest_worker__ === 'object') return 'vitest'
  if (process.env['JEST_WORKER_ID'] !== undefined || 'jest' in globalThis) return 'jest'
  return 'unknown'
}

/** Throws a clear error when a setup file meant for one runner is loaded by another. */
export function assertRunner(expected: 'vitest' | 'jest'): void {
  const actual = detectRunner()
  if (actual === expected || actual === 'unknown') return
  const advice =
    expected === 'vitest'
      ? "perfgate/vitest is the setup file for Vitest, but this is Jest: use setupFilesAfterEnv: ['perfgate/jest'] instead."
      : "perfgate/jest is the setup file for Jest, but this is Vitest: use setupFiles: ['perfgate/vitest'] (or the perfgate() plugin from 'perfgate/plugin') instead."
  throw new PerfgateError('PERFGATE_WRONG_RUNNER', advice)
}
