import './vitest-guard.js'
import { afterAll, afterEach, expect } from 'vitest'
import { finishTestFile } from '../gate/file-end.js'
import { endTest } from '../gate/session.js'
import { perfgateMatchers } from '../matchers/index.js'
import type { PerfgateMatchers } from '../matchers/types.js'

expect.extend(perfgateMatchers)

interface TaskLike {
  readonly type?: string
  readonly mode?: string
  readonly result?: { readonly state?: string }
  readonly tasks?: readonly TaskLike[]
  readonly filepath?: string
}

/** Every test of the file ran and passed: no filter, skip, todo or failure. */
function isFullRun(task: TaskLike): boolean {
  if (task.tasks !== undefined) return task.tasks.every(isFullRun)
  return task.mode === 'run' && task.result?.state === 'pass'
}

// When a test ends (passed, failed or timed out), its perfgate runs stop: nothing outlives it.
afterEach(({ task }) => {
  endTest(task)
})

// A setup file's hooks run for each test file: the file's baselines are settled at its end.
// Vitest 4 passes (context, suite) and rejects a first parameter that is not destructured;
// Vitest 3.2 passes (suite). A function without parameters reads either from `arguments`.
afterAll(async function settleBaselines() {
  // eslint-disable-next-line prefer-rest-params
  const suite = (arguments.length > 1 ? arguments[1] : arguments[0]) as TaskLike | undefined
  endTest()
  const testFile = suite?.filepath ?? expect.getState().testPath
  if (testFile === undefined) return
  await finishTestFile(testFile, suite !== undefined && isFullRun(suite), expect.getState().snapshotState)
})

declare module 'vitest' {
  // No type parameters on purpose: Vitest 4 declares `Matchers<T = any>`, Vitest 5
  // `Matchers<R extends void | Promise<void> = …, T = unknown>`. A declaration without
  // parameters merges with both, because all of theirs have defaults.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Matchers extends PerfgateMatchers<void> {}
}

export type { PerfgateMatchers }
