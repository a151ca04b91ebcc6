/**
 * Progress of long runs. A run (a load run, a `measure()`, a benchmark) that lasts more than
 * two seconds tells the progress sink, every second, what runs, for how long of how long, and
 * how many requests have ended. The sink is set by a runner adapter when perfgate's reporter
 * draws progress in an interactive terminal; without one, nothing is done (and nothing costs).
 */
import { performance } from 'node:perf_hooks'
import { clearTimeout, setTimeout } from './timers.js'

/** What a long run has done so far. */
export interface ProgressEvent {
  /** What runs: a target's label, or a benchmark's name. */
  readonly what: string
  readonly elapsedMs: number
  /** How long it is planned to run, when that is known in advance. */
  readonly plannedMs: number | null
  /** Requests ended so far (load runs and measurements). */
  readonly requests?: number
}

export type ProgressSink = (event: ProgressEvent) => void

/** When a run first reports, and how often after that. */
export const progressTiming = { afterMs: 2000, everyMs: 1000 }

// On globalThis, so the ESM and CommonJS builds in one process share it.
const sinkKey = Symbol.for('perfgate.progress-sink.v1')

/** Sets (or, with undefined, removes) where progress goes in this process. */
export function setProgressSink(sink: ProgressSink | undefined): void {
  ;(globalThis as { [sinkKey]?: ProgressSink })[sinkKey] = sink
}

/**
 * Watches a run: past `progressTiming.afterMs`, and then every `everyMs`, tells the sink how far
 * it got (`read` gives the requests ended so far). Returns the function that stops watching.
 * Its timers never keep the process alive.
 */
export function watchProgress(what: string, plannedMs: number | null, read: () => { requests?: number } = () => ({})): () => void {
  const sink = (globalThis as { [sinkKey]?: ProgressSink })[sinkKey]
  if (sink === undefined) return () => undefined
  const startedAt = performance.now()
  let timer: NodeJS.Timeout | undefined
  const tick = (): void => {
    // A timer can fire a little before its time by this clock (the event loop's clock is read at
    // the start of its turn): then wait for the rest, so the first report is never early.
    const early = progressTiming.afterMs - (performance.now() - startedAt)
    if (early > 0) {
      timer = setTimeout(tick, Math.ceil(early))
      timer.unref()
      return
    }
    try {
      sink({ what, elapsedMs: performance.now() - startedAt, plannedMs, ...read() })
    } catch {
      // Progress is a courtesy: a sink that fails never fails the run.
    }
    timer = setTimeout(tick, progressTiming.everyMs)
    timer.unref()
  }
  timer = setTimeout(tick, progressTiming.afterMs)
  timer.unref()
  return () => clearTimeout(timer)
}
