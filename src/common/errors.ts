/** Stable codes that callers and tests branch on instead of message text. */
export type PerfgateErrorCode =
  | 'PERFGATE_INVALID_ARGUMENT'
  | 'PERFGATE_CONFIG_PARSE'
  | 'PERFGATE_CONFIG_INVALID'
  | 'PERFGATE_BASELINE_PARSE'
  | 'PERFGATE_BASELINE_INVALID'
  | 'PERFGATE_BENCHMARK_FAILED'
  | 'PERFGATE_WRONG_RUNNER'
  | 'PERFGATE_TEST_TIMEOUT'
  | 'PERFGATE_BASELINE_LOCKED'
  | 'PERFGATE_UNKNOWN_TEST'
  | 'PERFGATE_DUPLICATE_TEST'
  | 'PERFGATE_REPORT_INVALID'
  | 'PERFGATE_REPORT_MERGE'
  | 'PERFGATE_REPORT_WRITE'
  | 'PERFGATE_BASELINE_IO'
  | 'PERFGATE_BASELINE_READONLY'
  | 'PERFGATE_FAKE_TIMERS'
  | 'PERFGATE_TEST_ENDED'

// The ESM and CommonJS builds (and Jest's setup file beside a test's own import) can each load
// their own copy of these classes; a shared brand keeps `instanceof` true across copies.
const perfgateErrorBrand = Symbol.for('perfgate.error')
const perfgateTypeErrorBrand = Symbol.for('perfgate.type-error')

function hasBrand(value: unknown, brand: symbol): boolean {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true
}

/** An error raised by perfgate itself, with a stable `code`. */
export class PerfgateError extends Error {
  readonly code: PerfgateErrorCode

  constructor(code: PerfgateErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'PerfgateError'
    this.code = code
    Object.defineProperty(this, perfgateErrorBrand, { value: true })
  }

  // The brand stands for PerfgateError itself; a subclass (BenchmarkStoppedError) checks its
  // prototype chain as usual, or every PerfgateError would be one of it.
  static override [Symbol.hasInstance](value: unknown): boolean {
    return this === PerfgateError ? hasBrand(value, perfgateErrorBrand) : Function.prototype[Symbol.hasInstance].call(this, value)
  }
}

/** Misuse of the API: a wrong argument or option. Thrown before any measurement starts. */
export class PerfgateTypeError extends TypeError {
  readonly code = 'PERFGATE_INVALID_ARGUMENT' as const

  constructor(message: string) {
    super(message)
    this.name = 'TypeError'
    Object.defineProperty(this, perfgateTypeErrorBrand, { value: true })
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return this === PerfgateTypeError ? hasBrand(value, perfgateTypeErrorBrand) : Function.prototype[Symbol.hasInstance].call(this, value)
  }
}
