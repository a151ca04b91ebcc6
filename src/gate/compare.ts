import { mean, median } from 'simple-statistics'
import type { BaselineRecord } from '../baselines/types.js'
import type { BenchmarkResult } from '../measure/benchmark.js'
import type { Environment } from '../machine/environment.js'
import { PerfgateTypeError } from '../common/errors.js'
import type { LatencyResult } from '../measure/latency.js'
import { bootstrapRatio, compactSorted, mannWhitney, relativeInterquartileRange } from '../stats/index.js'
import { integerAtLeast, invalidArgument, optionsObject, positiveNumber } from '../common/validate.js'

/** The outcome of comparing a measurement with its baseline. */
export type Verdict = 'unchanged' | 'improved' | 'regressed' | 'inconclusive'

/** Anything that can be compared: a fresh result or a stored record. */
export type Measurement = BenchmarkResult | LatencyResult | BaselineRecord

/** How a different environment on the two sides is treated. */
export type EnvironmentPolicy = 'strict' | 'warn' | 'ignore'

/** Options of `compare()`. */
export interface CompareOptions {
  /** Smallest relative change that counts (default 0.10 = 10%). */
  readonly threshold?: number
  /** Significance level of the one-sided rank test (default 0.01). */
  readonly alpha?: number
  /** The statistic compared (default `'median'`). */
  readonly statistic?: 'median' | 'mean'
  /** `strict` (default): a slowdown across environments is inconclusive; `warn`: decided, with a note; `ignore`. */
  readonly environment?: EnvironmentPolicy
  /** Fewer samples than this on either side is inconclusive (default 5). */
  readonly minSamples?: number
  /** Seed of the bootstrap, for reproducible intervals (default 1). */
  readonly seed?: number
}

/** One side of a comparison, as the evidence reports it. */
export interface ComparedSide {
  /** The statistic, in ms. */
  readonly value: number
  /** Values compared: rounds, or points of a compact sample of at most 256. */
  readonly samples: number
  /** Interquartile spread of this side's round medians (0 with fewer than 4 rounds). */
  readonly noise: number
  readonly environment: Environment
}

/** A verdict with its evidence. */
export interface Comparison {
  readonly verdict: Verdict
  /** One line in plain words: "median 1.84 ms vs 1.21 ms baseline, +52% [95% CI +41%..+63%], p < 0.001, threshold 10%". */
  readonly reason: string
  readonly statistic: 'median' | 'mean'
  /** What was compared: round medians (benchmarks, ≥ 5 rounds a side) or samples (HTTP latencies). */
  readonly unit: 'rounds' | 'samples'
  readonly baseline: ComparedSide
  readonly current: ComparedSide
  /** Relative change of the statistic: +0.52 is 52% slower. */
  readonly change: number
  /** Bootstrap confidence interval of the relative change. */
  readonly interval: { readonly lower: number; readonly upper: number; readonly confidence: number }
  /** One-sided rank-test p-value in the direction of the change. */
  readonly pValue: number
  readonly alpha: number
  readonly threshold: number
  /** The baseline's own noise: a change must exceed it too. */
  readonly noiseFloor: number
  readonly environmentMatch: boolean
}

/** The most points a side contributes to the tests; stored baselines keep this many. */
export const comparedPoints = 256

const compareOptionKeys = ['threshold', 'alpha', 'statistic', 'environment', 'minSamples', 'seed'] as const

/** Compare options after validation and defaults. */
export interface ResolvedCompareOptions {
  readonly threshold: number
  readonly alpha: number
  readonly statistic: 'median' | 'mean'
  readonly environment: EnvironmentPolicy
  readonly minSamples: number
  readonly seed: number
}

/** Validates compare options once; `defaults` come from the configuration. */
export function resolveCompareOptions(
  raw: Partial<Record<(typeof compareOptionKeys)[number], unknown>>,
  name: string,
  defaults: Partial<ResolvedCompareOptions> = {},
): ResolvedCompareOptions {
  const alpha = raw.alpha ?? defaults.alpha ?? 0.01
  if (typeof alpha !== 'number' || !(alpha > 0 && alpha < 0.5)) invalidArgument(`${name}.alpha`, 'a number between 0 and 0.5', alpha)
  const statistic = raw.statistic ?? defaults.statistic ?? 'median'
  if (statistic !== 'median' && statistic !== 'mean') invalidArgument(`${name}.statistic`, "'median' or 'mean'", statistic)
  const environment = raw.environment ?? defaults.environment ?? 'strict'
  if (environment !== 'strict' && environment !== 'warn' && environment !== 'ignore') {
    invalidArgument(`${name}.environment`, "'strict', 'warn' or 'ignore'", environment)
  }
  return {
    threshold: positiveNumber(`${name}.threshold`, raw.threshold ?? defaults.threshold ?? 0.1),
    alpha,
    statistic,
    environment,
    minSamples: integerAtLeast(`${name}.minSamples`, raw.minSamples ?? defaults.minSamples ?? 5, 2),
    seed: integerAtLeast(`${name}.seed`, raw.seed ?? defaults.seed ?? 1, 0),
  }
}

