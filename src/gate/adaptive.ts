import { performance } from 'node:perf_hooks'
import type { BaselineRecord } from '../baselines/types.js'
import type { BenchmarkResult } from '../measure/benchmark.js'
import { combinedMachineState } from '../machine/state.js'
import { summarizeSorted } from '../stats/index.js'
import { compareResolved } from './compare.js'
import type { Comparison, ResolvedCompareOptions } from './compare.js'

/** Joins two measurements of the same function, for adaptive sampling. */
export function merged(a: BenchmarkResult, b: BenchmarkResult): BenchmarkResult {
  const samples = Array.from(Float64Array.from([...a.samples, ...b.samples]).sort())
  return {
    ...a,
    samples,
    summary: summarizeSorted(samples),
    count: samples.length,
    iterations: a.iterations + b.iterations,
    rounds: [...a.rounds, ...b.rounds],
    durationMs: a.durationMs + b.durationMs,
    machine: combinedMachineState(a.machine, a.rounds.length, b.machine, b.rounds.length),
  }
}

/** What adaptive sampling ended with. */
export interface AdaptiveComparison {
  readonly comparison: Comparison
  /** Every sample and round the verdict rests on. */
  readonly current: BenchmarkResult
  /** ms of sampling asked for in all. */
  readonly samplingMs: number
  /** How many times sampling was extended. */
  readonly extensions: number
}

/**
 * Compares, and while the verdict is inconclusive (in the same environment) measures another
 * `time` of rounds and compares again, up to `maxTime` of sampling in all. A first `regressed`
 * is confirmed the same way before it stands: a slow period of the machine can cover one
 * measurement, rarely two in a row, and the fastest-round rule then sees both.
 */
export async function compareAdaptively(
  stored: BaselineRecord,
  first: BenchmarkResult,
  measureMore: (time: number) => Promise<BenchmarkResult>,
  options: ResolvedCompareOptions,
  budget: { readonly time: number; readonly maxTime: number; readonly endsAt?: number | undefined; readonly warmupTime?: number },
): Promise<AdaptiveComparison> {
  let current = first
  let comparison = compareResolved(stored, current, options)
  let spent = budget.time
  let extensions = 0
  let confirmed = false
  while (comparison.environmentMatch && (comparison.verdict === 'inconclusive' || (comparison.verdict === 'regressed' && !confirmed))) {
    if (comparison.verdict === 'regressed') confirmed = true
    const more = Math.min(budget.time, budget.maxTime - spent)
    if (more < budget.time / 4) break
    // Only what fits before the test's deadline, with room to spare: warm-up, and sampling running long on a busy machine.
    if (budget.endsAt !== undefined && performance.now() + (budget.warmupTime ?? 0) + 2 * more > budget.endsAt) break
    current = merged(current, await measureMore(more))
    spent += more
    extensions++
    comparison = compareResolved(stored, current, options)
  }
  return { comparison, current, samplingMs: spent, extensions }
}
