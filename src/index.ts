export { measure } from './measure.js'
export type { LatencyResult, MeasureOptions } from './measure.js'
export { runLoad } from './load.js'
export type { LoadOptions, LoadResult } from './load.js'
export type { Outcome } from './outcome.js'
export { RequestTimeoutError, classifyError } from './outcome.js'
export { resolveTarget } from './target.js'
export type { RequestSpec, Target } from './target.js'
export { currentEnvironment } from './environment.js'
export type { Environment } from './environment.js'
export type { SampleSummary } from './stats.js'
export { PerfgateError, PerfgateTypeError } from './errors.js'
export type { PerfgateErrorCode } from './errors.js'
export { perfgateMatchers } from './matchers/index.js'
export type {
  LatencyStatistic,
  MatcherContext,
  MatcherResult,
  RespondWithinOptions,
  SustainSuccessRateOptions,
} from './matchers/index.js'
export type { PerfgateMatchers } from './types.js'