interface Side {
  readonly sample: readonly number[]
  /** The median of each independent round (empty when the measurement had no rounds). */
  readonly rounds: readonly number[]
  readonly environment: Environment
}

/** Rounds on each side needed to test round against round (5 against 5 can reach p = 0.004). */
export const minRoundsForRoundTest = 5

/**
 * The noise of a measurement: the interquartile spread of its round medians, once there are
 * enough rounds for one, else 0. One or two rounds disturbed by other work cannot inflate it.
 */
export function roundNoise(rounds: readonly number[]): number {
  return rounds.length >= 4 ? relativeInterquartileRange(rounds) : 0
}

function sideOf(measurement: Measurement, name: string): Side {
  if (typeof measurement !== 'object' || measurement === null) {
    return invalidArgument(name, 'a benchmark() or measure() result, or a baseline record', measurement)
  }
  if ('kind' in measurement && measurement.kind === 'benchmark') {
    return { sample: compactSorted(measurement.samples, comparedPoints), rounds: measurement.rounds, environment: measurement.environment }
  }
  if ('kind' in measurement && measurement.kind === 'latency') {
    if (measurement.samples.length === 0) throw new PerfgateTypeError(`\`${name}\` has no successful request to compare`)
    return { sample: compactSorted(measurement.samples, comparedPoints), rounds: [], environment: measurement.environment }
  }
  if ('sample' in measurement && Array.isArray(measurement.sample)) {
    return { sample: measurement.sample, rounds: measurement.rounds, environment: measurement.environment }
  }
  return invalidArgument(name, 'a benchmark() or measure() result, or a baseline record', measurement)
}

/** `+52%`, `-3.1%`: signed, one decimal below 10%. */
export function formatChange(change: number): string {
  const percent = change * 100
  const digits = Math.abs(percent) < 10 ? 1 : 0
  return `${percent >= 0 ? '+' : ''}${percent.toFixed(digits)}%`
}

