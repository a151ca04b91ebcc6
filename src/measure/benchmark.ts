import { performance } from 'node:perf_hooks'
import { Bench } from 'tinybench'
import { currentEnvironment } from '../machine/environment.js'
import type { Environment } from '../machine/environment.js'
import { machineWindow } from '../machine/state.js'
import type { MachineState } from '../machine/state.js'
import { median } from 'simple-statistics'
import { summarizeSorted } from '../stats/index.js'
import type { SampleSummary } from '../stats/index.js'
import { integerAtLeast, invalidArgument, isPromiseLike, nonNegativeNumber, optionsObject, positiveNumber } from '../common/validate.js'
import { defaultConfig } from '../config/config.js'

/** Options of `benchmark()`. */
export interface BenchmarkOptions {
  /** Milliseconds of sampling (default 1000). */
  readonly time?: number
  /** Milliseconds of unmeasured warm-up first (default 200). */
  readonly warmupTime?: number
  /** Samples to take at least, even past `time` (default 20). */
  readonly minSamples?: number
  /** Independent rounds the sampling time is split into; they are compared round against round (default 10). */
  readonly rounds?: number
  /** Runs before sampling (and before warm-up). */
  readonly setup?: () => unknown
  /** Runs after sampling (and after warm-up). */
  readonly teardown?: () => unknown
}

/** What `benchmark()` measured: time per call of a function. */
export interface BenchmarkResult {
  readonly kind: 'benchmark'
  readonly name: string
  /** Milliseconds per call, ascending: one point per sample (a batch of `batchSize` calls). */
  readonly samples: readonly number[]
  readonly summary: SampleSummary
  /** How many samples were taken. */
  readonly count: number
  /** How many times the function was called while sampling. */
  readonly iterations: number
  /** Calls per sample: fast functions are timed in batches so the timer's cost does not count. */
  readonly batchSize: number
  /** The median of each round, in ms per call. */
  readonly rounds: readonly number[]
  /** Wall time of the whole benchmark, warm-up and calibration included. */
  readonly durationMs: number
  readonly environment: Environment
  /** How busy and how fast the machine was while sampling. */
  readonly machine: MachineState
}

/** Benchmark options after validation and defaults. */
export interface ResolvedBenchmarkOptions {
  readonly time: number
  readonly warmupTime: number
  readonly minSamples: number
  readonly rounds: number
  readonly setup: (() => unknown) | undefined
  readonly teardown: (() => unknown) | undefined
}

/** The option names of `benchmark()`. */
export const benchmarkOptionKeys = ['time', 'warmupTime', 'minSamples', 'rounds', 'setup', 'teardown'] as const

// A sample lasts long enough that reading the clock and tinybench's loop are noise, which
// also keeps the samples few enough to keep and sort cheaply (at most ~10 000 a second).
const targetBatchMs = 0.1

function optionalFunction(name: string, value: unknown): (() => unknown) | undefined {
  if (value !== undefined && typeof value !== 'function') invalidArgument(name, 'a function', value)
  return value as (() => unknown) | undefined
}

/** Validates benchmark options once; `defaults` come from the configuration. */
export function resolveBenchmarkOptions(
  raw: Partial<Record<(typeof benchmarkOptionKeys)[number], unknown>>,
  name: string,
  defaults: { readonly time: number; readonly warmupTime: number; readonly minSamples: number; readonly rounds: number } = defaultConfig.benchmark,
): ResolvedBenchmarkOptions {
  return {
    time: raw.time === undefined ? defaults.time : positiveNumber(`${name}.time`, raw.time),
    warmupTime: raw.warmupTime === undefined ? defaults.warmupTime : nonNegativeNumber(`${name}.warmupTime`, raw.warmupTime),
    minSamples: raw.minSamples === undefined ? defaults.minSamples : integerAtLeast(`${name}.minSamples`, raw.minSamples, 1),
    rounds: raw.rounds === undefined ? defaults.rounds : integerAtLeast(`${name}.rounds`, raw.rounds, 1),
    setup: optionalFunction(`${name}.setup`, raw.setup),
    teardown: optionalFunction(`${name}.teardown`, raw.teardown),
  }
}

/** Calls the function for `warmupTime` ms, unmeasured, so the JIT has settled before anything counts. */
async function warmUp(fn: () => unknown, isAsync: boolean, warmupTime: number): Promise<void> {
  const until = performance.now() + warmupTime
  let calls = 1
  for (let now = performance.now(); now < until; now = performance.now()) {
    const elapsed = await timeCalls(fn, isAsync, calls)
    // Grow the batch while it is short next to the time left, so the end is not overshot.
    if (elapsed * 4 < until - now && calls < 1 << 20) calls *= 2
  }
}

async function timeCalls(fn: () => unknown, isAsync: boolean, calls: number): Promise<number> {
  const start = performance.now()
  for (let i = 0; i < calls; i++) {
    if (isAsync) await fn()
    else fn()
  }
  return performance.now() - start
}

