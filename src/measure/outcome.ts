/** What one request or call ended as. `kind` is `'ok'` for a success, else the failure kind. */
export interface Outcome {
  readonly ok: boolean
  /** `'ok'`, or a failure kind: `status:503`, `timeout`, `ECONNREFUSED`, `ECONNRESET`, `unsolicited:100`, `error:TypeError`, `dropped`… */
  readonly kind: string
  /** Milliseconds from the request's (scheduled) start to its end. */
  readonly latencyMs: number
  /** HTTP status, when a response arrived. */
  readonly status: number | undefined
  /** The error, when the request failed with one. */
  readonly error: unknown
  /** The resolved value, for a function target. */
  readonly value: unknown
}

/**
 * Receives each finished request; `detail` is the error of a failure or a function's value, and
 * `endedAt` when it ended (a `performance.now()` time), where the sender read the clock anyway.
 */
export type OutcomeCallback = (kind: string, latencyMs: number, status: number | undefined, detail: unknown, endedAt?: number) => void

/**
 * The failure kind of an open-model arrival that was never sent: every slot was busy until its
 * timeout, or until the end of the schedule.
 */
export const droppedKind = 'dropped'

/** The error a request ends with when it outlives its timeout. */
export class RequestTimeoutError extends Error {
  readonly code = 'PERFGATE_REQUEST_TIMEOUT'

  constructor(timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`)
    this.name = 'RequestTimeoutError'
  }
}

/**
 * The error a request ends with when the server answered `100 Continue` or `101 Switching
 * Protocols` although the request asked for neither (no `Expect: 100-continue`, no `Upgrade`).
 * undici closes the connection on such an answer; its kind is `unsolicited:<status>`.
 */
export class UnsolicitedResponseError extends Error {
  readonly code = 'PERFGATE_UNSOLICITED_RESPONSE'

  constructor(
    readonly status: 100 | 101,
    options?: { cause?: unknown },
  ) {
    const what = status === 100 ? '100 Continue' : '101 Switching Protocols'
    super(`the server answered ${what}, which the request did not ask for; the connection was closed`, options)
    this.name = 'UnsolicitedResponseError'
  }
}

/**
 * The unsolicited `100`/`101` answer behind an undici error, if that is what it was. undici gives
 * these the code of a closed socket (`UND_ERR_SOCKET`) and tells them apart only by message
 * ("bad response" for a 100, "bad upgrade" for a 101 with an `Upgrade` header); a bare 101 reaches
 * the handler as a status, then fails an internal assertion. `status` is the last status the
 * handler saw. test/integration/unsolicited-informational.test.ts pins all three against undici.
 */
export function unsolicitedResponse(error: unknown, status: number | undefined): UnsolicitedResponseError | undefined {
  if (status === 101) return new UnsolicitedResponseError(101, { cause: error })
  if (codeOf(error) !== 'UND_ERR_SOCKET') return undefined
  const message = (error as { message?: unknown }).message
  if (message === 'bad response') return new UnsolicitedResponseError(100, { cause: error })
  if (message === 'bad upgrade') return new UnsolicitedResponseError(101, { cause: error })
  return undefined
}

/** `'ok'` for a 2xx (or a listed) status, else `status:<code>`. */
export function classifyStatus(status: number, expectStatus: ReadonlySet<number> | null): string {
  const ok = expectStatus === null ? status >= 200 && status < 300 : expectStatus.has(status)
  return ok ? 'ok' : `status:${status}`
}

const systemErrorCode = /^E[A-Z0-9]+$/
const undiciTimeoutCodes = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT'])

function codeOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const code = (value as { code?: unknown }).code
  return typeof code === 'string' ? code : undefined
}

/**
 * The failure kind of an error: `timeout`, `unsolicited:100`/`unsolicited:101`, a system code
 * (`ECONNREFUSED`, `ECONNRESET`…) found on the error or its cause, or `error:<Name>`.
 */
export function classifyError(error: unknown): string {
  if (error instanceof RequestTimeoutError) return 'timeout'
  if (error instanceof UnsolicitedResponseError) return `unsolicited:${error.status}`
  const code = codeOf(error)
  if (code !== undefined && undiciTimeoutCodes.has(code)) return 'timeout'
  if (code !== undefined && systemErrorCode.test(code)) return code
  const causeCode = codeOf((error as { cause?: unknown } | null)?.cause)
  if (causeCode !== undefined && systemErrorCode.test(causeCode)) return causeCode
  // undici reports a peer that closed the connection mid-request as a SocketError.
  if (code === 'UND_ERR_SOCKET') return 'ECONNRESET'
  if (error instanceof Error) return `error:${error.name}`
  return `error:${typeof error}`
}

/** Builds the Outcome object handed to a user's `isSuccess`. */
export function makeOutcome(kind: string, latencyMs: number, status: number | undefined, detail: unknown): Outcome {
  const ok = kind === 'ok'
  return { ok, kind, latencyMs, status, error: ok ? undefined : detail, value: ok ? detail : undefined }
}
