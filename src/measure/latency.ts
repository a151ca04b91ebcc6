import { performance } from 'node:perf_hooks'
import { currentEnvironment } from '../machine/environment.js'
import type { Environment } from '../machine/environment.js'
import { OutcomeRecorder, runClosedModel } from './load.js'
import { createRequester } from './requester.js'
import { summarizeSorted } from '../stats/index.js'
import type { SampleSummary } from '../stats/index.js'
import { resolveTarget } from './target.js'
import type { ResolvedTarget, Target } from './target.js'
import { integerAtLeast, optionsObject, positiveNumber } from '../common/validate.js'
import { defaultConfig } from '../config/config.js'

/** Options of `measure` (the sampling part of `toRespondWithin`). */
export interface MeasureOptions {
  /** Measured requests (default 30). */
  readonly samples?: number
  /** Unmeasured requests first, to open connections and warm caches (default 3). */
  readonly warmup?: number
  /** Requests in flight at once (default 1). */
  readonly concurrency?: number
  /** Milliseconds for one request before it is aborted and counts as `timeout` (default 10 000). */
  readonly timeout?: number
}

/** Latency samples of a target. `samples` holds the successful requests' latencies. */
export interface LatencyResult {
  readonly kind: 'latency'
  /** What was measured, e.g. the URL. */
  readonly target: string
  /** Latencies of the successful measured requests in ms, ascending. */
  readonly samples: readonly number[]
  /** Summary of `samples` (null when no request succeeded). */
  readonly summary: SampleSummary | null
  /** Measured requests (warm-up excluded). */
  readonly count: number
  readonly successes: number
  readonly failures: number
  /** Measured requests by outcome kind: `ok`, `status:503`, `timeout`… */
  readonly outcomes: Readonly<Record<string, number>>
  /** Completed requests per second over the measured phase. */
  readonly throughput: number
  /** Wall time of the measured phase in ms. */
  readonly durationMs: number
  readonly concurrency: number
  readonly environment: Environment
  /** The first error of each failure kind, to say why requests failed. */
  readonly errors: Readonly<Record<string, string>>
}

/** Measure options after validation and defaults. */
export interface ResolvedMeasureOptions {
  readonly samples: number
  readonly warmup: number
  readonly concurrency: number
  readonly timeoutMs: number
}

/** The option names of `measure`. */
export const measureOptionKeys = ['samples', 'warmup', 'concurrency', 'timeout'] as const

/** Validates measure options once; throws a TypeError naming the bad option. */
export function resolveMeasureOptions(
  raw: Partial<Record<(typeof measureOptionKeys)[number], unknown>>,
  name: string,
  defaults: { readonly samples: number; readonly warmup: number; readonly concurrency: number; readonly timeout: number } = defaultConfig.respondWithin,
): ResolvedMeasureOptions {
  return {
    samples: raw.samples === undefined ? defaults.samples : integerAtLeast(`${name}.samples`, raw.samples, 1),
    warmup: raw.warmup === undefined ? defaults.warmup : integerAtLeast(`${name}.warmup`, raw.warmup, 0),
    concurrency: raw.concurrency === undefined ? defaults.concurrency : integerAtLeast(`${name}.concurrency`, raw.concurrency, 1),
    timeoutMs: raw.timeout === undefined ? defaults.timeout : positiveNumber(`${name}.timeout`, raw.timeout),
  }
}

/**
 * measure after validation: shared with `toRespondWithin`. When `signal` aborts, it stops
 * sending, abandons what is in flight and reports the measured requests that had ended.
 */
export async function measureResolved(target: ResolvedTarget, options: ResolvedMeasureOptions, signal?: AbortSignal): Promise<LatencyResult> {
  const requester = createRequester(target, { connections: options.concurrency, timeoutMs: options.timeoutMs })
  const recorder = new OutcomeRecorder(undefined)
  let startedAt = 0
  let endedAt = 0
  try {
    if (options.warmup > 0) {
      await runClosedModel(requester, { requests: options.warmup, durationMs: undefined, concurrency: options.concurrency }, () => {}, signal)
    }
    startedAt = performance.now()
    await runClosedModel(
      requester,
      { requests: options.samples, durationMs: undefined, concurrency: options.concurrency },
      recorder.record.bind(recorder),
      signal,
    )
    endedAt = performance.now()
  } finally {
    await requester.close()
  }
  const durationMs = endedAt - startedAt
  const samples = recorder.sortedLatencies()
  return {
    kind: 'latency',
    target: target.label,
    samples,
    summary: samples.length === 0 ? null : summarizeSorted(samples),
    count: recorder.total,
    successes: recorder.successes,
    failures: recorder.total - recorder.successes,
    outcomes: recorder.outcomes(),
    throughput: durationMs > 0 ? (recorder.total * 1000) / durationMs : 0,
    durationMs,
    concurrency: options.concurrency,
    environment: currentEnvironment(),
    errors: recorder.errors,
  }
}

/**
 * Sends `warmup` then `samples` requests to a target and returns their latencies.
 * @example
 * const result = await measure('http://127.0.0.1:3000/health', { samples: 50 })
 * result.summary?.p95 // 3.1
 */
export async function measure(target: Target, options?: MeasureOptions): Promise<LatencyResult> {
  const resolvedTarget = resolveTarget(target)
  const raw = optionsObject('options', options, measureOptionKeys)
  return measureResolved(resolvedTarget, resolveMeasureOptions(raw, 'options'))
}
