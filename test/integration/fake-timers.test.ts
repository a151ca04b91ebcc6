/**
 * perfgate's runs under a test's fake timers (vi.useFakeTimers(), whose defaults replace
 * setTimeout, setImmediate, setInterval and Date). A walkthrough found HTTP matchers waiting
 * until Vitest's timeout there, with a message asking whether the matcher was awaited: perfgate's
 * deadline timer and its load loop's yields were the faked ones. perfgate now keeps the real
 * timers (src/common/timers.ts); undici cannot, so an HTTP run under fakes that stall it is
 * refused at once, saying why.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { startFixtureServer } from '../../fixtures/server.js'
import type { FixtureServer } from '../../fixtures/server.js'
import { measure } from '../../src/measure/latency.js'
import '../../src/runners/vitest.js'

let server: FixtureServer

beforeAll(async () => {
  server = await startFixtureServer()
})

afterAll(async () => {
  await server.close()
})

afterEach(() => {
  vi.useRealTimers()
})

/** The error a rejected assertion ended with. */
async function errorOf(assertion: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await assertion
  } catch (error) {
    return error as Error & { code?: string }
  }
  throw new Error('expected the assertion to fail, but it passed')
}

describe('under vi.useFakeTimers() with its defaults', () => {
  it('a load on a synchronous function runs to its end: its loop yields to the event loop with the real setImmediate', async () => {
    vi.useFakeTimers()
    // Long enough to need many slices; with the faked setImmediate the first yield never came back.
    await expect(() => Math.sqrt(2)).toSustainSuccessRate(1, { requests: 300_000, concurrency: 1 })
  })

  it('a hanging function target stops at the test deadline with perfgate\'s reason, not the runner\'s bare timeout', { timeout: 1500 }, async () => {
    vi.useFakeTimers()
    const error = await errorOf(expect(() => new Promise<void>(() => {})).toRespondWithin(100))
    expect(error.message).toContain("toRespondWithin stopped before the test's timeout (1500 ms): the first warm-up request never ended")
  })

  it('an HTTP matcher is refused at once, naming the fakes and what to do; nothing is sent', async () => {
    vi.useFakeTimers()
    const before = server.requestCount('/fast')
    const error = await errorOf(expect(`${server.url}/fast`).toRespondWithin(100))
    expect(error.code).toBe('PERFGATE_FAKE_TIMERS')
    expect(error.message).toContain(`Fake timers are on (setImmediate), and HTTP requests to ${server.url}/fast cannot complete under them`)
    expect(error.message).toContain('vi.useRealTimers()')
    await expect(measure(`${server.url}/fast`, { samples: 10 })).rejects.toMatchObject({ code: 'PERFGATE_FAKE_TIMERS' })
    expect(server.requestCount('/fast')).toBe(before)
  })
})

describe('under fakes that leave the HTTP client its timers', () => {
  it("an HTTP matcher measures as usual with Date, setTimeout and setInterval faked", async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'performance'] })
    await expect(`${server.url}/fast`).toRespondWithin(2000, { samples: 30 })
  })

  it('a hanging endpoint still times out per request: the request timeout runs on the real clock', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] })
    const result = await measure(`${server.url}/hang`, { samples: 2, warmup: 0, timeout: 200 })
    expect(result.outcomes.timeout).toBe(2)
  })
})
