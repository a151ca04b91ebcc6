import { performance } from 'node:perf_hooks'
import { watchProgress } from '../common/progress.js'
import { runningTestEndSignal } from '../common/test-scope.js'
import { droppedKind, makeOutcome } from './outcome.js'
import type { Outcome, OutcomeCallback } from './outcome.js'
import { createRequester } from './requester.js'
import type { Requester, Sender } from './requester.js'
import { summarizeSorted } from '../stats/index.js'
import type { SampleSummary } from '../stats/index.js'
import { resolveTarget } from './target.js'
import type { Target } from './target.js'
import { integerAtLeast, integerBetween, invalidArgument, optionsObject, positiveNumber } from '../common/validate.js'
import { defaultConfig, maxRequests } from '../config/config.js'
import { TimelineRecorder } from './timeline.js'
import type { LoadTimeline } from './timeline.js'
import { clearTimeout, setImmediate, setTimeout } from '../common/timers.js'

/** Options of `runLoad` (and of `toSustainSuccessRate`). */
export interface LoadOptions {
  /** Total requests (default 100). With `rate`, the arrivals to schedule unless `duration` is given. */
  readonly requests?: number
  /** Clients in flight (default 10). In the open model: the most requests in flight at once. */
  readonly concurrency?: number
  /** Milliseconds to run for, instead of a request count. */
  readonly duration?: number
  /** Arrivals per second: the open model, latency counted from each scheduled start. */
  readonly rate?: number
  /** Milliseconds for one request before it counts as `timeout` (default 10 000). */
  readonly timeout?: number
  /** Decides success (default: 2xx status, or the function resolved). */
  readonly isSuccess?: (outcome: Outcome) => boolean
}

/** The result of a load run. Latency figures are over the successful requests. */
export interface LoadResult {
  readonly kind: 'load'
  /** What was measured, e.g. the URL. */
  readonly target: string
  /** `closed`: `concurrency` clients back to back; `open`: arrivals at `rate` per second. */
  readonly model: 'closed' | 'open'
  readonly total: number
  readonly successes: number
  readonly failures: number
  /** successes / total (1 when nothing was sent). */
  readonly successRate: number
  /** Requests by outcome kind: `ok`, `status:503`, `timeout`, `ECONNRESET`… */
  readonly outcomes: Readonly<Record<string, number>>
  /** The first error message of each failure kind. */
  readonly errors: Readonly<Record<string, string>>
  /** Latency of the successful requests in ms (null when none succeeded). */
  readonly latency: SampleSummary | null
  /** Requests sent and ended per second over the run (arrivals `dropped` unsent do not count). */
  readonly throughput: number
  /** Wall time of the run in ms. */
  readonly durationMs: number
  readonly concurrency: number
  /** Arrivals per second in the open model. */
  readonly rate: number | undefined
  /** Outcomes over the run's time, in at most 120 buckets: where a stall shows. */
  readonly timeline: LoadTimeline
}

const loadOptionKeys = ['requests', 'concurrency', 'duration', 'rate', 'timeout', 'isSuccess'] as const

/** Load options after validation and defaults. */
export interface ResolvedLoadOptions {
  readonly requests: number | undefined
  readonly concurrency: number
  readonly durationMs: number | undefined
  readonly rate: number | undefined
  readonly timeoutMs: number
  readonly isSuccess: ((outcome: Outcome) => boolean) | undefined
}

/** Validates load options once, up front; throws a TypeError naming the bad option. */
export function resolveLoadOptions(
  options: unknown,
  name = 'options',
  extraKeys: readonly string[] = [],
  defaults: { readonly requests: number; readonly concurrency: number; readonly timeout: number } = defaultConfig.successRate,
): ResolvedLoadOptions {
  const raw = optionsObject(name, options, [...loadOptionKeys, ...extraKeys] as readonly (typeof loadOptionKeys)[number][])
  const durationMs = raw.duration === undefined ? undefined : positiveNumber(`${name}.duration`, raw.duration)
  const requests =
    raw.requests === undefined ? (durationMs === undefined ? defaults.requests : undefined) : integerBetween(`${name}.requests`, raw.requests, 1, maxRequests)
  const isSuccess = raw.isSuccess
  if (isSuccess !== undefined && typeof isSuccess !== 'function') invalidArgument(`${name}.isSuccess`, 'a function', isSuccess)
  return {
    requests,
    concurrency: raw.concurrency === undefined ? defaults.concurrency : integerAtLeast(`${name}.concurrency`, raw.concurrency, 1),
    durationMs,
    rate: raw.rate === undefined ? undefined : positiveNumber(`${name}.rate`, raw.rate),
    timeoutMs: raw.timeout === undefined ? defaults.timeout : positiveNumber(`${name}.timeout`, raw.timeout),
    isSuccess: isSuccess as ((outcome: Outcome) => boolean) | undefined,
  }
}

