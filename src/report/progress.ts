/**
 * The progress line of a long run (a load run, a long benchmark), as perfgate's reporter prints
 * it in an interactive terminal (see runners/progress-channel.ts).
 */
import { printableName } from '../common/validate.js'
import { formatCount } from './format.js'

/** Where a run stands. */
export interface Progress {
  /** What runs: a target (`GET /api/users`) or a benchmark's name. */
  readonly what: string
  readonly elapsedMs: number
  /** How long the run is planned to last; null or absent when only its count bounds it. */
  readonly plannedMs?: number | null
  /** Requests ended so far, for a load run. */
  readonly requests?: number
}

function seconds(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(1)} s`
}

/**
 * One line of progress, e.g. `perfgate ▸ GET /api/users  2.1 s / 5.0 s  3 412 requests`.
 * @example formatProgress({ what: 'GET /api/users', elapsedMs: 2100, plannedMs: 5000, requests: 3412 })
 */
export function formatProgress(progress: Progress): string {
  const time = progress.plannedMs === undefined || progress.plannedMs === null ? seconds(progress.elapsedMs) : `${seconds(progress.elapsedMs)} / ${seconds(progress.plannedMs)}`
  const requests = progress.requests === undefined ? '' : `  ${formatCount(progress.requests)} request${progress.requests === 1 ? '' : 's'}`
  return `perfgate ▸ ${printableName(progress.what)}  ${time}${requests}`
}