function formatP(p: number): string {
  return p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`
}

function formatStat(ms: number): string {
  if (ms >= 100) return `${ms.toFixed(0)} ms`
  if (ms >= 1) return `${ms.toFixed(2)} ms`
  if (ms >= 0.001) return `${(ms * 1000).toFixed(ms >= 0.1 ? 0 : 2)} µs`
  return `${(ms * 1e6).toFixed(1)} ns`
}

/**
 * Compares a measurement with its baseline by DESIGN's rule: a change counts only when the
 * one-sided rank test is significant at `alpha` **and** the change is beyond `threshold`
 * **and** beyond the noise floor of either side. A slowdown that is large but not shown to be
 * real is `inconclusive`, never `unchanged`.
 * @example
 * const comparison = compare(baselineResult, currentResult)
 * comparison.verdict // 'regressed'
 * comparison.reason  // 'median 1.84 ms vs 1.21 ms baseline, +52% [95% CI +41%..+63%], p < 0.001, threshold 10%'
 */
export function compare(baseline: Measurement, current: Measurement, options?: CompareOptions): Comparison {
  const resolved = resolveCompareOptions(optionsObject('options', options, compareOptionKeys), 'options')
  return compareResolved(baseline, current, resolved)
}

/** compare() after validation: shared with `toMatchBaseline`. */
export function compareResolved(baseline: Measurement, current: Measurement, options: ResolvedCompareOptions): Comparison {
  const base = sideOf(baseline, 'baseline')
  const cur = sideOf(current, 'current')
  // Samples taken in one process are not independent: a burst of other work slows a run of
  // them together. Independent rounds are the honest unit, so they are compared when both
  // sides have enough; single-round measurements (such as HTTP latencies) compare samples.
  const unit = base.rounds.length >= minRoundsForRoundTest && cur.rounds.length >= minRoundsForRoundTest ? 'rounds' : 'samples'
  const baseValues = unit === 'rounds' ? base.rounds : base.sample
  const currentValues = unit === 'rounds' ? cur.rounds : cur.sample
  const ratio = bootstrapRatio(baseValues, currentValues, options.statistic, { seed: options.seed, confidence: 0.95 })
  const change = ratio.estimate - 1
  const slower = change > 0
  const test = mannWhitney(baseValues, currentValues, slower ? 'greater' : 'less')
  const baseNoise = roundNoise(base.rounds)
  const currentNoise = roundNoise(cur.rounds)
  // The entry's own noise floor: how far its recorded rounds were from agreeing.
  const noiseFloor = baseNoise
  // Other work on a machine only ever slows code down, sometimes for seconds at a time. Code
  // that got slower is slower in every round, so its fastest round must be slower too; one
  // current round as fast as the baseline's best means the code can still run that fast.
  const fastestChange = unit === 'rounds' ? Math.min(...cur.rounds) / Math.min(...base.rounds) - 1 : undefined
  const environmentMatch = base.environment.id === cur.environment.id
  const significant = test.pValue < options.alpha
  const beyondThreshold = Math.abs(change) > options.threshold
  const beyondNoise = Math.abs(change) > noiseFloor

  const baseValue = valueOf(baseValues, options.statistic)
  const currentValue = valueOf(currentValues, options.statistic)
  const evidence =
    `${options.statistic} ${formatStat(currentValue)} vs ${formatStat(baseValue)} baseline, ${formatChange(change)} ` +
    `[95% CI ${formatChange(ratio.lower - 1)}..${formatChange(ratio.upper - 1)}], ${formatP(test.pValue)}, ` +
    `threshold ${formatChange(options.threshold).slice(1)}` +
    (noiseFloor > 0 ? `, noise floor ${formatChange(noiseFloor).slice(1)}` : '')

  let verdict: Verdict
  let why = ''
  if (baseValues.length < options.minSamples || currentValues.length < options.minSamples) {
    verdict = 'inconclusive'
    why = `too few ${unit} (${baseValues.length} baseline, ${currentValues.length} current; at least ${options.minSamples} needed)`
  } else if (slower && beyondThreshold) {
    if (!significant) {
      verdict = 'inconclusive'
      why = `slower beyond the threshold, but not significant at alpha ${options.alpha}`
    } else if (!beyondNoise) {
      verdict = 'inconclusive'
      why = `slower beyond the threshold, but within this entry's noise floor`
    } else if (fastestChange !== undefined && fastestChange <= options.threshold) {
      verdict = 'inconclusive'
      why = `slower, but its fastest round was within the threshold of the baseline's fastest (${formatChange(fastestChange)}): the machine was slow for a while, not necessarily the code`
    } else if (!environmentMatch && options.environment === 'strict') {
      verdict = 'inconclusive'
      why = `slower, but the baseline comes from another environment (${base.environment.id}, now ${cur.environment.id})`
    } else {
      verdict = 'regressed'
    }
  } else if (!slower && beyondThreshold && significant && beyondNoise && (fastestChange === undefined || fastestChange < -options.threshold)) {
    verdict = 'improved'
  } else if (ratio.upper - 1 > Math.max(options.threshold, noiseFloor)) {
    // Unchanged must mean the data rules out a slowdown that would count; here it does not.
    verdict = 'inconclusive'
    why = `a slowdown beyond the ${noiseFloor > options.threshold ? 'noise floor' : 'threshold'} cannot be ruled out (95% CI up to ${formatChange(ratio.upper - 1)})`
  } else {
    verdict = 'unchanged'
  }
  if (!environmentMatch && options.environment === 'warn') why = why || `environments differ (${base.environment.id}, now ${cur.environment.id})`

  return {
    verdict,
    reason: why === '' ? evidence : `${evidence} — ${why}`,
    statistic: options.statistic,
    unit,
    baseline: { value: baseValue, samples: baseValues.length, noise: baseNoise, environment: base.environment },
    current: { value: currentValue, samples: currentValues.length, noise: currentNoise, environment: cur.environment },
    change,
    interval: { lower: ratio.lower - 1, upper: ratio.upper - 1, confidence: ratio.confidence },
    pValue: test.pValue,
    alpha: options.alpha,
    threshold: options.threshold,
    noiseFloor,
    environmentMatch,
  }
}

function valueOf(sample: readonly number[], statistic: 'median' | 'mean'): number {
  return statistic === 'mean' ? mean(sample as number[]) : median(sample as number[])
}
