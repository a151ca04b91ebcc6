/** The parts of Vitest's and Jest's matcher `this` that perfgate uses (both provide them). */
export interface MatcherContext {
  /** Vitest leaves this undefined when the assertion is not negated. */
  readonly isNot: boolean | undefined
  readonly promise: string
  readonly utils: MatcherUtils
  readonly currentTestName?: string | undefined
  readonly testPath?: string | undefined
  /** The runner's snapshot state; its update mode is read by the baseline matcher. */
  readonly snapshotState?: unknown
}

/** The `this.utils` helpers of both runners that perfgate's messages are built with. */
export interface MatcherUtils {
  matcherHint(matcherName: string, received?: string, expected?: string, options?: { isNot?: boolean | undefined; promise?: string }): string
  printExpected(value: unknown): string
  printReceived(value: unknown): string
  EXPECTED_COLOR(text: string): string
  RECEIVED_COLOR(text: string): string
  DIM_COLOR(text: string): string
}

/** What a matcher returns to the runner. */
export interface MatcherResult {
  readonly pass: boolean
  readonly message: () => string
}
