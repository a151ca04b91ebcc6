import { watchProgress } from '../common/progress.js'
import { noteTakenIn, runningTestEndSignal } from '../common/test-scope.js'
import { performance } from 'node:perf_hooks'
import { median } from 'simple-statistics'
import { currentEnvironment } from '../machine/environment.js'
import type { Environment } from '../machine/environment.js'
import { machineWindow } from '../machine/state.js'
import type { MachineState } from '../machine/state.js'
import { OutcomeRecorder, runClosedModel } from './load.js'
import type { Requester } from './requester.js'
import { createRequester } from './requester.js'
import { summarizeSorted } from '../stats/index.js'
import type { SampleSummary } from '../stats/index.js'
import { resolveTarget } from './target.js'
import type { ResolvedTarget, Target } from './target.js'
import { integerAtLeast, integerBetween, invalidArgument, optionsObject, positiveNumber } from '../common/validate.js'
import { defaultConfig, maxSamples } from '../config/config.js'

/** Options of `measure` (the sampling part of `toRespondWithin`). */
export interface MeasureOptions {
  /** Measured requests (default 30). */
  readonly samples?: number
  /**
   * Unmeasured requests first, to open connections and warm the server up: a count, or
   * `'auto'` to go on until the latency stops falling (default 3 for `toRespondWithin`,
   * `'auto'` for `measure()`).
   */
  readonly warmup?: number | 'auto'
  /** Rounds the measured requests are split into, compared round against round (default up to 10, at least 3 requests each). */
  readonly rounds?: number
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
  /** The median latency of each round of successful requests, in ms. */
  readonly rounds: readonly number[]
  /** Unmeasured warm-up requests that ended (all that were sent, unless the run was stopped). */
  readonly warmupRequests: number
  /**
   * True when the run was stopped (by the test's deadline) before its warm-up had ended: then no
   * measured request was sent.
   */
  readonly stoppedDuringWarmup: boolean
  /** How busy and how fast the machine was while measuring. */
  readonly machine: MachineState
}

/** Measure options after validation and defaults. */
export interface ResolvedMeasureOptions {
  readonly samples: number
  readonly warmup: number | 'auto'
  /** Rounds; undefined: up to 10, at least 3 requests each. */
  readonly rounds?: number | undefined
  /**
   * Time perfgate's reference workload after each round (the machine's speed, evidence for a
   * baseline comparison). `measure()` does; a latency budget does not need it.
   */
  readonly probeMachine?: boolean
  readonly concurrency: number
  readonly timeoutMs: number
}

/** The option names of `measure`. */
export const measureOptionKeys = ['samples', 'warmup', 'rounds', 'concurrency', 'timeout'] as const

/** Validates measure options once; throws a TypeError naming the bad option. */
export function resolveMeasureOptions(
  raw: Partial<Record<(typeof measureOptionKeys)[number], unknown>>,
  name: string,
  defaults: { readonly samples: number; readonly warmup: number | 'auto'; readonly concurrency: number; readonly timeout: number } = defaultConfig.respondWithin,
): ResolvedMeasureOptions {
  // Every latency is kept for the percentiles: 1e8 samples of a function took 1.3 GB and 12 s.
  const samples = raw.samples === undefined ? defaults.samples : integerBetween(`${name}.samples`, raw.samples, 1, maxSamples)
  const rounds = raw.rounds === undefined ? undefined : integerAtLeast(`${name}.rounds`, raw.rounds, 1)
  if (rounds !== undefined && rounds > samples) invalidArgument(`${name}.rounds`, `at most \`samples\` (${samples})`, rounds)
  return {
    samples,
    rounds,
    warmup: raw.warmup === undefined ? defaults.warmup : raw.warmup === 'auto' ? 'auto' : integerAtLeast(`${name}.warmup`, raw.warmup, 0),
    concurrency: raw.concurrency === undefined ? defaults.concurrency : integerAtLeast(`${name}.concurrency`, raw.concurrency, 1),
    timeoutMs: raw.timeout === undefined ? defaults.timeout : positiveNumber(`${name}.timeout`, raw.timeout),
  }
}

/** Requests per warm-up batch, and the bounds of an adaptive warm-up. */
const warmupBatch = 50
const autoWarmup = { minRequests: 200, maxRequests: 2000, maxMs: 3000 } as const

/**
 * Warms the target up until its latency stops falling: batches of requests until two batches
 * in a row are no faster than 0.97 × the batch before, after at least 200 requests and within
 * 2000 requests or 3 s (no request is sent after 3 s; those in flight end within their
 * `timeout`). The tests that ran before (which may or may not have warmed the server
 * up) must not decide a verdict, so a measurement starts from a server that has settled; three
 * requests were not enough for a real server's JIT. Returns the requests sent.
 */
