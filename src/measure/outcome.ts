/** What one request or call ended as. `kind` is `'ok'` for a success, else the failure kind. */
export interface Outcome {
  readonly ok: boolean
  /** `'ok'`, or a failure kind: `status:503`, `timeout`, `ECONNREFUSED`, `ECONNRESET`, `error:TypeError`, `dropped`… */
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
 * The failure kind of an error: `timeout`, a system code (`ECONNREFUSED`, `ECONNRESET`…) found
 * on the error or its cause, or `error:<Name>`.
 */
export function classifyError(error: unknown): string {
  if (error instanceof RequestTimeoutError) return 'timeout'
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
