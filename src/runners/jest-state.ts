/** The parts of jest-circus' state perfgate reads (jest-circus is Jest's default runner). */
interface CircusEntry {
  readonly type: 'describeBlock' | 'test'
  readonly name: string
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
}

// jest-circus keeps its state on the test environment's global under a Symbol of its own
// (not a registered one); it is found by its description.
function circusState(): CircusState | undefined {
  const symbol = Object.getOwnPropertySymbols(globalThis).find((candidate) => candidate.description === 'JEST_STATE_SYMBOL')
  return symbol === undefined ? undefined : ((globalThis as Record<symbol, unknown>)[symbol] as CircusState | undefined)
}

/**
 * The running test's name as `describe > test`, the way Vitest names it, so a project keeps its
 * baseline keys when it moves between runners. Undefined outside jest-circus.
 */
export function jestTestName(): string | undefined {
  const test = circusState()?.currentlyRunningTest
  if (test === undefined || test === null) return undefined
  const names: string[] = []
  for (let entry: CircusEntry | undefined = test; entry?.parent !== undefined; entry = entry.parent) names.unshift(entry.name)
  return names.join(' > ')
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
