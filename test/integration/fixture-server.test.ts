import http from 'node:http'
import { performance } from 'node:perf_hooks'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startFixtureServer, startFixtureServerProcess } from '../../fixtures/server.js'
import type { FixtureServer } from '../../fixtures/server.js'

// Timing assertions use lower bounds only (this machine is shared and noisy).
// A small tolerance covers timer granularity.
const TIMER_SLACK_MS = 5

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now()
  const value = await fn()
  return { value, ms: performance.now() - start }
}

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url)
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

async function fetchError(url: string): Promise<{ name: string; causeCode: unknown }> {
  try {
    const res = await fetch(url)
    await res.arrayBuffer()
  } catch (err) {
    const cause = (err as { cause?: { code?: unknown } }).cause
    return { name: (err as Error).name, causeCode: cause?.code }
  }
  throw new Error(`expected ${url} to fail`)
}

describe('fixture server (in process)', () => {
  let server: FixtureServer
  const extra: FixtureServer[] = []

  beforeEach(async () => {
    server = await startFixtureServer()
  })

  afterEach(async () => {
    await Promise.all([server.close(), ...extra.splice(0).map((s) => s.close())])
  })

  it('listens on 127.0.0.1 with a url without trailing slash', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`)
    expect(server.port).toBeGreaterThan(0)
  })

  it('answers /fast with {"ok":true} and a content-length, for any method', async () => {
    const res = await fetch(`${server.url}/fast`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/application\/json/)
    expect(res.headers.get('content-length')).toBe('11')
    expect(await res.json()).toEqual({ ok: true })

    const post = await fetch(`${server.url}/fast`, { method: 'POST', body: 'ignored body' })
    expect(post.status).toBe(200)
    expect(await post.json()).toEqual({ ok: true })
  })

  it('counts requests per path and in total', async () => {
    await (await fetch(`${server.url}/fast`)).arrayBuffer()
    await (await fetch(`${server.url}/fast`)).arrayBuffer()
    await (await fetch(`${server.url}/status/404`)).arrayBuffer()
    expect(server.requestCount('/fast')).toBe(2)
    expect(server.requestCount('/status/404')).toBe(1)
    expect(server.requestCount('/never')).toBe(0)
    expect(server.requestCount()).toBe(3)
  })

  it('delays /delay?ms=N by at least N ms', async () => {
    const { value, ms } = await timed(() => getJson(`${server.url}/delay?ms=120`))
    expect(value.status).toBe(200)
    expect(value.body).toEqual({ ok: true, delayMs: 120 })
    expect(ms).toBeGreaterThanOrEqual(120 - TIMER_SLACK_MS)
  })

  it('draws /jitter delays within [min, max] deterministically for a given seed', async () => {
    const other = await startFixtureServer()
    extra.push(other)
    const sequence = async (s: FixtureServer, seed: number): Promise<number[]> => {
      const delays: number[] = []
      for (let i = 0; i < 8; i++) {
        const { status, body } = await getJson(`${s.url}/jitter?min=1&max=30&seed=${seed}`)
        expect(status).toBe(200)
        delays.push(body.delayMs as number)
      }
      return delays
    }
    const a = await sequence(server, 42)
    const b = await sequence(other, 42)
    expect(a).toEqual(b)
    for (const d of a) {
      expect(d).toBeGreaterThanOrEqual(1)
      expect(d).toBeLessThanOrEqual(30)
    }
    expect(new Set(a).size).toBeGreaterThan(1)

    const c = await sequence(other, 7)
    expect(c).not.toEqual(a)

    // reset() restarts the sequence
    server.reset()
    expect(await sequence(server, 42)).toEqual(a)
  })

  it('waits at least the drawn /jitter delay', async () => {
    const { value, ms } = await timed(() => getJson(`${server.url}/jitter?min=80&max=100&seed=3`))
    expect(value.status).toBe(200)
    expect(ms).toBeGreaterThanOrEqual((value.body.delayMs as number) - TIMER_SLACK_MS)
  })

  it('fails exactly requests N, 2N, ... on /flaky, counted per every value', async () => {
    const statuses: number[] = []
    for (let i = 1; i <= 9; i++) statuses.push((await getJson(`${server.url}/flaky?every=3`)).status)
    expect(statuses).toEqual([200, 200, 503, 200, 200, 503, 200, 200, 503])

    // a different `every` has its own counter; custom status
    const other: number[] = []
    for (let i = 1; i <= 4; i++) other.push((await getJson(`${server.url}/flaky?every=2&status=500`)).status)
    expect(other).toEqual([200, 500, 200, 500])

    // reset() restarts the counters
    expect((await getJson(`${server.url}/flaky?every=3`)).status).toBe(200) // request 10
    server.reset()
    const afterReset: number[] = []
    for (let i = 1; i <= 3; i++) afterReset.push((await getJson(`${server.url}/flaky?every=3`)).status)
    expect(afterReset).toEqual([200, 200, 503])
  })

  it('answers /status/:code with that status, 204 without a body', async () => {
    for (const code of [200, 404, 429, 500, 503]) {
      const res = await fetch(`${server.url}/status/${code}`)
      expect(res.status).toBe(code)
      expect(await res.json()).toEqual({ status: code })
    }
    const noContent = await fetch(`${server.url}/status/204`)
    expect(noContent.status).toBe(204)
    expect(await noContent.text()).toBe('')
  })

  it('never answers /hang, and close() still resolves promptly', async () => {
    const hung = fetch(`${server.url}/hang`, { signal: AbortSignal.timeout(300) })
    await expect(hung).rejects.toMatchObject({ name: 'TimeoutError' })

    // a second hanging request still open while closing
    const pending = fetch(`${server.url}/hang`).catch((err: unknown) => err)
    await new Promise((r) => setTimeout(r, 50))
    expect(server.requestCount('/hang')).toBe(2)
    await server.close()
    expect(await pending).toBeInstanceOf(Error)
  })

  it('close() cancels pending delays instead of waiting for them', async () => {
    const pending = fetch(`${server.url}/delay?ms=600000`).catch((err: unknown) => err)
    await new Promise((r) => setTimeout(r, 50))
    await server.close()
    expect(await pending).toBeInstanceOf(Error)
  })

  it('resets the connection on /reset (ECONNRESET)', async () => {
    const err = await fetchError(`${server.url}/reset`)
    expect(err.name).toBe('TypeError')
    expect(err.causeCode).toBe('ECONNRESET')
  })

  it('closes the socket without a response on /drop', async () => {
    const err = await fetchError(`${server.url}/drop`)
    expect(err.name).toBe('TypeError')
    expect(['UND_ERR_SOCKET', 'ECONNRESET']).toContain(err.causeCode)

    // and with node:http
    const httpErr = await new Promise<NodeJS.ErrnoException>((resolve, reject) => {
      const req = http.get(`${server.url}/drop`, () => reject(new Error('unexpected response')))
      req.on('error', resolve)
    })
    expect(httpErr.code).toBe('ECONNRESET')
  })

  it('sends an N KiB body with content-length on /large', async () => {
    const res = await fetch(`${server.url}/large?kb=300`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-length')).toBe(String(300 * 1024))
    expect((await res.arrayBuffer()).byteLength).toBe(300 * 1024)
  })

  it('defaults /large to 1024 KiB', async () => {
    const res = await fetch(`${server.url}/large`)
    expect((await res.arrayBuffer()).byteLength).toBe(1024 * 1024)
  })

  it('answers /stall fast for the first N requests, then waits M ms each', async () => {
    const url = `${server.url}/stall?after=2&ms=150`
    const first = await getJson(url)
    const second = await getJson(url)
    expect(first.body).toMatchObject({ request: 1, delayMs: 0 })
    expect(second.body).toMatchObject({ request: 2, delayMs: 0 })
    const third = await timed(() => getJson(url))
    expect(third.value.status).toBe(200)
    expect(third.value.body).toMatchObject({ request: 3, delayMs: 150 })
    expect(third.ms).toBeGreaterThanOrEqual(150 - TIMER_SLACK_MS)
    const fourth = await timed(() => getJson(url))
    expect(fourth.ms).toBeGreaterThanOrEqual(150 - TIMER_SLACK_MS)
  })

  it('holds /stall-window requests arriving inside [start, end) until end, others immediately', async () => {
    const t0 = performance.now()
    const windowed = await startFixtureServer()
    extra.push(windowed)

    // The window [0, end) is open now; end is ~1 s of server uptime from now.
    const end = Math.ceil(performance.now() - t0) + 1000
    const held = await getJson(`${windowed.url}/stall-window?start=0&end=${end}`)
    expect(held.status).toBe(200)
    expect(held.body.heldMs).toBeGreaterThan(0)
    // t0 precedes the server's start, so client time since t0 bounds its uptime from above
    expect(performance.now() - t0).toBeGreaterThanOrEqual(end - TIMER_SLACK_MS)

    // window already over: answered immediately
    const past = await getJson(`${windowed.url}/stall-window?start=0&end=1`)
    expect(past.body).toEqual({ ok: true, heldMs: 0 })

    // window in the future: answered immediately
    const future = await getJson(`${windowed.url}/stall-window?start=3600000&end=3600001`)
    expect(future.body).toEqual({ ok: true, heldMs: 0 })
  })

  it('echoes the body and content-type on /echo for any method', async () => {
    const res = await fetch(`${server.url}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: 'hello perfgate',
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8')
    expect(await res.text()).toBe('hello perfgate')

    const put = await fetch(`${server.url}/echo`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ a: 1 }),
    })
    expect(await put.json()).toEqual({ a: 1 })
  })

  it('answers 400 with a JSON error for invalid parameters', async () => {
    const bad = [
      '/delay',
      '/delay?ms=abc',
      '/delay?ms=-5',
      '/delay?ms=1.5',
      '/jitter?min=10&max=5',
      '/jitter?min=1',
      '/jitter?min=1&max=2&seed=x',
      '/flaky?every=0',
      '/flaky?every=2&status=99',
      '/flaky?every=2&status=abc',
      '/status/abc',
      '/status/99',
      '/status/700',
      '/large?kb=-1',
      '/stall?after=2',
      '/stall-window?start=10&end=5',
    ]
    for (const path of bad) {
      const res = await fetch(`${server.url}${path}`)
      expect(res.status, path).toBe(400)
      const body = (await res.json()) as { error?: unknown }
      expect(typeof body.error, path).toBe('string')
    }
  })

  it('answers 404 for unknown paths', async () => {
    const res = await fetch(`${server.url}/nope`)
    expect(res.status).toBe(404)
    expect(await res.json()).toHaveProperty('error')
  })

  it('answers 405 for non-GET methods on GET-only endpoints, draining the body', async () => {
    const res = await fetch(`${server.url}/delay?ms=1`, { method: 'POST', body: 'x'.repeat(100_000) })
    expect(res.status).toBe(405)
    expect(res.headers.get('allow')).toBe('GET, HEAD')
    await res.arrayBuffer()
  })
})

describe('fixture server in a separate process', () => {
  let proc: { url: string; close(): Promise<void> } | undefined

  afterEach(async () => {
    await proc?.close()
    proc = undefined
  })

  it('starts, serves requests and closes', async () => {
    proc = await startFixtureServerProcess()
    expect(proc.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const res = await fetch(`${proc.url}/fast`)
    expect(await res.json()).toEqual({ ok: true })

    await proc.close()
    await expect(fetch(`${proc.url}/fast`)).rejects.toThrow()
  })
})
