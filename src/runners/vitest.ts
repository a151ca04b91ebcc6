import './vitest-guard.js'
import { afterAll, afterEach, beforeEach, expect } from 'vitest'
import { useTestEndSignal } from '../common/test-scope.js'
import { finishTestFile } from '../gate/file-end.js'
import { claimRecords, endTest, startTest, testEndSignal } from '../gate/session.js'
import { perfgateMatchers } from '../matchers/index.js'
import { sendProgressToReporter } from './progress-channel.js'
import type { PerfgateMatchers } from '../matchers/types.js'

expect.extend(perfgateMatchers)

// Long runs' progress goes to perfgate's reporter, when it draws it (an interactive terminal).
sendProgressToReporter()

interface TaskLike {
  readonly type?: string
  readonly mode?: string
  readonly result?: { readonly state?: string }
  readonly tasks?: readonly TaskLike[]
  readonly filepath?: string
  /** Vitest hands a task's meta to the reporters in the main process (JSON-like values only). */
  readonly meta?: Record<string, unknown>
}

/** Every test of the file ran and passed: no filter, skip, todo or failure. */
function isFullRun(task: TaskLike): boolean {
  if (task.tasks !== undefined) return task.tasks.every(isFullRun)
  return task.mode === 'run' && task.result?.state === 'pass'
}

// The tests running now, so that a standalone measure(), benchmark() or runLoad() stops when
// its test ends; with several at once (concurrent tests), which one asks is unknown.
const runningTests = new Set<object>()
useTestEndSignal(() => {
  if (runningTests.size !== 1) return undefined
  const [task] = runningTests
  return task === undefined ? undefined : testEndSignal(task)
})
beforeEach(({ task }) => {
  // A retry runs the same task again.
  startTest(task)
  runningTests.add(task)
})

// When a test ends (passed, failed or timed out), its perfgate runs stop: nothing outlives it.
// Its records go to perfgate's reporter through the test's meta, which Vitest carries from any
// pool's worker to the reporters.
afterEach(({ task }) => {
  runningTests.delete(task)
  endTest(task)
  const records = claimRecords((record, test) => test === task || (test === undefined && record.testName === expect.getState().currentTestName))
  // Each attempt replaces the one before (a retry reports its last attempt), also with none.
  const meta = task.meta as Record<string, unknown>
  meta['perfgate'] = records
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
  const ended = await finishTestFile(testFile, suite !== undefined && isFullRun(suite), expect.getState().snapshotState)
  // Records made outside a test (in hooks), and the file's obsolete entries, go with the file's meta.
  const meta = suite?.meta
  if (meta === undefined) return
  const records = claimRecords((record) => record.testFile === testFile)
  if (records.length > 0) meta['perfgate'] = records
  if (ended !== null && ended.obsolete.length > 0 && ended.removed.length === 0) meta['perfgateObsolete'] = { file: ended.path, keys: ended.obsolete }
})

declare module 'vitest' {
  // No type parameters on purpose: Vitest 4 declares `Matchers<T = any>`, Vitest 5
  // `Matchers<R extends void | Promise<void> = …, T = unknown>`. A declaration without
  // parameters merges with both, because all of theirs have defaults.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Matchers extends PerfgateMatchers<void> {}
}

export type { PerfgateMatchers }
