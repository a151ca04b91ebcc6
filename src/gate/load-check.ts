/**
 * The success-rate floor as a core check: run a bounded load against a target, hold its
 * success rate (or the rate's lower Wilson bound) to the floor, and return the assertion's record.
 */
import { runResolvedLoad } from '../measure/load.js'
import type { LoadResult, ResolvedLoadOptions } from '../measure/load.js'
import type { ResolvedTarget } from '../measure/target.js'
import { wilsonLowerBound } from '../stats/index.js'
import { siteFields } from './records.js'
import type { AssertionSite, LoadCheckRecord, RunDeadline } from './records.js'
import { keepRecord } from './session.js'

/** The floor a load check holds the success rate to. */
export interface SuccessRateFloor {
  readonly minRate: number
  /** Hold the lower Wilson bound of the rate to the floor, e.g. 0.95. */
  readonly confidence: number | undefined
}

/** The record of a load check, or the partial result of a run its deadline stopped. */
export type LoadCheck =
  | { readonly stopped: false; readonly record: LoadCheckRecord; readonly result: LoadResult }
  | { readonly stopped: true; readonly result: LoadResult }

/**
 * Runs the load and passes when at least one request was sent and successes / total (or its
 * lower bound) is ≥ the floor. A run stopped by its deadline is not judged and keeps no record.
 */
export async function checkLoad(
  target: ResolvedTarget,
  floor: SuccessRateFloor,
  options: ResolvedLoadOptions,
  site: AssertionSite,
  negated: boolean,
  deadline?: RunDeadline,
): Promise<LoadCheck> {
  const result = await runResolvedLoad(target, options, deadline?.signal)
  if (deadline?.stoppedRun() === true) return { stopped: true, result }
  const lowerBound = floor.confidence === undefined || result.total === 0 ? undefined : wilsonLowerBound(result.successes, result.total, floor.confidence)
  const checked = lowerBound ?? result.successRate
  const record: LoadCheckRecord = {
    kind: 'load',
    ...siteFields(site),
    pass: result.total > 0 && checked >= floor.minRate,
    negated,
    target: result.target,
    model: result.model,
    rate: result.rate ?? null,
    concurrency: result.concurrency,
    minRate: floor.minRate,
    successRate: result.successRate,
    lowerBound: lowerBound ?? null,
    confidence: floor.confidence ?? null,
    total: result.total,
    successes: result.successes,
    failures: result.failures,
    outcomes: result.outcomes,
    errors: result.errors,
    latency: result.latency,
    throughput: result.throughput,
    durationMs: result.durationMs,
    timeline: result.timeline,
  }
  keepRecord(record, site)
  return { stopped: false, record, result }
}