function describeError(error: unknown): string {
  // Whatever a target rejects with must not lose the run's results: a prototype-less object,
  // a throwing toString or message getter still get a description.
  try {
    if (error instanceof Error) {
      const cause = (error as { cause?: unknown }).cause
      return cause instanceof Error ? `${error.message} (${cause.message})` : error.message
    }
    return String(error)
  } catch {
    return Object.prototype.toString.call(error)
  }
}

/** Collects outcomes with little allocation: latencies in an array, failure counts in a map. */
export class OutcomeRecorder {
  readonly latencies: number[] = []
  /** Failures by kind (successes are `successes`). */
  private readonly failureCounts = new Map<string, number>()
  /** The first error message of each failure kind, to say why requests failed. */
  readonly errors: Record<string, string> = {}
  total = 0
  successes = 0
  /** Open-model arrivals that were never sent (`dropped`), whatever `isSuccess` made of them. */
  unsent = 0

  /** `timeline`: where a load run also counts each outcome by when it ended. */
  constructor(
    private readonly isSuccess: ((outcome: Outcome) => boolean) | undefined,
    private readonly timeline?: TimelineRecorder,
  ) {}

  /** One outcome; `endedAt` (a `performance.now()` time) where the sender knows it, else the clock is read for the timeline. */
  record(kind: string, latencyMs: number, status: number | undefined, detail: unknown, endedAt?: number): void {
    let effectiveKind = kind
    let rejected = false
    if (this.isSuccess !== undefined) {
      const decided = this.isSuccess(makeOutcome(kind, latencyMs, status, detail))
      if (decided && kind !== 'ok') effectiveKind = 'ok'
      else if (!decided && kind === 'ok') {
        effectiveKind = status === undefined ? 'rejected-by-isSuccess' : `status:${status}`
        rejected = true
      }
    }
    this.total++
    if (kind === droppedKind) this.unsent++
    if (effectiveKind === 'ok') {
      this.successes++
      this.latencies.push(latencyMs)
      this.timeline?.add(endedAt ?? performance.now(), latencyMs, true)
      return
    }
    this.timeline?.add(endedAt ?? performance.now(), latencyMs, false)
    this.failureCounts.set(effectiveKind, (this.failureCounts.get(effectiveKind) ?? 0) + 1)
    if (this.errors[effectiveKind] === undefined) {
      // A success turned into a failure: say who did it, or a 200 counted as failed reads as a mystery.
      if (rejected) this.errors[effectiveKind] = status === undefined ? 'isSuccess returned false for a call that returned' : `isSuccess returned false for an HTTP ${status} response`
      else this.errors[effectiveKind] = detail === undefined ? effectiveKind : describeError(detail)
    }
  }

  /** Counts by kind as a plain object, `ok` first then by count. */
  outcomes(): Record<string, number> {
    const failures = [...this.failureCounts].sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    return Object.fromEntries(this.successes > 0 ? [['ok', this.successes], ...failures] : failures)
  }

  sortedLatencies(): number[] {
    const sorted = Float64Array.from(this.latencies).sort()
    // A plain loop: Array.from on a typed array takes several times longer.
    const result = new Array<number>(sorted.length)
    for (let index = 0; index < sorted.length; index++) result[index] = sorted[index] as number
    return result
  }
}

/**
 * The longest a load loop runs synchronously before it yields to the event loop. A synchronous
 * function target answers inside `send()`, so without a yield no timer could fire until the
 * whole run had ended (`requests: 3e7` on `() => 1` ran past the test's timeout).
 */
const sliceMs = 10

/**
 * Calls `onStop` once when `signal` aborts (at once if it already has); returns the function
 * that stops listening. A stopped run resolves at once and leaves what is still in flight to
 * the requester's `close()`, which ends it; nothing is recorded after the stop.
 */
