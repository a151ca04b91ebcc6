import { PerfgateTypeError } from '../common/errors.js'
import { invalidArgument, optionsObject } from '../common/validate.js'

/** An HTTP request described in full. */
export interface RequestSpec {
  /** Absolute http(s) URL. */
  readonly url: string | URL
  /** HTTP method, default `GET`. */
  readonly method?: string
  /** Request headers. */
  readonly headers?: Readonly<Record<string, string>>
  /** Request body: a string, bytes, or a plain object sent as JSON. */
  readonly body?: string | Uint8Array | Readonly<Record<string, unknown>> | readonly unknown[]
  /** Status codes that count as success (default: any 2xx). */
  readonly expectStatus?: number | readonly number[]
}

/** Anything perfgate can measure: a URL, a request spec, or an operation. */
export type Target = string | URL | RequestSpec | (() => unknown)

/** A target resolved once, up front, so the measuring loop reads plain fields. */
export type ResolvedTarget = HttpTarget | FunctionTarget

/** An HTTP target, ready for undici's dispatch. */
export interface HttpTarget {
  readonly kind: 'http'
  readonly label: string
  readonly origin: string
  readonly path: string
  readonly method: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: string | Uint8Array | null
  /** null means "any 2xx". */
  readonly expectStatus: ReadonlySet<number> | null
}

/** A function target. */
export interface FunctionTarget {
  readonly kind: 'function'
  readonly label: string
  readonly fn: () => unknown
}

const requestSpecKeys = ['url', 'method', 'headers', 'body', 'expectStatus'] as const
const methodPattern = /^[A-Za-z]+$/

function parseUrl(name: string, value: unknown): URL {
  let url: URL
  try {
    url = value instanceof URL ? value : new URL(value as string)
  } catch {
    return invalidArgument(name, 'an absolute http:// or https:// URL', value)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    const shown = new URL(url.href)
    if (shown.username !== '' || shown.password !== '') [shown.username, shown.password] = ['***', '']
    invalidArgument(name, 'an absolute http:// or https:// URL', shown.href)
  }
  return url
}

function parseExpectStatus(name: string, value: unknown): ReadonlySet<number> | null {
  if (value === undefined) return null
  const codes = Array.isArray(value) ? value : [value]
  if (codes.length === 0) invalidArgument(name, 'a status code or a non-empty array of them', value)
  codes.forEach((code: unknown, index) => {
    if (typeof code !== 'number' || !Number.isInteger(code) || code < 100 || code > 599) {
      // The item that is wrong, by its place: "got an array" named nothing.
      if (Array.isArray(value)) invalidArgument(`${name}[${index}]`, 'a status code (100–599)', code)
      invalidArgument(name, 'a status code (100–599) or an array of them', value)
    }
  })
  return new Set(codes as number[])
}

// RFC 9110 token characters for a header name; a value may hold no CR, LF or NUL.
const headerNamePattern = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
const headerValueForbidden = /[\r\n\0]/
// Headers perfgate's request framing owns: a user's value could never describe the body it sends.
const framingHeaders = new Set(['transfer-encoding', 'content-length', 'connection', 'upgrade', 'expect', 'keep-alive'])

function parseHeaders(name: string, value: unknown): Record<string, string> {
  if (value === undefined) return {}
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    invalidArgument(name, 'an object of header names to string values', value)
  }
  const headers: Record<string, string> = {}
  for (const [key, headerValue] of Object.entries(value)) {
    if (!headerNamePattern.test(key)) invalidArgument(`${name}`, 'header names made of token characters (RFC 9110)', key)
    if (typeof headerValue !== 'string') invalidArgument(`${name}.${key}`, 'a string', headerValue)
    if (headerValueForbidden.test(headerValue)) invalidArgument(`${name}.${key}`, 'a header value without CR, LF or NUL', headerValue)
    const lower = key.toLowerCase()
    if (framingHeaders.has(lower)) {
      throw new PerfgateTypeError(
        `\`${name}.${key}\` cannot be set: perfgate frames each request itself (content-length from the body, keep-alive connections, no 100-continue); remove it`,
      )
    }
    headers[lower] = headerValue
  }
  return headers
}

function httpTarget(url: URL, spec: Partial<Record<(typeof requestSpecKeys)[number], unknown>>, name: string): HttpTarget {
  const method = spec.method ?? 'GET'
  if (typeof method !== 'string' || !methodPattern.test(method)) {
    invalidArgument(`${name}.method`, 'an HTTP method name', method)
  }
  if (method.toUpperCase() === 'CONNECT') invalidArgument(`${name}.method`, 'a method other than CONNECT (a tunnel has no response to time)', method)
  const headers = parseHeaders(`${name}.headers`, spec.headers)
  let body: string | Uint8Array | null = null
  const rawBody = spec.body
  if (typeof rawBody === 'string' || rawBody instanceof Uint8Array) {
    body = rawBody
  } else if (rawBody !== undefined && rawBody !== null) {
    if (typeof rawBody !== 'object') invalidArgument(`${name}.body`, 'a string, bytes or a JSON-able object', rawBody)
    body = JSON.stringify(rawBody)
    headers['content-type'] ??= 'application/json'
  }
  // Credentials in the URL are sent as Basic auth, as fetch and curl do, and never printed.
  if (url.username !== '' || url.password !== '') {
    const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`
    headers['authorization'] ??= `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`
  }
  const shown = new URL(url.href)
  if (shown.username !== '' || shown.password !== '') {
    shown.username = '***'
    shown.password = ''
  }
  const upperMethod = method.toUpperCase()
  return {
    kind: 'http',
    label: upperMethod === 'GET' ? shown.href : `${upperMethod} ${shown.href}`,
    origin: url.origin,
    path: `${url.pathname}${url.search}`,
    method: upperMethod,
    headers,
    body,
    expectStatus: parseExpectStatus(`${name}.expectStatus`, spec.expectStatus),
  }
}

/**
 * Resolves a target once, validating it; throws a TypeError naming `name` when it is not one.
 * @example resolveTarget('http://127.0.0.1:3000/api/users')
 */
export function resolveTarget(target: unknown, name = 'target'): ResolvedTarget {
  if (typeof target === 'function') {
    const fn = target as () => unknown
    return { kind: 'function', label: fn.name ? `${fn.name}()` : 'function', fn }
  }
  if (typeof target === 'string' || target instanceof URL) {
    return httpTarget(parseUrl(name, target), {}, name)
  }
  if (typeof target === 'object' && target !== null && !Array.isArray(target)) {
    const spec = optionsObject(name, target, requestSpecKeys)
    if (spec.url === undefined) {
      throw new PerfgateTypeError(`Expected \`${name}.url\` to be an absolute http:// or https:// URL, got undefined`)
    }
    return httpTarget(parseUrl(`${name}.url`, spec.url), spec, name)
  }
  return invalidArgument(name, 'a URL (string or URL), a request spec { url, … } or a function', target)
}