async function warmUpUntilSteady(requester: Requester, concurrency: number, signal: AbortSignal | undefined): Promise<number> {
  const startedAt = performance.now()
  let sent = 0
  let previous = Number.POSITIVE_INFINITY
  let flat = 0
  const batch = Math.max(warmupBatch, concurrency * 2)
  while (sent < autoWarmup.maxRequests && signal?.aborted !== true) {
    // Within the time left, not past it: a batch of 50 to a 100 ms endpoint lasts 5 s.
    const left = autoWarmup.maxMs - (performance.now() - startedAt)
    if (left <= 0) break
    const recorder = new OutcomeRecorder(undefined)
    await runClosedModel(requester, { requests: batch, durationMs: left, concurrency }, recorder.record.bind(recorder), signal)
    sent += recorder.total
    // A target that fails is not warming up; the measured requests will say why.
    if (recorder.successes === 0) break
    const batchMedian = median(recorder.latencies)
    flat = batchMedian >= previous * 0.97 ? flat + 1 : 0
    previous = batchMedian
    if (flat >= 2 && sent >= autoWarmup.minRequests) break
  }
  return sent
}

/** Rounds for a number of samples: up to 10, with at least 3 requests each. */
function roundsFor(samples: number, asked: number | undefined): number {
  return asked ?? Math.max(1, Math.min(10, Math.floor(samples / 3)))
}

/**
 * measure after validation: shared with `toRespondWithin`. When `signal` aborts, it stops
 * sending, abandons what is in flight and reports the measured requests that had ended.
 */
export async function measureResolved(target: ResolvedTarget, options: ResolvedMeasureOptions, signal?: AbortSignal): Promise<LatencyResult> {
  // No more connections than requests at once can use (a warm-up batch is 50, or 2 per connection).
  const concurrency = Math.max(1, Math.min(options.concurrency, Math.max(options.samples, options.warmup === 'auto' ? warmupBatch : options.warmup)))
  const requester = createRequester(target, { connections: concurrency, timeoutMs: options.timeoutMs })
  const recorder = new OutcomeRecorder(undefined)
  const roundCount = roundsFor(options.samples, options.rounds)
  const roundMedians: number[] = []
  let warmupRequests = 0
  let stoppedDuringWarmup = false
  let startedAt = 0
  let endedAt = 0
  let machine: MachineState = { busy: null, probe: null }
  const stopWatching = watchProgress(target.label, null, () => ({ requests: warmupRequests + recorder.total }))
  // Opened before the warm-up: a fast endpoint's samples alone often took too little time to
  // read how busy the machine was (a share unknown at recording explains any slowdown on a busy
  // machine later); the warm-up runs under the same conditions.
  const window = machineWindow()
  try {
    if (options.warmup === 'auto') {
      warmupRequests = await warmUpUntilSteady(requester, concurrency, signal)
    } else if (options.warmup > 0) {
      await runClosedModel(requester, { requests: options.warmup, durationMs: undefined, concurrency }, () => warmupRequests++, signal)
    }
    // A stop ends the warm-up early (the adaptive one at any point): nothing was measured then.
    stoppedDuringWarmup = signal?.aborted === true
    startedAt = performance.now()
    let measuredMs = 0
    const record = recorder.record.bind(recorder)
    for (let round = 0; round < roundCount && signal?.aborted !== true; round++) {
      // The samples spread over the rounds as evenly as they divide.
      const requests = Math.floor(((round + 1) * options.samples) / roundCount) - Math.floor((round * options.samples) / roundCount)
      const before = recorder.latencies.length
      const roundStart = performance.now()
      await runClosedModel(requester, { requests, durationMs: undefined, concurrency }, record, signal)
      measuredMs += performance.now() - roundStart
      if (recorder.latencies.length > before) roundMedians.push(median(recorder.latencies.slice(before)))
      if (options.probeMachine === true && roundCount > 1) window.probe()
    }
    endedAt = startedAt + measuredMs
    machine = window.end()
  } finally {
    stopWatching()
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
    rounds: roundMedians,
    warmupRequests,
    stoppedDuringWarmup,
    machine,
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
  // Standalone measurements feed baselines: warm up until steady unless told otherwise. Inside
  // a test, it stops when the test ends (a timeout included), like the matchers' runs.
  const signal = runningTestEndSignal()
  const result = await measureResolved(
    resolvedTarget,
    { ...resolveMeasureOptions(raw, 'options', { ...defaultConfig.respondWithin, warmup: 'auto' }), probeMachine: true },
    signal,
  )
  return noteTakenIn(result, signal)
}