function onAbort(signal: AbortSignal | undefined, onStop: () => void): () => void {
  if (signal === undefined) return () => {}
  if (signal.aborted) {
    onStop()
    return () => {}
  }
  signal.addEventListener('abort', onStop, { once: true })
  return () => signal.removeEventListener('abort', onStop)
}

/**
 * Closed model: `concurrency` clients, each on a lane (a connection) of its own, each sending its
 * next request when its last one ended, until `requests` were sent or `durationMs` passed (or
 * `signal` aborted).
 */
export function runClosedModel(
  requester: Requester,
  limits: { readonly requests: number | undefined; readonly durationMs: number | undefined; readonly concurrency: number },
  record: OutcomeCallback,
  signal?: AbortSignal,
): Promise<void> {
  const maxRequests = limits.requests ?? Number.POSITIVE_INFINITY
  const stopAt = limits.durationMs === undefined ? Number.POSITIVE_INFINITY : performance.now() + limits.durationMs
  // No more clients (each an HTTP connection) than requests: concurrency 1e6 for 3 samples ran out of heap.
  const clients = Math.max(1, Math.min(limits.concurrency, limits.requests ?? Number.POSITIVE_INFINITY))
  return new Promise((resolve, reject) => {
    let issued = 0
    let active = 0
    let stopped = false
    const stopListening = onAbort(signal, () => {
      stopped = true
      resolve()
    })
    // A `record` that throws (a user's isSuccess) stops the run, which then rejects with it.
    let failure: { readonly error: unknown } | undefined
    // Clients ready to send, in a ring: a synchronous target answers inside send(), and the
    // loop below sends its next request instead of recursing.
    const ready = new Int32Array(clients)
    let readyHead = 0
    let readyCount = 0
    let launching = false
    // Set while the loop has yielded: one resume at a time, or each yield would add a slice
    // to every turn of the event loop and starve the timers again.
    let resumePending = false
    const resume = (): void => {
      resumePending = false
      drain()
    }
    const drain = (): void => {
      if (launching || resumePending) return
      launching = true
      const sliceStart = performance.now()
      while (readyCount > 0) {
        const next = ready[readyHead] as number
        readyHead = (readyHead + 1) % clients
        readyCount--
        const now = performance.now()
        if (!stopped && failure === undefined && issued < maxRequests && now < stopAt) {
          issued++
          active++
          ;(lanes[next] as Sender).send(now, onDone[next] as OutcomeCallback)
          // A synchronous target answers inside send() and the loop goes on: give timers (the
          // test's deadline, the runner's timeout) a turn now and then.
          if (readyCount > 0 && now - sliceStart >= sliceMs) {
            resumePending = true
            setImmediate(resume)
            break
          }
        } else if (active === 0) {
          readyCount = 0
          stopListening()
          if (failure === undefined) resolve()
          else reject(failure.error)
        }
      }
      launching = false
    }
    const launch = (client: number): void => {
      ready[(readyHead + readyCount) % clients] = client
      readyCount++
      drain()
    }
    const lanes: Sender[] = []
    const onDone: OutcomeCallback[] = []
    for (let client = 0; client < clients; client++) {
      lanes.push(requester.lane(client))
      onDone.push((kind, latencyMs, status, detail, endedAt) => {
        active--
        if (!stopped) {
          try {
            record(kind, latencyMs, status, detail, endedAt)
          } catch (error) {
            failure ??= { error }
          }
        }
        launch(client)
      })
    }
    if (!stopped) for (let client = 0; client < clients; client++) launch(client)
  })
}

/**
 * Open model: arrivals on a fixed schedule, whatever the server does. Latency counts from each
 * scheduled start, so a stalled server shows in the percentiles instead of slowing the sender
 * (coordinated omission). At most `concurrency` are in flight.
 *
 * Arrival `i` is due at `start + i / rate`; an arrival is generated only when it can be sent,
 * so the arrivals waiting for a free slot are a range of indices, not objects, and memory stays
 * bounded by what is in flight. An arrival that cannot start in time counts as `dropped`
 * without being sent: it waited past its `timeout`, or the schedule (`arrivals / rate`) ended
 * while every slot was busy and it was not among the last `concurrency` still waiting (one per
 * slot, started as the slots free). So the run ends within the schedule plus the timeout of
 * what is in flight.
 */
