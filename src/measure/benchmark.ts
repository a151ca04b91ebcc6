import { watchProgress } from '../common/progress.js'
import { noteTakenIn, runningTestEndSignal } from '../common/test-scope.js'
import { performance } from 'node:perf_hooks'
import { Bench } from 'tinybench'
import { currentEnvironment } from '../machine/environment.js'
import type { Environment } from '../machine/environment.js'
import { machineWindow } from '../machine/state.js'
import type { MachineState } from '../machine/state.js'
import { median } from 'simple-statistics'
import { summarizeSorted } from '../stats/index.js'
import type { SampleSummary } from '../stats/index.js'
import { PerfgateError } from '../common/errors.js'
import { integerAtLeast, invalidArgument, isPromiseLike, nonNegativeNumber, optionsObject, positiveNumber } from '../common/validate.js'
import { defaultConfig } from '../config/config.js'
import { nextMacrotask } from '../common/timers.js'

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
  /**
   * True when `minSamples` is the configured one, not the call's own: then it gives way to the
   * test's deadline (down to one sample a round) rather than fail the test. A call's own is a demand.
   */
  readonly minSamplesGivesWay?: boolean
  readonly rounds: number
  /**
   * True when `rounds` and `minSamples` are the configured ones: then the rounds give way to the
   * test's deadline too, down to `leastRounds` (the run ends with the rounds it measured). A
   * call's own rounds or samples are a demand.
   */
  readonly roundsGiveWay?: boolean
  readonly setup: (() => unknown) | undefined
  readonly teardown: (() => unknown) | undefined
}

/** The option names of `benchmark()`. */
export const benchmarkOptionKeys = ['time', 'warmupTime', 'minSamples', 'rounds', 'setup', 'teardown'] as const

/**
 * The fewest rounds a run whose configured rounds gave way to the test's deadline ends with:
 * the rounds a comparison needs to test round against round (minRoundsForRoundTest in
 * src/gate/compare.ts).
 */
const leastRounds = 5

// A sample lasts long enough that reading the clock and tinybench's loop are noise, which
// also keeps the samples few enough to keep and sort cheaply (at most ~10 000 a second).
const targetBatchMs = 0.1

function optionalFunction(name: string, value: unknown): (() => unknown) | undefined {
  if (value !== undefined && typeof value !== 'function') invalidArgument(name, 'a function', value)
  return value as (() => unknown) | undefined
}

/** When a benchmark must stop: the test's deadline (a signal, and its time where known). */
export interface BenchmarkDeadline {
  readonly signal: AbortSignal
  /** A `performance.now()` time the signal fires by, where known. */
  readonly endsAt?: number | undefined
}

/** How far a stopped benchmark got, for its message. */
export interface BenchmarkProgress {
  /** `planned`: it did not start, because warm-up and sampling alone would outlast the time left. */
  readonly phase: 'planned' | 'first call' | 'warm-up' | 'calibration' | 'sampling'
  readonly roundsDone: number
  readonly roundsPlanned: number
  /** Median ms per call of the rounds done, or null. */
  readonly median: number | null
  readonly elapsedMs: number
  /** For `planned` (and a `sampling` stop made ahead): ms the rest would take, and ms left before the deadline. */
  readonly plannedMs?: number
  readonly leftMs?: number
  /** For a `sampling` stop made ahead: the rounds that had to fit (fewer than the rest when the rounds give way). */
  readonly roundsNeeded?: number
}

/** A benchmark stopped by its deadline before it finished; `progress` says what it saw. */
export class BenchmarkStoppedError extends PerfgateError {
  readonly progress: BenchmarkProgress
  constructor(progress: BenchmarkProgress) {
    super('PERFGATE_TEST_TIMEOUT', describeProgress(progress))
    this.name = 'BenchmarkStoppedError'
    this.progress = progress
  }
}

