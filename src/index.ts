export { measure } from './measure.js'
export type { LatencyResult, MeasureOptions } from './measure.js'
export { runLoad } from './load.js'
export type { LoadOptions, LoadResult } from './load.js'
export { benchmark } from './benchmark.js'
export type { BenchmarkOptions, BenchmarkResult } from './benchmark.js'
export { compare, formatChange } from './compare.js'
export type { CompareOptions, ComparedSide, Comparison, EnvironmentPolicy, Measurement, Verdict } from './compare.js'
export { BaselineFile, memoryBaselineFileSystem, nodeBaselineFileSystem } from './baseline-store.js'
export { parseBaselineFile, serializeBaselineFile } from './baseline-format.js'
export type { BaselineFileSystem } from './baseline-store.js'
export { baselineFilePath, baselineKey } from './baseline-path.js'
export type { BaselineFileContent, BaselineRecord, UpdateMode } from './baseline-types.js'
export { recordFrom } from './matchers/match-baseline.js'
export { resolveUpdateMode } from './update-mode.js'
export { configFileNames, defaultConfig, parseConfigText, readConfigFile, resolveConfig, validateUserConfig } from './config.js'
export type { PerfgateConfig, PerfgateUserConfig } from './config.js'
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
  MatchBaselineOptions,
  MatcherContext,
  MatcherResult,
  RespondWithinOptions,
  SustainSuccessRateOptions,
} from './matchers/index.js'
export type { PerfgateMatchers } from './types.js'
