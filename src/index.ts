export { measure } from './measure/latency.js'
export type { LatencyResult, MeasureOptions } from './measure/latency.js'
export { runLoad } from './measure/load.js'
export type { LoadOptions, LoadResult } from './measure/load.js'
export type { BucketLatency, LoadTimeline, TimelineBucket } from './measure/timeline.js'
export { benchmark } from './measure/benchmark.js'
export type { BenchmarkOptions, BenchmarkResult } from './measure/benchmark.js'
export { compare, formatChange } from './gate/compare.js'
export type { CompareOptions, ComparedSide, Comparison, EnvironmentPolicy, Measurement, Verdict } from './gate/compare.js'
export { BaselineFile, memoryBaselineFileSystem, nodeBaselineFileSystem } from './baselines/store.js'
export { parseBaselineFile, serializeBaselineFile } from './baselines/format.js'
export type { BaselineFileSystem } from './baselines/store.js'
export { baselineFilePath, baselineKey } from './baselines/path.js'
export type { BaselineFileContent, BaselineRecord, UpdateMode } from './baselines/types.js'
export { recordFrom } from './gate/baseline-record.js'
export { keptRecords } from './gate/session.js'
export type { AssertionSite, BaselineCheckRecord, ErrorRecord, LatencyCheckRecord, LoadCheckRecord, MeasurementSummary, PerfRecord } from './gate/records.js'
export { resolveUpdateMode } from './baselines/update-mode.js'
export { configFileNames, defaultConfig, parseConfigText, readConfigFile, resolveConfig, validateUserConfig } from './config/config.js'
export type { PerfgateConfig, PerfgateUserConfig } from './config/config.js'
export type { Outcome } from './measure/outcome.js'
export { RequestTimeoutError, classifyError } from './measure/outcome.js'
export { resolveTarget } from './measure/target.js'
export type { RequestSpec, Target } from './measure/target.js'
export { currentEnvironment } from './machine/environment.js'
export type { Environment } from './machine/environment.js'
export type { SampleSummary } from './stats/index.js'
export { PerfgateError, PerfgateTypeError } from './common/errors.js'
export type { PerfgateErrorCode } from './common/errors.js'
export { perfgateMatchers } from './matchers/index.js'
export type {
  LatencyStatistic,
  MatchBaselineOptions,
  MatcherContext,
  MatcherResult,
  RespondWithinOptions,
  SustainSuccessRateOptions,
} from './matchers/index.js'
export type { PerfgateMatchers } from './matchers/types.js'
