import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFixtureServer } from '../../fixtures/server.js'
import type { FixtureServer } from '../../fixtures/server.js'
import { measure } from '../../src/measure/latency.js'

let server: FixtureServer

beforeAll(async () => {
  server = await startFixtureServer()
})

afterAll(async () => {
  await server.close()
})

describe('measure against the fixture server', () => {
  it('sends warm-up then measured requests and returns sorted latencies of the successes', async () => {
    server.reset()
    const before = server.requestCount('/fast')
    const result = await measure(`${server.url}/fast`, { samples: 20, warmup: 2 })
    expect(server.requestCount('/fast') - before).toBe(22)
    expect(result).toMatchObject({ kind: 'latency', count: 20, successes: 20, failures: 0, outcomes: { ok: 20 }, concurrency: 1 })
    expect(result.samples).toHaveLength(20)
    expect([...result.samples].sort((a, b) => a - b)).toEqual(result.samples)
    expect(result.summary?.max).toBe(result.samples[19])
    expect(result.environment.id).toMatch(/^[a-z0-9]+-[a-z0-9]+-node\d+-\d+c-[0-9a-f]{6}$/)
  })

  it('measures a delayed endpoint at no less than its delay', async () => {
    const result = await measure(`${server.url}/delay?ms=30`, { samples: 5, warmup: 0 })
    expect(result.summary?.min).toBeGreaterThanOrEqual(29)
  })

  it('counts non-2xx answers by status, and treats expectStatus codes as success', async () => {
    const failing = await measure(`${server.url}/status/503`, { samples: 4, warmup: 0 })
    expect(failing).toMatchObject({ successes: 0, failures: 4, outcomes: { 'status:503': 4 }, summary: null })
    const expected = await measure({ url: `${server.url}/status/404`, expectStatus: 404 }, { samples: 4, warmup: 0 })
    expect(expected).toMatchObject({ successes: 4, outcomes: { ok: 4 } })
  })

  it('counts every Nth failure of a flaky endpoint exactly', async () => {
    server.reset()
    const result = await measure(`${server.url}/flaky?every=5&status=500`, { samples: 20, warmup: 0 })
    expect(result.outcomes).toEqual({ ok: 16, 'status:500': 4 })
  })

  it('aborts a hanging request at its timeout and counts it as timeout', async () => {
    const result = await measure(`${server.url}/hang`, { samples: 2, warmup: 0, timeout: 150 })
    expect(result.outcomes).toEqual({ timeout: 2 })
    expect(result.errors['timeout']).toMatch(/no answer within 150 ms/)
  })

  it('classifies a reset connection as ECONNRESET and a dropped one as a reset too', async () => {
    const reset = await measure(`${server.url}/reset`, { samples: 2, warmup: 0 })
    expect(reset.outcomes).toEqual({ ECONNRESET: 2 })
    const dropped = await measure(`${server.url}/drop`, { samples: 2, warmup: 0 })
    expect(dropped.outcomes).toEqual({ ECONNRESET: 2 })
  })

  it('classifies a refused connection as ECONNREFUSED', async () => {
    const closed = await startFixtureServer()
    const url = `${closed.url}/fast`
    await closed.close()
    const result = await measure(url, { samples: 2, warmup: 0, timeout: 2000 })
    expect(result.outcomes).toEqual({ ECONNREFUSED: 2 })
  })

  it('drains a large body before the request counts as done', async () => {
    const result = await measure(`${server.url}/large?kb=2048`, { samples: 3, warmup: 0 })
    expect(result.outcomes).toEqual({ ok: 3 })
  })

  it('sends a request spec with method, headers and body', async () => {
    const result = await measure({ url: `${server.url}/echo`, method: 'POST', body: { hello: 'world' } }, { samples: 3, warmup: 0 })
    expect(result.outcomes).toEqual({ ok: 3 })
  })

  it('keeps exactly `concurrency` requests in flight', async () => {
    let inFlight = 0
    let mostInFlight = 0
    const result = await measure(
      async () => {
        inFlight++
        mostInFlight = Math.max(mostInFlight, inFlight)
        await new Promise((resolve) => setTimeout(resolve, 5))
        inFlight--
      },
      { samples: 20, warmup: 0, concurrency: 4 },
    )
    expect(result.outcomes).toEqual({ ok: 20 })
    expect(mostInFlight).toBe(4)
  })

  it('measures sync and async functions, and counts throws and rejections by error name', async () => {
    let calls = 0
    const sync = await measure(() => calls++, { samples: 10, warmup: 1 })
    expect(sync).toMatchObject({ successes: 10 })
    expect(calls).toBe(11)
    const failing = await measure(
      async () => {
        throw new RangeError('out of range')
      },
      { samples: 3, warmup: 0 },
    )
    expect(failing.outcomes).toEqual({ 'error:RangeError': 3 })
    expect(failing.errors['error:RangeError']).toBe('out of range')
  })

  it('times out a function that never settles', async () => {
    const result = await measure(() => new Promise(() => {}), { samples: 2, warmup: 0, timeout: 100 })
    expect(result.outcomes).toEqual({ timeout: 2 })
  })

  it('rejects bad options with a TypeError before any request', async () => {
    const before = server.requestCount()
    await expect(measure(`${server.url}/fast`, { samples: 0 })).rejects.toThrow(/`options\.samples`/)
    await expect(measure(`${server.url}/fast`, { timeout: -1 })).rejects.toThrow(TypeError)
    await expect(measure(`${server.url}/fast`, { sample: 3 } as never)).rejects.toThrow(/Unknown option `sample`/)
    await expect(measure(42 as never)).rejects.toThrow(/`target`/)
    expect(server.requestCount()).toBe(before)
  })
})
