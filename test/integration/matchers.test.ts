import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { startFixtureServer } from '../../fixtures/server.js'
import type { FixtureServer } from '../../fixtures/server.js'
import '../../src/runners/vitest.js'

let server: FixtureServer

beforeAll(async () => {
  server = await startFixtureServer()
})

afterAll(async () => {
  await server.close()
})

/** The message of the assertion error a failing matcher produced. */
async function failureOf(assertion: Promise<unknown>): Promise<string> {
  try {
    await assertion
  } catch (error) {
    if (error instanceof Error && !(error instanceof TypeError)) return error.message
    throw error
  }
  throw new Error('expected the assertion to fail, but it passed')
}

// Strip colours so messages can be matched as text.
// eslint-disable-next-line no-control-regex
const plain = (text: string): string => text.replace(/\u001b\[[0-9;]*m/g, '')

describe('toRespondWithin', () => {
  it('passes for a fast endpoint within a generous budget', async () => {
    await expect(`${server.url}/fast`).toRespondWithin(2000)
    await expect(new URL(`${server.url}/fast`)).toRespondWithin(2000, { samples: 10, percentile: 'median' })
  })

  it('fails with the statistic, the budget and the percentile table when too slow', async () => {
    const message = plain(await failureOf(expect(`${server.url}/delay?ms=40`).toRespondWithin(20, { samples: 5, warmup: 0 })))
    expect(message).toContain('toRespondWithin')
    expect(message).toMatch(/Expected: p95 ≤ 20 ms, no failed request/)
    expect(message).toMatch(/Received: p95 \d+(\.\d+)? ms/)
    expect(message).toMatch(/Latency of 5 successful requests \(ms\): p50 .* p90 .* p95 .* p99 .* max /)
    expect(message).toMatch(/Outcomes: +ok 5/)
    expect(message).toMatch(/Throughput: .* req\/s over .* \(concurrency 1\)/)
  })

  it('fails when a request fails, giving the kind and the reason', async () => {
    const message = plain(await failureOf(expect(`${server.url}/hang`).toRespondWithin(5000, { samples: 2, warmup: 0, timeout: 100 })))
    expect(message).toMatch(/Failures: 2 of 2 requests failed \(allowed 0\)/)
    expect(message).toMatch(/timeout: no answer within 100 ms/)
    expect(message).toMatch(/no successful request/)
  })

  it('tolerates allowFailures failed requests', async () => {
    server.reset()
    await expect(`${server.url}/flaky?every=4`).toRespondWithin(2000, { samples: 8, warmup: 0, allowFailures: 2 })
    server.reset()
    const message = plain(await failureOf(expect(`${server.url}/flaky?every=4`).toRespondWithin(2000, { samples: 8, warmup: 0, allowFailures: 1 })))
    expect(message).toMatch(/status:503/)
  })

  it('holds the upper confidence bound to the budget when confidence is set', async () => {
    await expect(`${server.url}/fast`).toRespondWithin(2000, { samples: 60, percentile: 95, confidence: 0.95 })
    const message = plain(await failureOf(expect(`${server.url}/fast`).toRespondWithin(2000, { samples: 10, percentile: 99, confidence: 0.95 })))
    expect(message).toMatch(/cannot bound p99 at 95% confidence; use samples: 299 or more/)
  })

  it('supports mean and max', async () => {
    await expect(`${server.url}/fast`).toRespondWithin(2000, { samples: 10, percentile: 'mean', confidence: 0.9 })
    await expect(`${server.url}/fast`).toRespondWithin(2000, { samples: 10, percentile: 'max' })
  })

  it('works with .not: passes when slower than the budget', async () => {
    await expect(`${server.url}/delay?ms=30`).not.toRespondWithin(5, { samples: 3, warmup: 0 })
    const message = plain(await failureOf(expect(`${server.url}/fast`).not.toRespondWithin(5000, { samples: 3 })))
    expect(message).toMatch(/Expected: p95 > 5000 ms/)
  })

  it('fails a negated budget when the target did not answer, and says so', async () => {
    for (const path of ['/status/500', '/status/503']) {
      const message = plain(await failureOf(expect(`${server.url}${path}`).not.toRespondWithin(10, { samples: 3, warmup: 0 })))
      expect(message).toMatch(/Received: the target did not answer: 3 of 3 requests failed/)
      // One "Received:" line, the rest continuing it.
      expect(message.match(/Received:/g)).toHaveLength(1)
      expect(message).toMatch(/\n {10}no successful request, so there is no p95 to compare/)
      expect(message).not.toMatch(/Throughput/)
    }
    const refused = plain(await failureOf(expect('http://127.0.0.1:1/').not.toRespondWithin(10, { samples: 2, warmup: 0 })))
    expect(refused).toMatch(/ECONNREFUSED/)
  })

  it('warns when a percentile below 1 was very likely meant as a percentage', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    try {
      await expect(`${server.url}/fast`).toRespondWithin(5000, { samples: 3, percentile: 0.95 })
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('percentile 0.95 means p0.95'))
      expect(warn.mock.calls[0]?.[0]).toContain('percentile: 95')
    } finally {
      warn.mockRestore()
    }
  })

  it('measures a function target', async () => {
    await expect(async () => {
      await new Promise((resolve) => setImmediate(resolve))
    }).toRespondWithin(1000, { samples: 10 })
  })

  it.each([
    ['a negative budget', -1, undefined, /`budgetMs`/],
    ['an infinite budget', Number.POSITIVE_INFINITY, undefined, /`budgetMs`/],
    ['samples below 1', 100, { samples: 0 }, /`options\.samples`/],
    ['samples beyond what fits in memory', 100, { samples: 1e8 }, /`options\.samples` to be an integer from 1 to 1,000,000, got 100000000/],
    ['concurrency below 1', 100, { concurrency: 0 }, /`options\.concurrency`/],
    ['a percentile above 100', 100, { percentile: 101 }, /`options\.percentile`/],
    ['a confidence of 1', 100, { confidence: 1 }, /`options\.confidence`/],
    ['confidence with max', 100, { percentile: 'max', confidence: 0.9 }, /percentile: 'max'/],
    ['an unknown option', 100, { sample: 3 }, /Unknown option `sample`/],
  ])('throws a TypeError for %s before any request', async (_label, budget, options, pattern) => {
    const before = server.requestCount()
    await expect(expect(`${server.url}/fast`).toRespondWithin(budget, options as never)).rejects.toThrow(TypeError)
    await expect(expect(`${server.url}/fast`).toRespondWithin(budget, options as never)).rejects.toThrow(pattern)
    expect(server.requestCount()).toBe(before)
  })

  it('throws a TypeError for a target of the wrong type', async () => {
    await expect(expect(42).toRespondWithin(100)).rejects.toThrow(/`target`/)
  })
})