export function runOpenModel(
  requester: Sender,
  limits: { readonly arrivals: number; readonly rate: number; readonly concurrency: number; readonly timeoutMs: number },
  record: OutcomeCallback,
  signal?: AbortSignal,
): Promise<void> {
  const { arrivals, concurrency, timeoutMs } = limits
  const intervalMs = 1000 / limits.rate
  return new Promise((resolve, reject) => {
    const start = performance.now()
    const scheduleEnd = start + arrivals * intervalMs
    /** Arrivals sent or dropped so far, in schedule order; arrivals from here on are waiting or not yet due. */
    let taken = 0
    let inFlight = 0
    let stopped = false
    let pumping = false
    let resumePending = false
    const resume = (): void => {
      resumePending = false
      pump()
    }
    let timer: NodeJS.Timeout | undefined
    let timerAt = Number.POSITIVE_INFINITY
    // A `record` that throws (a user's isSuccess) stops the schedule; the run then rejects with it.
    let failure: { readonly error: unknown } | undefined
    let droppedReason: Error | undefined
    const safeRecord: OutcomeCallback = (kind, latencyMs, status, detail, endedAt) => {
      if (stopped) return
      try {
        record(kind, latencyMs, status, detail, endedAt)
      } catch (error) {
        failure ??= { error }
      }
    }
    const settle = (): void => {
      stopped = true
      clearTimeout(timer)
      stopListening()
      if (failure === undefined) resolve()
      else reject(failure.error)
    }
    const onDone: OutcomeCallback = (kind, latencyMs, status, detail, endedAt) => {
      inFlight--
      safeRecord(kind, latencyMs, status, detail, endedAt)
      pump()
    }
    const wakeAt = (at: number): void => {
      if (timer !== undefined && timerAt <= at) return
      clearTimeout(timer)
      timerAt = at
      timer = setTimeout(onTimer, Math.max(0, at - performance.now()))
    }
    const onTimer = (): void => {
      timer = undefined
      timerAt = Number.POSITIVE_INFINITY
      pump()
    }
    function pump(): void {
      if (stopped || pumping || resumePending) return
      pumping = true
      const sliceStart = performance.now()
      let now = sliceStart
      let yielded = false
      while (failure === undefined && taken < arrivals) {
        const due = Math.min(arrivals, Math.floor((now - start) / intervalMs) + 1)
        if (taken >= due) break
        const scheduledStart = start + taken * intervalMs
        // Once the schedule has ended, each busy slot may still take one waiting arrival when it
        // frees (so a burst due at the very end is not lost to a late timer); the rest are dropped.
        if (now - scheduledStart >= timeoutMs || (inFlight >= concurrency && now >= scheduleEnd && arrivals - taken > concurrency)) {
          taken++
          droppedReason ??= new Error(`not sent: all ${concurrency} slots (\`concurrency\`) were busy until its \`timeout\` or the end of the schedule`)
          safeRecord(droppedKind, now - scheduledStart, undefined, droppedReason, now)
        } else if (inFlight < concurrency) {
          taken++
          inFlight++
          requester.send(scheduledStart, onDone)
        } else {
          break
        }
        now = performance.now()
        // A synchronous target answers inside send(): let timers (the test's deadline) run.
        if (now - sliceStart >= sliceMs) {
          yielded = resumePending = true
          setImmediate(resume)
          break
        }
      }
      pumping = false
      if (stopped || yielded) return
      if (failure !== undefined || taken === arrivals) {
        if (inFlight === 0) settle()
        return
      }
      const due = Math.min(arrivals, Math.floor((now - start) / intervalMs) + 1)
      // Waiting arrivals start when a slot frees (onDone); the timer only has to catch the
      // oldest one's timeout or the end of the schedule. Otherwise it wakes for the next arrival.
      const oldestExpires = start + taken * intervalMs + timeoutMs
      wakeAt(taken < due ? (now < scheduleEnd ? Math.min(oldestExpires, scheduleEnd) : oldestExpires) : start + due * intervalMs)
    }
    const stopListening = onAbort(signal, () => {
      stopped = true
      clearTimeout(timer)
      resolve()
    })
    pump()
  })
}

/**
 * The arrivals of an open-model run: `rate × duration`, or `requests`; with both, whichever is
 * fewer (the run ends at whichever comes first, as in the closed model).
 */