function describeProgress(progress: BenchmarkProgress): string {
  switch (progress.phase) {
    case 'planned':
      return `it did not start: warm-up and sampling take ${Math.round(progress.plannedMs ?? 0)} ms, more than the ${Math.round(progress.leftMs ?? 0)} ms left`
    case 'first call':
      return `the function's first call had not settled after ${Math.round(progress.elapsedMs)} ms`
    case 'sampling': {
      const sofar = progress.median === null ? '' : ` (median ${formatMs(progress.median)} per call so far)`
      const needed =
        progress.roundsNeeded === undefined || progress.roundsNeeded === progress.roundsPlanned - progress.roundsDone
          ? 'the other rounds'
          : `the ${progress.roundsNeeded} more rounds needed`
      const ahead =
        progress.plannedMs === undefined ? '' : `; ${needed} would take about ${Math.round(progress.plannedMs)} ms, more than the ${Math.round(progress.leftMs ?? 0)} ms left`
      return `${progress.roundsDone} of ${progress.roundsPlanned} rounds measured${sofar} in ${Math.round(progress.elapsedMs)} ms${ahead}`
    }
    default:
      return `still in ${progress.phase} after ${Math.round(progress.elapsedMs)} ms, no round measured`
  }
}

function formatMs(ms: number): string {
  return ms >= 1 ? `${ms.toPrecision(3)} ms` : ms >= 1e-3 ? `${(ms * 1e3).toPrecision(3)} µs` : `${(ms * 1e6).toPrecision(3)} ns`
}

/** True once the deadline's signal fired or its time passed (a synchronous loop cannot see the signal fire). */
function pastDeadline(deadline: BenchmarkDeadline | undefined): boolean {
  return deadline !== undefined && (deadline.signal.aborted || (deadline.endsAt !== undefined && performance.now() >= deadline.endsAt))
}

/** `promise`, or a rejection once the deadline fires; the listener is removed either way. */
function untilDeadline<T>(promise: PromiseLike<T>, deadline: BenchmarkDeadline | undefined, stopped: () => Error): Promise<T> {
  if (deadline === undefined) return Promise.resolve(promise)
  const { signal } = deadline
  if (signal.aborted) return Promise.reject(stopped())
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(stopped())
    signal.addEventListener('abort', onAbort, { once: true })
    Promise.resolve(promise).then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(error)
      },
    )
  })
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
    minSamplesGivesWay: raw.minSamples === undefined,
    rounds: raw.rounds === undefined ? defaults.rounds : integerAtLeast(`${name}.rounds`, raw.rounds, 1),
    roundsGiveWay: raw.rounds === undefined && raw.minSamples === undefined,
    setup: optionalFunction(`${name}.setup`, raw.setup),
    teardown: optionalFunction(`${name}.teardown`, raw.teardown),
  }
}

/** Calls the function for `warmupTime` ms, unmeasured, so the JIT has settled before anything counts. */
async function warmUp(fn: () => unknown, isAsync: boolean, warmupTime: number, deadline: BenchmarkDeadline | undefined): Promise<void> {
  const until = performance.now() + warmupTime
  let calls = 1
  for (let now = performance.now(); now < until && !pastDeadline(deadline); now = performance.now()) {
    const elapsed = await timeCalls(fn, isAsync, calls, deadline)
    // Grow the batch while it is short next to the time left, so the end is not overshot.
    if (elapsed * 4 < until - now && calls < 1 << 20) calls *= 2
  }
}

async function timeCalls(fn: () => unknown, isAsync: boolean, calls: number, deadline: BenchmarkDeadline | undefined): Promise<number> {
  const start = performance.now()
  if (isAsync) {
    // A call that never settles must not hold the run past its deadline; a stopped batch calls no more.
    const calling = (async (): Promise<void> => {
      for (let i = 0; i < calls && deadline?.signal.aborted !== true; i++) await fn()
    })()
    await untilDeadline(calling, deadline, () => new Error('stopped'))
  } else {
    for (let i = 0; i < calls; i++) fn()
  }
  return performance.now() - start
}

/**
 * Chooses how many calls one sample holds: doubling the calls until they last a few batches
 * (which also warms the function up), then timing that batch once more and sizing from the
 * faster of the two, so that one slow first call (a compile, a GC) cannot shrink the batch.
 */