/**
 * Chooses how many calls one sample holds: doubling the calls until they last a few batches
 * (which also warms the function up), then timing that batch once more and sizing from the
 * faster of the two, so that one slow first call (a compile, a GC) cannot shrink the batch.
 */
async function calibrate(fn: () => unknown, isAsync: boolean, time: number): Promise<number> {
  const budgetMs = Math.max(time / 10, 5)
  const calibrationStart = performance.now()
  let calls = 1
  for (;;) {
    const elapsed = await timeCalls(fn, isAsync, calls)
    const outOfBudget = performance.now() - calibrationStart >= budgetMs
    // Several batches' worth, so a slow first await or call is spread over many calls.
    if (elapsed >= 4 * targetBatchMs || outOfBudget || calls >= 1 << 24) {
      const again = outOfBudget ? elapsed : await timeCalls(fn, isAsync, calls)
      const perCall = Math.min(elapsed, again) / calls
      return perCall <= 0 ? calls : Math.max(1, Math.ceil(targetBatchMs / perCall))
    }
    calls *= 2
  }
}

function batchOf(fn: () => unknown, isAsync: boolean, batchSize: number): () => unknown {
  if (batchSize === 1) return fn
  return isAsync
    ? async () => {
        for (let i = 0; i < batchSize; i++) await fn()
      }
    : () => {
        for (let i = 0; i < batchSize; i++) fn()
      }
}

/** One tinybench run; returns its samples in ms per batch, or rethrows the function's error. */
async function sampleRound(
  name: string,
  batch: () => unknown,
  isAsync: boolean,
  options: ResolvedBenchmarkOptions,
  round: { readonly time: number; readonly minSamples: number },
): Promise<number[]> {
  // Warm-up was done before calibration, so tinybench samples straight away.
  const bench = new Bench({ time: round.time, iterations: round.minSamples, warmup: false, retainSamples: true })
  bench.add(name, batch, {
    async: isAsync,
    ...(options.setup === undefined ? {} : { beforeAll: async () => void (await options.setup?.()) }),
    ...(options.teardown === undefined ? {} : { afterAll: async () => void (await options.teardown?.()) }),
  })
  const [task] = await bench.run()
  const result = task?.result
  if (result === undefined) throw new Error(`benchmark "${name}" produced no result`)
  if (result.state === 'errored') throw result.error
  if (result.state !== 'completed') throw new Error(`benchmark "${name}" ended as ${result.state}`)
  return [...(result.latency.samples ?? [])]
}

/**
 * Samples `fn` with tinybench and returns its time per call. A function that throws fails the
 * benchmark with that error.
 * @example
 * const result = await benchmark('parse', () => parse(doc), { time: 500 })
 * result.summary.median // 0.0123 (ms per call)
 */
export async function benchmark(name: string, fn: () => unknown, options?: BenchmarkOptions): Promise<BenchmarkResult> {
  if (typeof name !== 'string' || name.length === 0) invalidArgument('name', 'a non-empty string', name)
  if (typeof fn !== 'function') invalidArgument('fn', 'a function', fn)
  const resolved = resolveBenchmarkOptions(optionsObject('options', options, benchmarkOptionKeys), 'options')
  return runBenchmark(name, fn, resolved)
}

/** benchmark() after validation: shared with `toMatchBaseline`. */
export async function runBenchmark(name: string, fn: () => unknown, options: ResolvedBenchmarkOptions): Promise<BenchmarkResult> {
  const startedAt = performance.now()
  await options.setup?.()
  let isAsync: boolean
  let batchSize: number
  try {
    // The first call tells sync from async and surfaces an error before any sampling.
    const first = fn()
    isAsync = isPromiseLike(first)
    if (isAsync) await first
    await warmUp(fn, isAsync, options.warmupTime)
    batchSize = await calibrate(fn, isAsync, options.time)
  } finally {
    await options.teardown?.()
  }
  const roundTime = options.time / options.rounds
  const roundMinSamples = Math.max(1, Math.ceil(options.minSamples / options.rounds))
  const all: number[] = []
  const roundMedians: number[] = []
  let iterations = 0
  const window = machineWindow()
  for (let round = 0; round < options.rounds; round++) {
    const samples = await sampleRound(name, batchOf(fn, isAsync, batchSize), isAsync, options, { time: roundTime, minSamples: roundMinSamples })
    const perCall = samples.map((ms) => ms / batchSize)
    iterations += samples.length * batchSize
    const roundMedian = median(perCall)
    roundMedians.push(roundMedian)
    for (const value of perCall) all.push(value)
    // Calibration can be fooled by a GC or a slow first await; the round's median cannot.
    if (round === 0 && roundMedian > 0) batchSize = Math.max(batchSize, Math.ceil(targetBatchMs / roundMedian))
    window.probe()
  }
  const machine = window.end()
  const sorted = Array.from(Float64Array.from(all).sort())
  return {
    kind: 'benchmark',
    name,
    samples: sorted,
    summary: summarizeSorted(sorted),
    count: sorted.length,
    iterations,
    batchSize,
    rounds: roundMedians,
    durationMs: performance.now() - startedAt,
    environment: currentEnvironment(),
    machine,
  }
}
