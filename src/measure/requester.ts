import { performance } from 'node:perf_hooks'
import { Client, Pool } from 'undici'
import type { Dispatcher } from 'undici'
import type { FunctionTarget, HttpTarget, ResolvedTarget } from './target.js'
import { RequestTimeoutError, classifyError, classifyStatus, unsolicitedResponse } from './outcome.js'
import type { OutcomeCallback } from './outcome.js'
import { isPromiseLike } from '../common/validate.js'
import { clearInterval, fakedTimers, microtask, setInterval } from '../common/timers.js'
import { PerfgateError } from '../common/errors.js'

/** Starts requests to one target; every `send` ends in exactly one callback. */
export interface Sender {
  /** Starts one request whose latency and deadline count from `startedAt` (a `performance.now()` time). */
  send(startedAt: number, done: OutcomeCallback): void
}

/**
 * Sends requests to one target. `send` uses any free connection of a pool (the open model);
 * `lane(i)` is a sender with a keep-alive connection of its own, for the i-th client of the
 * closed model, which never has more than one request in flight.
 */
export interface Requester extends Sender {
  /** The sender of closed-model client `index` (the same one on every call). */
  lane(index: number): Sender
  /** Times out what is still in flight, then closes every socket. */
  close(): Promise<void>
}

/** Options for a requester. */
export interface RequesterOptions {
  /** Sockets to keep open to the origin (the most requests in flight at once). */
  readonly connections: number
  /** Milliseconds before a request is given up and counted as `timeout`. */
  readonly timeoutMs: number
}

/**
 * A request or call in flight. It ends exactly once: on its own, or when the sweeper finds it
 * past its deadline. Once ended it leaves the sweeper, so nothing keeps it alive.
 */
abstract class InFlight {
  /** Its index in the sweeper's list while in flight; -1 once it has ended. */
  slot = -1

  /** When it times out: its start plus the requester's timeout. */
  readonly deadline: number

  constructor(
    protected readonly sweeper: DeadlineSweeper,
    protected readonly startedAt: number,
    protected readonly done: OutcomeCallback,
  ) {
    this.deadline = startedAt + sweeper.timeoutMs
    sweeper.add(this)
  }

  get settled(): boolean {
    return this.slot === -1
  }

  /** Ends it after its deadline. */
  abstract expire(now: number): void

  /** Marks it ended; false if it already was (a late answer after a timeout). */
  protected settle(): boolean {
    if (this.slot === -1) return false
    this.sweeper.remove(this)
    return true
  }
}

/**
 * One interval timer ends requests that outlive their deadline, instead of a timer per request.
 * It holds only what is in flight (at most the concurrency) in a list with constant-time
 * removal, so a request that ended is garbage at once. A request ends at most one tick past
 * its timeout.
 */
class DeadlineSweeper {
  private readonly inFlight: InFlight[] = []
  private readonly timer: NodeJS.Timeout

  constructor(readonly timeoutMs: number) {
    const tick = Math.min(50, Math.max(1, Math.floor(timeoutMs / 20)))
    this.timer = setInterval(() => this.sweep(performance.now()), tick)
    this.timer.unref()
  }

  add(entry: InFlight): void {
    entry.slot = this.inFlight.length
    this.inFlight.push(entry)
  }

  remove(entry: InFlight): void {
    const last = this.inFlight.pop() as InFlight
    if (last !== entry) {
      this.inFlight[entry.slot] = last
      last.slot = entry.slot
    }
    entry.slot = -1
  }

  sweep(now: number): void {
    let expired: InFlight[] | undefined
    for (const entry of this.inFlight) if (entry.deadline <= now) (expired ??= []).push(entry)
    // Expiring ends the entry (and may start the next request), so not while iterating.
    if (expired !== undefined) for (const entry of expired) entry.expire(now)
  }

  /** Expires everything still in flight and stops the timer. */
  stop(): void {
    clearInterval(this.timer)
    this.sweep(Number.POSITIVE_INFINITY)
  }
}