async function calibrate(fn: () => unknown, isAsync: boolean, time: number, deadline: BenchmarkDeadline | undefined): Promise<{ batchSize: number; perCall: number }> {
  const budgetMs = Math.max(time / 10, 5)
  const calibrationStart = performance.now()
  let calls = 1
  for (;;) {
    const elapsed = await timeCalls(fn, isAsync, calls, deadline)
    const outOfBudget = performance.now() - calibrationStart >= budgetMs || pastDeadline(deadline)
    // Several batches' worth, so a slow first await or call is spread over many calls.
    if (elapsed >= 4 * targetBatchMs || outOfBudget || calls >= 1 << 24) {
      const again = outOfBudget ? elapsed : await timeCalls(fn, isAsync, calls, deadline)
      const perCall = Math.min(elapsed, again) / calls
      return { batchSize: perCall <= 0 ? calls : Math.max(1, Math.ceil(targetBatchMs / perCall)), perCall: Math.max(perCall, 0) }
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
  deadline: BenchmarkDeadline | undefined,
): Promise<number[]> {
  // tinybench leaves its abort listeners on the signal it is given: it gets one of its own per
  // round, linked to the deadline while the round runs (ten rounds on the deadline's signal
  // tripped Node's MaxListenersExceededWarning).
  const roundStop = new AbortController()
  const stopRound = (): void => roundStop.abort()
  deadline?.signal.addEventListener('abort', stopRound, { once: true })
  // Warm-up was done before calibration, so tinybench samples straight away.
  // tinybench reads the global performance.now, taken when it loaded: under Jest's fakes
  // (enableGlobally) a fake one, whose time never passed, and a round that never ended.
  const bench = new Bench({ time: round.time, iterations: round.minSamples, warmup: false, retainSamples: true, signal: roundStop.signal, now: () => performance.now() })
  bench.add(name, batch, {
    async: isAsync,
    ...(options.setup === undefined ? {} : { beforeAll: async () => void (await options.setup?.()) }),
    ...(options.teardown === undefined ? {} : { afterAll: async () => void (await options.teardown?.()) }),
  })
  let task
  try {
    ;[task] = await untilDeadline(bench.run(), deadline, () => new Error('stopped'))
  } finally {
    deadline?.signal.removeEventListener('abort', stopRound)
  }
  if (deadline?.signal.aborted === true) throw new Error('stopped')
  const result = task?.result
  if (result === undefined) throw new Error(`benchmark "${name}" produced no result`)
  if (result.state === 'errored') throw result.error
  if (result.state !== 'completed') throw new Error(`benchmark "${name}" ended as ${result.state}`)
  return [...(result.latency.samples ?? [])]
}

/**
 * How long a round of sampling can take: tinybench samples until the round's time has passed
 * and it has `minSamples`, so up to one sample past its time (a 70 ms function in 90 ms rounds
 * takes two samples, 140 ms; planned at 90 ms, a round overran the test's deadline).
 */
export function plannedRoundMs(roundTime: number, minSamples: number, wallPerSample: number): number {
  return Math.max(roundTime + wallPerSample, minSamples * wallPerSample)
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
  // Inside a test, it stops when the test ends (a timeout included), like the matchers' runs.
  const signal = runningTestEndSignal()
  return noteTakenIn(await runBenchmark(name, fn, resolved, signal === undefined ? undefined : { signal }), signal)
}

/**
 * benchmark() after validation: shared with `toMatchBaseline`. With a deadline (the test's), it
 * stops when the deadline fires, also while a call of `fn` hangs, and keeps each round within
 * the time left (the configured `minSamples` gives way, then the configured rounds, down to
 * five), throwing a `BenchmarkStoppedError` with what it saw.
 */
export async function runBenchmark(name: string, fn: () => unknown, options: ResolvedBenchmarkOptions, deadline?: BenchmarkDeadline): Promise<BenchmarkResult> {
  const startedAt = performance.now()
  let phase: BenchmarkProgress['phase'] = 'first call'
  const roundMedians: number[] = []
  const progressNow = (): BenchmarkProgress => ({
    phase,
    roundsDone: roundMedians.length,
    roundsPlanned: options.rounds,
    median: roundMedians.length === 0 ? null : median(roundMedians),
    elapsedMs: performance.now() - startedAt,
  })
  const stopped = (): BenchmarkStoppedError => new BenchmarkStoppedError(progressNow())
  const guard = async <T>(step: () => Promise<T>): Promise<T> => {
    if (pastDeadline(deadline)) throw stopped()
    try {
      return await step()
    } catch (error) {
      if (pastDeadline(deadline)) throw stopped()
      throw error
    }
  }
  if (deadline?.endsAt !== undefined) {
    const leftMs = deadline.endsAt - startedAt
    const plannedMs = options.warmupTime + options.time
    if (plannedMs > leftMs) throw new BenchmarkStoppedError({ phase: 'planned', roundsDone: 0, roundsPlanned: options.rounds, median: null, elapsedMs: 0, plannedMs, leftMs })
  }
  await guard(async () => options.setup?.())
  const stopWatching = watchProgress(`benchmark ${name}`, options.warmupTime + options.time)
  try {
    let isAsync = false
    let calibration = { batchSize: 1, perCall: 0 }
    try {
      // The first call tells sync from async and surfaces an error before any sampling.
      await guard(async () => {
        const first = fn()
        if (isPromiseLike(first)) {
          isAsync = true
          await untilDeadline(first, deadline, stopped)
        }
      })
      phase = 'warm-up'
      await guard(() => warmUp(fn, isAsync, options.warmupTime, deadline))
      phase = 'calibration'
      calibration = await guard(() => calibrate(fn, isAsync, options.time, deadline))
    } finally {
      await options.teardown?.()
    }
    phase = 'sampling'
    let batchSize = calibration.batchSize
    const roundTime = options.time / options.rounds
    const roundMinSamples = Math.max(1, Math.ceil(options.minSamples / options.rounds))
    const all: number[] = []
    let iterations = 0
    const window = machineWindow()
    // Wall time per sample (tinybench's own loop included): the calibration's guess until a round has run.
    let wallPerSample = Math.max(targetBatchMs, calibration.perCall * batchSize)
    // Wall time between two rounds' sampling (the event loop's turn, the reference workload):
    // 8–47 ms a round on a loaded machine, over 100 ms with a CPU-burning neighbour as well.
    let betweenRounds = 0
    let gaps = 0
    let samplingEnd: number | null = null
    for (let round = 0; round < options.rounds; round++) {
      // A macrotask turn lets the deadline's timer fire between rounds, even for a synchronous function.
      await nextMacrotask()
      let minSamples = roundMinSamples
      if (deadline?.endsAt !== undefined) {
        // A synchronous round cannot be stopped inside: the rounds left must fit in the time left,
        // or the run stops now. A configured `minSamples` gives way, down to one sample a round:
        // a slow function on a busy machine took 240 ms a call, and the default 20 samples did
        // not fit a 5 s test (a hold-out suite failed 6 tests of unchanged code so); 10 did.
        const leftMs = deadline.endsAt - performance.now()
        const roundsLeft = options.rounds - round
        if (samplingEnd !== null) {
          // Their mean so far.
          gaps++
          betweenRounds += (performance.now() - samplingEnd - betweenRounds) / gaps
        }
        if (options.minSamplesGivesWay === true) minSamples = Math.max(1, Math.min(roundMinSamples, Math.floor((leftMs / roundsLeft - betweenRounds) / wallPerSample)))
        const cycleMs = plannedRoundMs(roundTime, minSamples, wallPerSample) + betweenRounds
        // The configured rounds give way too, down to enough to compare: a 150 ms function on a
        // machine with a busy neighbour measured 8 of 10 rounds in a 3 s test, the time between
        // rounds 120 ms each, and failed. Then the rounds up to `leastRounds` must fit, and past
        // them the next one, with the time between two rounds to spare.
        const givesWay = options.roundsGiveWay === true && options.rounds > leastRounds
        const mustFit = givesWay ? Math.min(roundsLeft, Math.max(1, leastRounds - round)) : roundsLeft
        if (mustFit * cycleMs + (givesWay ? betweenRounds : 0) > leftMs) {
          if (givesWay && round >= leastRounds) break
          throw new BenchmarkStoppedError({ ...progressNow(), plannedMs: mustFit * cycleMs, leftMs: Math.max(0, leftMs), roundsNeeded: mustFit })
        }
      }
      const roundStart = performance.now()
      const samples = await guard(() => sampleRound(name, batchOf(fn, isAsync, batchSize), isAsync, options, { time: roundTime, minSamples }, deadline))
      samplingEnd = performance.now()
      if (samples.length > 0) wallPerSample = (samplingEnd - roundStart) / samples.length
      const perCall = samples.map((ms) => ms / batchSize)
      iterations += samples.length * batchSize
      const roundMedian = median(perCall)
      roundMedians.push(roundMedian)
      for (const value of perCall) all.push(value)
      // Calibration can be fooled by a GC or a slow first await; the round's median cannot.
      if (round === 0 && roundMedian > 0) {
        const grown = Math.max(batchSize, Math.ceil(targetBatchMs / roundMedian))
        wallPerSample *= grown / batchSize
        batchSize = grown
      }
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
  } finally {
    stopWatching()
  }
}