describe("stopping before the test's own timeout", () => {
  // The request timeout stays at its default of 10 s; the test has 1.5 s. Without the stop,
  // Vitest would end each test with its bare "Test timed out" instead of these messages.
  it('toRespondWithin stops sending, abandons what hangs and fails with the reason', { timeout: 1500 }, async () => {
    const before = server.requestCount('/hang')
    const message = plain(await failureOf(expect(`${server.url}/hang`).toRespondWithin(100)))
    // Not "0 of 30 measured requests had ended (after 3 warm-up requests)": none was sent.
    expect(message).toContain("toRespondWithin stopped before the test's timeout (1500 ms): the first warm-up request never ended, so no measured request was sent.")
    expect(message).toContain('A request may take up to its `timeout` (10000 ms)')
    expect(message).toContain(`Target:   ${server.url}/hang`)
    // The first warm-up request hung; nothing more was sent.
    expect(server.requestCount('/hang') - before).toBe(1)
  })

  it('toRespondWithin says how many warm-up requests had ended when the warm-up hung', { timeout: 1500 }, async () => {
    let calls = 0
    const hangsFromTheThirdCall = (): Promise<void> => (++calls <= 2 ? Promise.resolve() : new Promise<void>(() => {}))
    const message = plain(await failureOf(expect(hangsFromTheThirdCall).toRespondWithin(100)))
    expect(message).toContain("toRespondWithin stopped before the test's timeout (1500 ms): 2 of 3 warm-up requests had ended, so no measured request was sent.")
  })

  it('toRespondWithin counts the measured requests once the warm-up is done', { timeout: 1500 }, async () => {
    let calls = 0
    const hangsFromTheSixthCall = (): Promise<void> => (++calls <= 5 ? Promise.resolve() : new Promise<void>(() => {}))
    const message = plain(await failureOf(expect(hangsFromTheSixthCall).toRespondWithin(100)))
    expect(message).toContain("toRespondWithin stopped before the test's timeout (1500 ms): 2 of 30 measured requests had ended (after 3 warm-up requests).")
  })

  it('a negated toRespondWithin fails the same way instead of passing', { timeout: 1500 }, async () => {
    const message = plain(await failureOf(expect(`${server.url}/hang`).not.toRespondWithin(100)))
    expect(message).toMatch(/toRespondWithin stopped before the test's timeout \(1500 ms\)/)
  })

  it('toSustainSuccessRate reports what had ended before the stop', { timeout: 1500 }, async () => {
    const before = server.requestCount('/hang')
    const message = plain(await failureOf(expect(`${server.url}/hang`).toSustainSuccessRate(0.9, { concurrency: 4 })))
    expect(message).toMatch(/toSustainSuccessRate stopped before the test's timeout \(1500 ms\): 0 of 100 requests had ended/)
    expect(server.requestCount('/hang') - before).toBe(4)
  })

  it('in the open model too', { timeout: 1500 }, async () => {
    const message = plain(await failureOf(expect(`${server.url}/hang`).toSustainSuccessRate(0.9, { rate: 10, duration: 1000 })))
    expect(message).toMatch(/toSustainSuccessRate stopped before the test's timeout \(1500 ms\): 0 requests had ended/)
  })

  it('a synchronous function target yields to the event loop, so the stop fires in a run of 1e7 calls', { timeout: 1500 }, async () => {
    // `() => 1` answers inside the loop; before the fix the loop never yielded, and the test
    // ran past its timeout with no perfgate message. 1e7 calls (the most `requests` takes) last about 7 s here.
    const message = plain(await failureOf(expect(() => 1).toSustainSuccessRate(1, { requests: 1e7 })))
    expect(message).toMatch(/toSustainSuccessRate stopped before the test's timeout \(1500 ms\): \d+ of 10000000 requests had ended/)
    expect(message).toContain('Give the matcher fewer `requests` or a shorter `timeout`, or the test more time.')
  })

  it('fails at once, sending nothing, when the duration is longer than the time the test has left', { timeout: 1500 }, async () => {
    const before = server.requestCount('/fast')
    const message = plain(await failureOf(expect(`${server.url}/fast`).toSustainSuccessRate(0.9, { duration: 5000 })))
    expect(message).toMatch(
      /toSustainSuccessRate cannot finish before the test's timeout \(1500 ms\): it is planned to run for 5000 ms \(`duration`\), and \d+ ms are left before perfgate has to stop it\. Nothing was sent\./,
    )
    expect(message).toContain('the third argument of `test`/`it`, e.g. `test(name, fn, 10_000)`')
    expect(message).toContain('or a shorter `duration`')
    expect(message).not.toContain('shorter `timeout`')
    expect(server.requestCount('/fast')).toBe(before)
  })

  it('and so does an open-model schedule longer than that, negated or not', { timeout: 1500 }, async () => {
    const before = server.requestCount('/fast')
    // 100 arrivals (the default `requests`) at 20 per second: a 5 s schedule.
    for (const assertion of [expect(`${server.url}/fast`).toSustainSuccessRate(0.9, { rate: 20 }), expect(`${server.url}/fast`).not.toSustainSuccessRate(0.9, { rate: 20 })]) {
      const message = plain(await failureOf(assertion))
      expect(message).toMatch(/planned to run for 5000 ms \(`requests` \/ `rate`\)/)
    }
    expect(server.requestCount('/fast')).toBe(before)
  })

  it('runs a closed run by count whose duration is longer than the time left: the count may end it first', { timeout: 1500 }, async () => {
    await expect(`${server.url}/fast`).toSustainSuccessRate(1, { requests: 20, duration: 5000 })
  })

  it('leaves a run that ends in time alone', { timeout: 1500 }, async () => {
    await expect(`${server.url}/fast`).toRespondWithin(2000, { samples: 5, warmup: 0 })
    await expect(`${server.url}/fast`).toSustainSuccessRate(1, { requests: 20 })
  })
})

describe('defaults from perfgate.config.json5', () => {
  it('take the place of the built-in defaults, and matcher options win over them', async () => {
    const root = mkdtempSync(join(tmpdir(), 'perfgate-config-'))
    writeFileSync(join(root, 'perfgate.config.json5'), '{ respondWithin: { samples: 7, warmup: 0 }, successRate: { requests: 13 } }\n')
    const previous = process.env['PERFGATE_ROOT']
    process.env['PERFGATE_ROOT'] = root
    try {
      let before = server.requestCount('/fast')
      await expect(`${server.url}/fast`).toRespondWithin(2000)
      expect(server.requestCount('/fast') - before).toBe(7)
      before = server.requestCount('/fast')
      await expect(`${server.url}/fast`).toRespondWithin(2000, { samples: 3 })
      expect(server.requestCount('/fast') - before).toBe(3)
      before = server.requestCount('/fast')
      await expect(`${server.url}/fast`).toSustainSuccessRate(1)
      expect(server.requestCount('/fast') - before).toBe(13)
    } finally {
      if (previous === undefined) delete process.env['PERFGATE_ROOT']
      else process.env['PERFGATE_ROOT'] = previous
      rmSync(root, { recursive: true, force: true })
    }
  })
})

describe('toSustainSuccessRate', () => {
  it('passes when the success rate holds under load', async () => {
    await expect(`${server.url}/fast`).toSustainSuccessRate(0.99, { requests: 200, concurrency: 20 })
  })

  it('fails with the rate, counts by kind and throughput when it does not', async () => {
    server.reset()
    const message = plain(await failureOf(expect(`${server.url}/flaky?every=5`).toSustainSuccessRate(0.99, { requests: 100, concurrency: 10 })))
    expect(message).toContain('toSustainSuccessRate')
    expect(message).toMatch(/Expected: success rate ≥ 99%/)
    expect(message).toMatch(/Received: 80% \(80 of 100\)/)
    expect(message).toMatch(/Outcomes: +ok 80 · status:503 20/)
    expect(message).toMatch(/Throughput: .* \(closed model, concurrency 10\)/)
  })

  it('uses the lower Wilson bound when confidence is set', async () => {
    server.reset()
    // 95 of 100 is a 95% rate, but its lower 95% bound is below 0.95.
    await expect(`${server.url}/flaky?every=20`).toSustainSuccessRate(0.95, { requests: 100 })
    server.reset()
    const message = plain(await failureOf(expect(`${server.url}/flaky?every=20`).toSustainSuccessRate(0.95, { requests: 100, confidence: 0.95 })))
    expect(message).toMatch(/lower 95% Wilson bound/)
    expect(message).toMatch(/lower bound 9\d\.\d%/)
    // Failures keep the bound down: more requests alone would not do, so that is not advised.
    expect(message).not.toContain('Even with every request succeeding')
  })

  it('says how many requests a confidence bound needs when every request succeeded and the bound still fell short', async () => {
    const message = plain(await failureOf(expect(`${server.url}/fast`).toSustainSuccessRate(0.99, { requests: 20, concurrency: 2, confidence: 0.95 })))
    expect(message).toMatch(/Received: 100% \(20 of 20\), lower bound 8\d\.\d%/)
    expect(message).toContain('Even with every request succeeding, the lower bound reaches 99% only from 268 requests: use `requests: 268` or more.')
  })

  it('runs the open model with rate and duration', async () => {
    await expect(`${server.url}/fast`).toSustainSuccessRate(1, { rate: 100, duration: 200 })
  })

  it('counts timeouts, resets and refusals as failures with their reasons', async () => {
    const message = plain(await failureOf(expect(`${server.url}/reset`).toSustainSuccessRate(0.5, { requests: 4, concurrency: 2 })))
    expect(message).toMatch(/ECONNRESET 4/)
  })

  it('lets isSuccess decide success', async () => {
    await expect({ url: `${server.url}/status/500` }).toSustainSuccessRate(1, { requests: 10, isSuccess: (o) => o.status === 500 })
  })

  it('fails with the error of an isSuccess that throws', async () => {
    const isSuccess = (): boolean => {
      throw new RangeError('isSuccess broke')
    }
    await expect(expect(`${server.url}/fast`).toSustainSuccessRate(0.9, { requests: 10, isSuccess })).rejects.toThrow(RangeError)
  })

  it('works with .not', async () => {
    server.reset()
    await expect(`${server.url}/flaky?every=2`).not.toSustainSuccessRate(0.9, { requests: 20 })
  })

  it.each([
    ['a rate above 1', 1.5, undefined, /`minRate`/],
    ['a negative rate', -0.1, undefined, /`minRate`/],
    ['requests below 1', 0.9, { requests: 0 }, /`options\.requests`/],
    ['requests beyond what fits in memory', 0.9, { requests: 1e9 }, /`options\.requests` to be an integer from 1 to 10,000,000/],
    ['a non-function isSuccess', 0.9, { isSuccess: 'yes' }, /`options\.isSuccess`/],
    ['an unknown option', 0.9, { retries: 2 }, /Unknown option `retries`/],
  ])('throws a TypeError for %s before any request', async (_label, rate, options, pattern) => {
    const before = server.requestCount()
    await expect(expect(`${server.url}/fast`).toSustainSuccessRate(rate, options as never)).rejects.toThrow(pattern)
    expect(server.requestCount()).toBe(before)
  })
})