// undici's own callback interface (the one its core calls directly): no promise, no body
// stream and no header parsing per request — the body is drained chunk by chunk and dropped.
class HttpRequest extends InFlight implements Dispatcher.DispatchHandler {
  private abortRequest: ((error?: Error) => void) | null = null
  private status: number | undefined = undefined

  constructor(
    private readonly requester: HttpRequester,
    startedAt: number,
    done: OutcomeCallback,
  ) {
    super(requester.sweeper, startedAt, done)
  }

  onConnect(abort: (error?: Error) => void): void {
    if (this.settled) abort(new RequestTimeoutError(this.sweeper.timeoutMs))
    else this.abortRequest = abort
  }

  onHeaders(statusCode: number): boolean {
    this.status = statusCode
    return true
  }

  onData(): boolean {
    return true
  }

  onComplete(): void {
    if (!this.settle()) return
    const endedAt = performance.now()
    this.done(classifyStatus(this.status ?? 0, this.requester.target.expectStatus), endedAt - this.startedAt, this.status, undefined, endedAt)
  }

  onError(error: Error): void {
    if (!this.settle()) return
    const endedAt = performance.now()
    const failure = unsolicitedResponse(error, this.status) ?? error
    // undici fails a client's queued requests in a loop that expects the queue to stay empty:
    // report after it, so that the next request sent on this lane does not land inside it.
    microtask(() => this.done(classifyError(failure), endedAt - this.startedAt, this.status, failure, endedAt))
  }

  expire(now: number): void {
    const abort = this.abortRequest
    if (!this.settle()) return
    const error = new RequestTimeoutError(this.sweeper.timeoutMs)
    // Abort before reporting: the client sends its next request on this lane at once, and it
    // should find the abandoned connection already closed (it goes out on a fresh one).
    abort?.(error)
    const endedAt = Math.min(now, performance.now())
    this.done('timeout', endedAt - this.startedAt, this.status, error, endedAt)
  }

  protected override settle(): boolean {
    if (!super.settle()) return false
    this.abortRequest = null
    return true
  }
}

/**
 * The body as a Buffer, encoded once: undici would otherwise encode a string body (or wrap a
 * Uint8Array) again for every request. A Uint8Array is wrapped, not copied.
 */
function bodyBuffer(body: string | Uint8Array | null): Buffer | null {
  if (body === null) return null
  return typeof body === 'string' ? Buffer.from(body) : Buffer.from(body.buffer, body.byteOffset, body.byteLength)
}

class HttpRequester implements Requester {
  readonly sweeper: DeadlineSweeper
  private pool: Pool | undefined = undefined
  private readonly lanes: Sender[] = []
  private readonly clients: Client[] = []
  private readonly dispatchOptions: Dispatcher.DispatchOptions

  constructor(
    readonly target: HttpTarget,
    timeoutMs: number,
    private readonly connections: number,
  ) {
    this.sweeper = new DeadlineSweeper(timeoutMs)
    // undici's own timeouts are off: the sweeper enforces one deadline for the whole request.
    this.dispatchOptions = {
      path: target.path,
      method: target.method as Dispatcher.HttpMethod,
      headers: target.headers,
      body: bodyBuffer(target.body),
      headersTimeout: 0,
      bodyTimeout: 0,
    }
  }

  send(startedAt: number, done: OutcomeCallback): void {
    this.pool ??= new Pool(this.target.origin, { connections: this.connections, pipelining: 1, keepAliveTimeout: 30_000 })
    this.dispatch(this.pool, startedAt, done)
  }

  lane(index: number): Sender {
    let lane = this.lanes[index]
    if (lane === undefined) {
      // A lane has at most one request in flight, so a pipelining depth of 2 never puts two
      // requests on the wire at once. What it changes: the next request is written as soon as
      // the last response ends, where depth 1 waits a turn of the event loop first. undici
      // still holds back a request that is not idempotent until the previous one is done.
      const client = new Client(this.target.origin, { pipelining: 2, keepAliveTimeout: 30_000 })
      this.clients.push(client)
      lane = { send: (startedAt, done) => this.dispatch(client, startedAt, done) }
      this.lanes[index] = lane
    }
    return lane
  }

