/**
 * A progress line for long runs (load runs, long benchmarks) in an interactive terminal:
 * redrawn in place with `\r`, cleared at the end, and silent in CI or when output is not a TTY.
 */
import { printableName } from '../common/validate.js'
import { formatCount } from './format.js'
import { truncateToWidth } from './text.js'

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

/** The part of a stream the progress line needs (`process.stderr` is one). */
export interface ProgressStream {
  readonly isTTY?: boolean
  /** Terminal width: the line is cut to fit, since a wrapped line cannot be redrawn with `\r`. */
  readonly columns?: number
  write(text: string): unknown
}

/** Options of a `ProgressLine`. */
export interface ProgressLineOptions {
  /** The environment to read `CI` from (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** Fewest ms between two redraws (default 100): updates in between are only remembered. */
  readonly minIntervalMs?: number
  /** The clock, in ms (default `performance.now`). */
  readonly now?: () => number
}

/** Whether `CI` says this is a CI run (set, and not `false` or `0`). */
function inCi(env: Readonly<Record<string, string | undefined>>): boolean {
  const value = env.CI
  return value !== undefined && value !== '' && value !== 'false' && value !== '0'
}

const clearLine = '\r\u001b[K'

/**
 * A progress line on a TTY stream: `start`, `update` as the run goes, `stop` to clear it. Does
 * nothing at all when the stream is not a TTY or `CI` is set.
 * @example
 * const progress = new ProgressLine(process.stderr)
 * progress.start({ what: 'GET /api/users', elapsedMs: 0, plannedMs: 5000 })
 * progress.update({ what: 'GET /api/users', elapsedMs: 2100, plannedMs: 5000, requests: 3412 })
 * progress.stop()
 */
export class ProgressLine {
  /** Whether anything is written: a TTY, outside CI. */
  readonly enabled: boolean
  readonly #stream: ProgressStream
  readonly #minIntervalMs: number
  readonly #now: () => number
  #drawnAt: number | null = null
  #shown = false

  constructor(stream: ProgressStream, options: ProgressLineOptions = {}) {
    this.#stream = stream
    this.enabled = stream.isTTY === true && !inCi(options.env ?? process.env)
    this.#minIntervalMs = options.minIntervalMs ?? 100
    this.#now = options.now ?? (() => performance.now())
  }

  /** Draws the line at once. */
  start(progress: Progress): void {
    this.#draw(progress)
  }

  /** Redraws the line, unless it was drawn less than `minIntervalMs` ago. */
  update(progress: Progress): void {
    if (this.#drawnAt !== null && this.#now() - this.#drawnAt < this.#minIntervalMs) return
    this.#draw(progress)
  }

  /** Clears the line, leaving the cursor where it was before `start`. */
  stop(): void {
    if (!this.#shown) return
    this.#stream.write(clearLine)
    this.#shown = false
    this.#drawnAt = null
  }

  #draw(progress: Progress): void {
    if (!this.enabled) return
    // One column short of the width: writing the last column wraps on some terminals.
    const width = (this.#stream.columns ?? 80) - 1
    this.#stream.write(clearLine + truncateToWidth(formatProgress(progress), Math.max(10, width)))
    this.#shown = true
    this.#drawnAt = this.#now()
  }
}
