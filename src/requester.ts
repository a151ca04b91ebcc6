import { performance } from 'node:perf_hooks'
import { Pool } from 'undici'
import type { Dispatcher } from 'undici'
import type { FunctionTarget, HttpTarget, ResolvedTarget } from './target.js'
import { RequestTimeoutError, classifyError, classifyStatus } from './outcome.js'
import type { OutcomeCallback } from './outcome.js'
import { isPromiseLike } from './validate.js'

/** Sends requests to one target; every `send` ends in exactly one callback. */
export interface Requester {
  /** Starts one request whose latency and deadline count from `startedAt` (a `performance.now()` time). */
  send(startedAt: number, done: OutcomeCallback): void
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

interface Expirable {
  readonly deadline: number
  readonly settled: boolean
  expire(now: number): void
}

/**
 * One interval timer ends requests that outlive their deadline, instead of a timer per request.
 * Every request of a requester has the same timeout and they are sent in order of their start,
 * so deadlines arrive in order: a queue checked from its head is enough, and a request that
 * ended on time costs one array push. A request ends at most one tick past its timeout.
 */
class DeadlineSweeper {
  private queue: Expirable[] = []
  private head = 0
  private readonly timer: NodeJS.Timeout

  constructor(timeoutMs: number) {
    const tick = Math.min(50, Math.max(1, Math.floor(timeoutMs / 20)))
    this.timer = setInterval(() => this.sweep(performance.now()), tick)
    this.timer.unref()
  }

  add(entry: Expirable): void {
    this.queue.push(entry)
  }

  sweep(now: number): void {
    const queue = this.queue
    let head = this.head
    while (head < queue.length) {
      const entry = queue[head] as Expirable
      if (!entry.settled) {
        if (entry.deadline > now) break
        entry.expire(now)
      }
      head++
    }
    if (head > 1024 && head * 2 > queue.length) {
      this.queue = queue.slice(head)
      head = 0
    }
    this.head = head
  }

  /** Expires everything still in flight and stops the timer. */
  stop(): void {
    clearInterval(this.timer)
    this.sweep(Number.POSITIVE_INFINITY)
  }
}

// undici's own callback interface (the one its core calls directly): no promise, no body
// stream and no header parsing per request — the body is drained chunk by chunk and dropped.
class HttpRequest implements Dispatcher.DispatchHandler, Expirable {
  private abortRequest: ((error?: Error) => void) | null = null
  private status: number | undefined = undefined
  settled = false

  constructor(
    private readonly requester: HttpRequester,
    private readonly startedAt: number,
    readonly deadline: number,
    private readonly done: OutcomeCallback,
  ) {}

  onConnect(abort: (error?: Error) => void): void {
    if (this.settled) abort(new RequestTimeoutError(this.requester.timeoutMs))
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
    if (this.settle()) {
      this.done(classifyStatus(this.status ?? 0, this.requester.target.expectStatus), performance.now() - this.startedAt, this.status, undefined)
    }
  }

  onError(error: Error): void {
    if (this.settle()) {
      this.done(classifyError(error), performance.now() - this.startedAt, this.status, error)
    }
  }

  expire(now: number): void {
    if (!this.settle()) return
    const error = new RequestTimeoutError(this.requester.timeoutMs)
    this.done('timeout', Math.min(now, performance.now()) - this.startedAt, this.status, error)
    this.abortRequest?.(error)
  }

  private settle(): boolean {
    if (this.settled) return false
    this.settled = true
    return true
  }
}

class HttpRequester implements Requester {
  readonly sweeper: DeadlineSweeper
  private readonly pool: Pool
  private readonly dispatchOptions: Dispatcher.DispatchOptions

  constructor(
    readonly target: HttpTarget,
    readonly timeoutMs: number,
    connections: number,
  ) {
    this.sweeper = new DeadlineSweeper(timeoutMs)
    this.pool = new Pool(target.origin, { connections, pipelining: 1, keepAliveTimeout: 30_000 })
    // undici's own timeouts are off: the sweeper enforces one deadline for the whole request.
    this.dispatchOptions = {
      path: target.path,
      method: target.method as Dispatcher.HttpMethod,
      headers: target.headers,
      body: target.body,
      headersTimeout: 0,
      bodyTimeout: 0,
    }
  }

  send(startedAt: number, done: OutcomeCallback): void {
    const request = new HttpRequest(this, startedAt, startedAt + this.timeoutMs, done)
    this.sweeper.add(request)
    this.pool.dispatch(this.dispatchOptions, request)
  }

  async close(): Promise<void> {
    this.sweeper.stop()
    await this.pool.destroy()
  }
}

class FunctionCall implements Expirable {
  settled = false

  constructor(
    private readonly requester: FunctionRequester,
    private readonly startedAt: number,
    readonly deadline: number,
    private readonly done: OutcomeCallback,
  ) {}

  resolve(value: unknown): void {
    if (this.settle()) this.done('ok', performance.now() - this.startedAt, undefined, value)
  }

  reject(error: unknown): void {
    if (this.settle()) this.done(classifyError(error), performance.now() - this.startedAt, undefined, error)
  }

  expire(now: number): void {
    // A function cannot be aborted: it is abandoned and counted as timed out.
    if (this.settle()) {
      this.done('timeout', Math.min(now, performance.now()) - this.startedAt, undefined, new RequestTimeoutError(this.requester.timeoutMs))
    }
  }

  private settle(): boolean {
    if (this.settled) return false
    this.settled = true
    return true
  }
}

class FunctionRequester implements Requester {
  readonly sweeper: DeadlineSweeper

  constructor(
    private readonly target: FunctionTarget,
    readonly timeoutMs: number,
  ) {
    this.sweeper = new DeadlineSweeper(timeoutMs)
  }

  send(startedAt: number, done: OutcomeCallback): void {
    let result: unknown
    try {
      result = this.target.fn()
    } catch (error) {
      done(classifyError(error), performance.now() - startedAt, undefined, error)
      return
    }
    if (!isPromiseLike(result)) {
      done('ok', performance.now() - startedAt, undefined, result)
      return
    }
    const call = new FunctionCall(this, startedAt, startedAt + this.timeoutMs, done)
    this.sweeper.add(call)
    result.then(
      (value) => call.resolve(value),
      (error: unknown) => call.reject(error),
    )
  }

  close(): Promise<void> {
    this.sweeper.stop()
    return Promise.resolve()
  }
}

/** Creates the requester for a resolved target. Close it when done. */
export function createRequester(target: ResolvedTarget, options: RequesterOptions): Requester {
  return target.kind === 'http'
    ? new HttpRequester(target, options.timeoutMs, options.connections)
    : new FunctionRequester(target, options.timeoutMs)
}