  private dispatch(dispatcher: Dispatcher, startedAt: number, done: OutcomeCallback): void {
    dispatcher.dispatch(this.dispatchOptions, new HttpRequest(this, startedAt, done))
  }

  async close(): Promise<void> {
    this.sweeper.stop()
    const dispatchers: Dispatcher[] = [...this.clients]
    if (this.pool !== undefined) dispatchers.push(this.pool)
    await Promise.all(dispatchers.map((dispatcher) => dispatcher.destroy()))
  }
}

class FunctionCall extends InFlight {
  resolve(value: unknown): void {
    if (!this.settle()) return
    const endedAt = performance.now()
    this.done('ok', endedAt - this.startedAt, undefined, value, endedAt)
  }

  reject(error: unknown): void {
    if (!this.settle()) return
    const endedAt = performance.now()
    this.done(classifyError(error), endedAt - this.startedAt, undefined, error, endedAt)
  }

  expire(now: number): void {
    // A function cannot be aborted: it is abandoned and counted as timed out.
    if (!this.settle()) return
    const endedAt = Math.min(now, performance.now())
    this.done('timeout', endedAt - this.startedAt, undefined, new RequestTimeoutError(this.sweeper.timeoutMs), endedAt)
  }
}

class FunctionRequester implements Requester {
  readonly sweeper: DeadlineSweeper

  constructor(
    private readonly target: FunctionTarget,
    timeoutMs: number,
  ) {
    this.sweeper = new DeadlineSweeper(timeoutMs)
  }

  lane(): Sender {
    return this
  }

  send(startedAt: number, done: OutcomeCallback): void {
    let result: unknown
    try {
      result = this.target.fn()
    } catch (error) {
      const endedAt = performance.now()
      done(classifyError(error), endedAt - startedAt, undefined, error, endedAt)
      return
    }
    if (!isPromiseLike(result)) {
      const endedAt = performance.now()
      done('ok', endedAt - startedAt, undefined, result, endedAt)
      return
    }
    const call = new FunctionCall(this.sweeper, startedAt, done)
    try {
      result.then(
        (value) => call.resolve(value),
        (error: unknown) => call.reject(error),
      )
    } catch (error) {
      // A thenable whose then() throws is a failed call, not a hung run.
      call.reject(error)
    }
  }

  close(): Promise<void> {
    this.sweeper.stop()
    return Promise.resolve()
  }
}

/**
 * What undici schedules its own work with: replaced by a test's fake timers (Vitest's and
 * Jest's defaults fake `setImmediate`), a request never completes and the run waits until its
 * test's deadline. perfgate's own timers are the real ones (common/timers.ts); undici's are not.
 */
const timersUndiciNeeds = ['setImmediate', 'queueMicrotask', 'process.nextTick'] as const

/** The error for an HTTP run under fake timers that would stall it, or null. */
function fakeTimersError(target: HttpTarget): PerfgateError | null {
  const faked = fakedTimers(timersUndiciNeeds)
  if (faked.length === 0) return null
  return new PerfgateError(
    'PERFGATE_FAKE_TIMERS',
    `Fake timers are on (${faked.join(', ')}), and HTTP requests to ${target.label} cannot complete under them: ` +
      'the HTTP client schedules its work with those. Nothing was sent. Switch them off before measuring ' +
      '(vi.useRealTimers() or jest.useRealTimers()), or fake only what your code needs, for example ' +
      "vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] }) (Jest: doNotFake: ['setImmediate', 'queueMicrotask', 'nextTick']).",
  )
}

/** Creates the requester for a resolved target. Close it when done. */
export function createRequester(target: ResolvedTarget, options: RequesterOptions): Requester {
  if (target.kind === 'function') return new FunctionRequester(target, options.timeoutMs)
  const error = fakeTimersError(target)
  if (error !== null) throw error
  return new HttpRequester(target, options.timeoutMs, options.connections)
}
