import './jest-guard.js'
import { PerfgateError } from '../common/errors.js'
import { finishTestFile } from '../gate/file-end.js'
import { useWarningWriter } from '../gate/session.js'
import { jestFullRun, jestTestName } from './jest-state.js'
import { perfgateMatchers } from '../matchers/index.js'
import type { MatcherContext, MatcherResult } from '../matchers/index.js'
import type { PerfgateMatchers } from '../matchers/types.js'
// Brings the 'expect' package (installed with Jest) into the program, for the augmentation below.
import type {} from 'expect'

type Matcher = (this: MatcherContext, received: unknown, ...args: unknown[]) => Promise<MatcherResult>

interface JestGlobals {
  readonly expect?: { extend(matchers: Record<string, Matcher>): void; getState(): { testPath?: string; snapshotState?: unknown } }
  readonly afterAll?: (fn: () => Promise<void>) => void
}

const { expect, afterAll } = globalThis as JestGlobals
if (expect === undefined || afterAll === undefined) {
  throw new PerfgateError(
    'PERFGATE_WRONG_RUNNER',
    "perfgate/jest needs Jest's globals (expect, afterAll): list it in setupFilesAfterEnv (not setupFiles), and keep injectGlobals on.",
  )
}

// The adapter only swaps in Jest's test name as `describe > test`; everything else is the core's.
function withJestTestName(matcher: Matcher): Matcher {
  return function (this: MatcherContext, received, ...args) {
    const currentTestName = jestTestName() ?? this.currentTestName
    return matcher.call(Object.create(this, { currentTestName: { value: currentTestName } }) as MatcherContext, received, ...args)
  }
}

// Jest prints a console.warn with the stack frame of its caller, which would be perfgate's own
// code in node_modules; a warning goes straight to stderr instead, as one line.
useWarningWriter((message) => {
  process.stderr.write(`${message}\n`)
})

expect.extend(Object.fromEntries(Object.entries(perfgateMatchers).map(([name, matcher]) => [name, withJestTestName(matcher as Matcher)])))

// A setup file's hooks run for each test file: the file's baselines are settled at its end.
afterAll(async () => {
  const { testPath, snapshotState } = expect.getState()
  if (testPath !== undefined) await finishTestFile(testPath, jestFullRun(), snapshotState)
})

// Types for both styles Jest users have: `@jest/globals` (the `expect` package's Matchers) and
// `@types/jest` (the global `jest.Matchers`). Their type parameters must match Jest's exactly.
declare module 'expect' {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars, @typescript-eslint/no-empty-object-type
  interface Matchers<R extends void | Promise<void>, T = unknown> extends PerfgateMatchers<R> {}
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    // eslint-disable-next-line @typescript-eslint/no-unused-vars, @typescript-eslint/no-empty-object-type
    interface Matchers<R, T = {}> extends PerfgateMatchers<R> {}
  }
}

export type { PerfgateMatchers }
