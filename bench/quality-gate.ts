/**
 * `toMatchBaseline`'s decision at default settings, outside a test runner, so that the quality
 * benchmark judges each measurement exactly as the matcher would.
 *
 * It calls the same public functions the matcher calls (`benchmark()` resolves to the same
 * `runBenchmark` with the same options), with the options taken from `defaultConfig`, and
 * the matcher's own adaptive-sampling loop, `compareAdaptively`.
 */
import { resolveCompareOptions } from '../src/gate/compare.js'
import { benchmark, defaultConfig } from '../src/index.js'
import type { BaselineRecord, BenchmarkResult, Comparison } from '../src/index.js'
import { compareAdaptively } from '../src/gate/adaptive.js'

/** The verdict as toMatchBaseline reaches it, with the measurements it saw. */
export interface GateDecision {
  readonly comparison: Comparison
  /** The first measurement, at the default `time`: what a tool without adaptive sampling sees. */
  readonly first: BenchmarkResult
  /** All samples the verdict rests on (the first measurement plus any adaptive extensions). */
  readonly final: BenchmarkResult
  /** ms of sampling asked for in total (time, plus each extension). */
  readonly samplingMs: number
  /** How many extensions adaptive sampling added. */
  readonly extensions: number
}

const config = defaultConfig
const benchmarkOptions = {
  warmupTime: config.benchmark.warmupTime,
  minSamples: config.benchmark.minSamples,
  rounds: config.benchmark.rounds,
}
const compareOptions = resolveCompareOptions({}, 'options', config)
// The matcher's default: maxTime grows to `time` when the configured one is shorter.
const maxTime = Math.max(config.benchmark.maxTime, config.benchmark.time)

/** Benchmarks `fn` at default settings, as toMatchBaseline does before recording a baseline. */
export function measureDefault(key: string, fn: () => unknown, time: number = config.benchmark.time): Promise<BenchmarkResult> {
  return benchmark(key, fn, { ...benchmarkOptions, time })
}

/** toMatchBaseline's verdict for `fn` against a stored record, at default settings. */
export async function decideLikeMatcher(key: string, fn: () => unknown, stored: BaselineRecord): Promise<GateDecision> {
  const time = config.benchmark.time
  const first = await measureDefault(key, fn, time)
  const adaptive = await compareAdaptively(stored, first, (more) => measureDefault(key, fn, more), compareOptions, { time, maxTime, endsAt: Number.POSITIVE_INFINITY })
  return { comparison: adaptive.comparison, first, final: adaptive.current, samplingMs: adaptive.samplingMs, extensions: adaptive.extensions }
}
