/** The parts of jest-circus' state perfgate reads (jest-circus is Jest's default runner). */
interface CircusEntry {
  readonly type: 'describeBlock' | 'test'
  readonly name: string
  readonly concurrent?: boolean
  /** How many times the test has started (retries start it again). */
  readonly invocations?: number
  /** Its own timeout (the third argument of `test`), else the file's `testTimeout` holds. */
  readonly timeout?: number
  /** When it started (`Date.now()`), set at its `test_start`. */
  readonly startedAt?: number | null
  readonly mode?: string | undefined
  readonly status?: string | null
  readonly errors?: readonly unknown[]
  readonly parent?: CircusEntry | undefined
  readonly children?: readonly CircusEntry[]
}

interface CircusState {
  readonly currentlyRunningTest?: CircusEntry | null
  readonly rootDescribeBlock?: CircusEntry
  readonly hasFocusedTests?: boolean
  readonly testNamePattern?: unknown
  readonly testTimeout?: number
}

// jest-circus keeps its state on the test environment's global under a Symbol of its own
// (not a registered one); it is found by its description.
function circusState(): CircusState | undefined {
  const symbol = Object.getOwnPropertySymbols(globalThis).find((candidate) => candidate.description === 'JEST_STATE_SYMBOL')
  return symbol === undefined ? undefined : ((globalThis as Record<symbol, unknown>)[symbol] as CircusState | undefined)
}

/** The parts of Jest's `expect` state that tell the running test (jest-circus sets them). */
export interface JestExpectState {
  /** Jest 30: the running test's entry, from an AsyncLocalStorage, so exact in concurrent tests. */
  readonly currentTestIdentity?: () => unknown
  /** Jest 29: the running concurrent test's titles joined by spaces, inside `test.concurrent` only. */
  readonly currentConcurrentTestName?: () => unknown
}

/** The running Jest test: its titles, its entry and which run of it; 'ambiguous' when Jest cannot tell. */
export interface JestTest {
  readonly titles: readonly string[]
  readonly token: object
  readonly attempt: number
  /** Its timeout and start, where Jest has them: perfgate's runs stop before the timeout. */
  readonly timeout: number | undefined
  readonly startTime: number | undefined
}

function titlesOf(test: CircusEntry): string[] {
  const names: string[] = []
  for (let entry: CircusEntry | undefined = test; entry?.parent !== undefined; entry = entry.parent) names.unshift(entry.name)
  return names
}

function isCircusTest(value: unknown): value is CircusEntry {
  return typeof value === 'object' && value !== null && (value as CircusEntry).type === 'test' && typeof (value as CircusEntry).name === 'string'
}

function concurrentTests(entry: CircusEntry | undefined, found: CircusEntry[] = []): CircusEntry[] {
  if (entry === undefined) return found
  if (entry.type === 'test' && entry.concurrent === true) found.push(entry)
  for (const child of entry.children ?? []) concurrentTests(child, found)
  return found
}

/**
 * The test that is asking, told apart even among `test.concurrent` tests: Jest 30 names it
 * through `expect`'s state; Jest 29 gives a concurrent test's titles joined by spaces, which
 * must match exactly one concurrent test. 'ambiguous' when they match several, or when
 * concurrent tests run and Jest gives neither. Undefined outside jest-circus.
 */
export function jestRunningTest(expectState: JestExpectState): JestTest | 'ambiguous' | undefined {
  const state = circusState()
  let test: CircusEntry | undefined
  // Jest 29 starts concurrent tests before their test_start (which counts invocations): one attempt.
  let concurrentUpfront = false
  const identity = expectState.currentTestIdentity?.()
  if (isCircusTest(identity)) {
    test = identity
  } else {
    const concurrentName = expectState.currentConcurrentTestName?.()
    const concurrent = concurrentTests(state?.rootDescribeBlock)
    if (typeof concurrentName === 'string') {
      const matching = concurrent.filter((candidate) => titlesOf(candidate).join(' ') === concurrentName)
      if (matching.length !== 1) return 'ambiguous'
      test = matching[0]
      concurrentUpfront = true
    } else {
      const running = state?.currentlyRunningTest ?? undefined
      if (running === undefined) return concurrent.length > 0 ? 'ambiguous' : undefined
      test = running
    }
  }
  if (test === undefined) return undefined
  const startTime = typeof test.startedAt === 'number' ? test.startedAt : undefined
  return { titles: titlesOf(test), token: test, attempt: concurrentUpfront ? 0 : (test.invocations ?? 1), timeout: test.timeout ?? state?.testTimeout, startTime }
}

/**
 * The line where the test is declared in `testPath`, from the stack jest-circus keeps for it
 * (`asyncError`, made where `test()` was called); undefined when it cannot be found.
 */
export function jestTestLine(test: JestTest, testPath: string | undefined): number | undefined {
  const stack = (test.token as { asyncError?: { stack?: unknown } }).asyncError?.stack
  if (typeof stack !== 'string' || testPath === undefined) return undefined
  for (const frame of stack.split('\n')) {
    const at = frame.lastIndexOf(testPath)
    if (at < 0) continue
    const line = /^:(\d+):\d+/.exec(frame.slice(at + testPath.length))?.[1]
    if (line !== undefined) return Number(line)
  }
  return undefined
}

function allRanAndPassed(entry: CircusEntry): boolean {
  if (entry.type === 'test') return entry.mode === undefined && entry.status === 'done' && (entry.errors?.length ?? 0) === 0
  return entry.mode !== 'skip' && entry.mode !== 'todo' && (entry.children ?? []).every(allRanAndPassed)
}

/** Every test of the file ran and passed, with no name filter or focused test. */
export function jestFullRun(): boolean {
  const state = circusState()
  if (state?.rootDescribeBlock === undefined || state.hasFocusedTests === true) return false
  if (state.testNamePattern !== undefined && state.testNamePattern !== null) return false
  return allRanAndPassed(state.rootDescribeBlock)
}
