/** Stable codes that callers and tests branch on instead of message text. */
export type PerfgateErrorCode =
  | 'PERFGATE_INVALID_ARGUMENT'
  | 'PERFGATE_CONFIG_PARSE'
  | 'PERFGATE_CONFIG_INVALID'
  | 'PERFGATE_BASELINE_PARSE'
  | 'PERFGATE_BASELINE_INVALID'
  | 'PERFGATE_BENCHMARK_FAILED'
  | 'PERFGATE_WRONG_RUNNER'

/** An error raised by perfgate itself, with a stable `code`. */
export class PerfgateError extends Error {
  readonly code: PerfgateErrorCode

  constructor(code: PerfgateErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'PerfgateError'
    this.code = code
  }
}

/** Misuse of the API: a wrong argument or option. Thrown before any measurement starts. */
export class PerfgateTypeError extends TypeError {
  readonly code = 'PERFGATE_INVALID_ARGUMENT' as const

  constructor(message: string) {
    super(message)
    this.name = 'TypeError'
  }
}