function openArrivals(rate: number, options: ResolvedLoadOptions): number {
  const scheduled = options.durationMs === undefined ? Number.POSITIVE_INFINITY : Math.max(1, Math.round((rate * options.durationMs) / 1000))
  return Math.min(options.requests ?? Number.POSITIVE_INFINITY, scheduled)
}

/** How long a load run is planned to last at least, and which options say so. */
export interface PlannedRun {
  readonly ms: number
  /** `` `duration` `` or `` `requests` / `rate` ``. */
  readonly from: string
}

/**
 * The time a run takes whatever the target does, when its options fix one: a closed run for a
 * `duration` (without `requests`, which could end it sooner), or an open run's schedule.
 * Undefined for a closed run by count, whose length depends on the target.
 */
export function plannedRun(options: ResolvedLoadOptions): PlannedRun | undefined {
  if (options.rate === undefined) {
    return options.durationMs !== undefined && options.requests === undefined ? { ms: options.durationMs, from: '`duration`' } : undefined
  }
  const arrivals = openArrivals(options.rate, options)
  if (options.durationMs === undefined || options.requests === arrivals) return { ms: (arrivals * 1000) / options.rate, from: '`requests` / `rate`' }
  return { ms: options.durationMs, from: '`duration`' }
}

/**
 * Runs a bounded load against a target and reports counts by outcome, latency and throughput.
 * It always stops: by count or duration, each request bounded by `timeout`; sockets are closed.
 * @example
 * const result = await runLoad('http://127.0.0.1:3000/api', { requests: 500, concurrency: 20 })
 * result.successRate // 0.998
 */
export async function runLoad(target: Target, options?: LoadOptions): Promise<LoadResult> {
  const resolvedTarget = resolveTarget(target)
  // Inside a test, it stops when the test ends (a timeout included), like the matchers' runs.
  return runResolvedLoad(resolvedTarget, resolveLoadOptions(options), runningTestEndSignal())
}

/**
 * runLoad after validation: shared with the matchers, which validate their own options first.
 * When `signal` aborts, the run stops sending, abandons what is in flight and reports what had
 * ended by then.
 */
export async function runResolvedLoad(
  target: ReturnType<typeof resolveTarget>,
  options: ResolvedLoadOptions,
  signal?: AbortSignal,
): Promise<LoadResult> {
  const rate = options.rate
  const planned = rate === undefined ? options.requests : openArrivals(rate, options)
  const requester = createRequester(target, { connections: Math.max(1, Math.min(options.concurrency, planned ?? Number.POSITIVE_INFINITY)), timeoutMs: options.timeoutMs })
  const startedAt = performance.now()
  const timeline = new TimelineRecorder(startedAt, plannedRun(options)?.ms)
  const recorder = new OutcomeRecorder(options.isSuccess, timeline)
  const record = recorder.record.bind(recorder)
  let endedAt = startedAt
  const stopWatching = watchProgress(`${target.label} (load)`, plannedRun(options)?.ms ?? null, () => ({ requests: recorder.total }))
  try {
    if (rate === undefined) {
      await runClosedModel(requester, options, record, signal)
    } else {
      await runOpenModel(requester, { arrivals: openArrivals(rate, options), rate, concurrency: options.concurrency, timeoutMs: options.timeoutMs }, record, signal)
    }
    // The run ends with its last request, not with closing the sockets.
    endedAt = performance.now()
  } finally {
    stopWatching()
    await requester.close()
  }
  const durationMs = endedAt - startedAt
  // A run its deadline stopped is reported by counts only: sorting millions of latencies of a
  // fast function would take seconds the test no longer has.
  const sorted = signal?.aborted === true ? [] : recorder.sortedLatencies()
  // Dropped arrivals were never sent: they count against the success rate, not as throughput.
  const sent = recorder.total - recorder.unsent
  return {
    kind: 'load',
    target: target.label,
    model: options.rate === undefined ? 'closed' : 'open',
    total: recorder.total,
    successes: recorder.successes,
    failures: recorder.total - recorder.successes,
    successRate: recorder.total === 0 ? 1 : recorder.successes / recorder.total,
    outcomes: recorder.outcomes(),
    errors: recorder.errors,
    latency: sorted.length === 0 ? null : summarizeSorted(sorted),
    throughput: durationMs > 0 ? (sent * 1000) / durationMs : 0,
    durationMs,
    concurrency: options.concurrency,
    rate: options.rate,
    timeline: timeline.timeline(endedAt),
  }
}
