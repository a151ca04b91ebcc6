import { performance } from 'node:perf_hooks'
import type { BaselineRecord } from '../baselines/types.js'
import type { BenchmarkResult } from '../measure/benchmark.js'
import { combinedMachineState } from '../machine/state.js'
import { summarizeSorted } from '../stats/index.js'
import { compareResolved, machineAsRecorded } from './compare.js'
import type { Comparison, FreshMeasurement, ResolvedCompareOptions } from './compare.js'

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
  /** The samples and rounds the verdict rests on (rounds set aside left out). */
  readonly current: BenchmarkResult
  /** ms of sampling asked for in all, set-aside measurements included. */
  readonly samplingMs: number
  /** How many times sampling was extended. */
  readonly extensions: number
}

/**
 * The measurement a verdict rests on: the measurements taken while the machine was as when the
 * baseline was recorded, joined; all of them when none was. `latest` is the index of the last
 * measurement it includes.
 */
function judged(stored: BaselineRecord, pieces: readonly BenchmarkResult[]): { readonly current: BenchmarkResult & FreshMeasurement; readonly latest: number } {
  const usual = pieces.map((piece, index) => ({ piece, index })).filter(({ piece }) => machineAsRecorded(stored, piece))
  if (usual.length === 0) return { current: pieces.reduce(merged), latest: pieces.length - 1 }
  const current = usual.map(({ piece }) => piece).reduce(merged)
  const setAsideRounds = pieces.reduce((sum, piece) => sum + piece.rounds.length, 0) - current.rounds.length
  return { current: setAsideRounds > 0 ? { ...current, setAsideRounds } : current, latest: usual[usual.length - 1]!.index }
}

/** How many more `time`s past `maxTime` a regression resting on chosen measurements may take to be confirmed. */
const confirmationTimes: number = 2

/**
 * Compares, and while the verdict is inconclusive (in the same environment) measures another
 * `time` of rounds and compares again, up to `maxTime` of sampling in all (a confirmation, below,
 * up to `confirmationTimes` more `time`s).
 *
 * - A measurement taken while the machine was busier or slower than when the baseline was
 *   recorded is set aside once another was taken while it was not: a shared machine's slow
 *   phases come and go within seconds (on the quality suite, the reference workload read 1.6×
 *   slower for one test and normal for the next), and a phase is not evidence about the code.
 * - A first `regressed` is confirmed the same way before it stands: a slow period of the machine
 *   can cover one measurement, rarely two in a row, and the fastest-round rule then sees both.
 *   A regression resting on measurements that were chosen (others set aside) stands only once
 *   a later measurement confirmed it; otherwise it is inconclusive. Such a confirmation may take
 *   up to `confirmationTimes` more `time`s past `maxTime`, since slow phases outlast `maxTime`,
 *   but only before a known deadline of the test (`endsAt`): a runner that says nothing of its
 *   test's timeout (Vitest before 4.1) would otherwise kill a test that used to pass with a
 *   warning. docs/design.md has the runs behind it.
 */
export async function compareAdaptively(
  stored: BaselineRecord,
  first: BenchmarkResult,
  measureMore: (time: number) => Promise<BenchmarkResult>,
  options: ResolvedCompareOptions,
  budget: { readonly time: number; readonly maxTime: number; readonly endsAt?: number | undefined; readonly warmupTime?: number },
): Promise<AdaptiveComparison> {
  const pieces = [first]
  let { current, latest } = judged(stored, pieces)
  let comparison = compareResolved(stored, current, options)
  let spent = budget.time
  // The last measurement taken when a regression was first seen: it stands once the verdict rests on a later one too.
  let regressedAt: number | null = null
  while (comparison.environmentMatch) {
    if (comparison.verdict === 'regressed') {
      if (regressedAt !== null && latest > regressedAt) break
      regressedAt ??= pieces.length - 1
    } else if (comparison.verdict !== 'inconclusive') {
      break
    }
    // A regression that can stand only once confirmed gets its confirmation time, before a known deadline only.
    const awaitingConfirmation = comparison.verdict === 'regressed' && current.setAsideRounds !== undefined && budget.endsAt !== undefined
    const limit = budget.maxTime + (awaitingConfirmation ? confirmationTimes * budget.time : 0)
    const more = Math.min(budget.time, limit - spent)
    if (more < budget.time / 4) break
    // Only what fits before the test's deadline, with room to spare: warm-up, and sampling running long on a busy machine.
    if (budget.endsAt !== undefined && performance.now() + (budget.warmupTime ?? 0) + 2 * more > budget.endsAt) break
    pieces.push(await measureMore(more))
    spent += more
    ;({ current, latest } = judged(stored, pieces))
    comparison = compareResolved(stored, current, options)
  }
  if (comparison.verdict === 'regressed' && current.setAsideRounds !== undefined && regressedAt !== null && latest <= regressedAt) {
    comparison = {
      ...comparison,
      verdict: 'inconclusive',
      reason: `${comparison.reason} — slower, but not confirmed: no later measurement was taken while the machine was as at recording`,
    }
  }
  return { comparison, current, samplingMs: spent, extensions: pieces.length - 1 }
}
