/**
 * measure(), benchmark() and runLoad() called in a test, outside a matcher, stop when their test
 * ends, as the matchers' runs do. A Jest walkthrough saw measure() go on after its test had timed
 * out: 359 requests reached the server during the next test. Each test below starts a run it
 * does not wait for, and ends; the next one checks that the run stopped there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ExpectStatic } from 'vitest'
import { startFixtureServer } from '../../fixtures/server.js'
import type { FixtureServer } from '../../fixtures/server.js'
import { BenchmarkStoppedError, benchmark } from '../../src/measure/benchmark.js'
import type { BenchmarkResult } from '../../src/measure/benchmark.js'
import { measure } from '../../src/measure/latency.js'
import type { LatencyResult } from '../../src/measure/latency.js'
import { runLoad } from '../../src/measure/load.js'
import { takenInEndedTest } from '../../src/common/test-scope.js'
import { keptRecords } from '../../src/gate/session.js'
import type { LoadResult } from '../../src/measure/load.js'
import '../../src/runners/vitest.js'

let server: FixtureServer

beforeAll(async () => {
  server = await startFixtureServer()
})

afterAll(async () => {
  await server.close()
})

/** Settles `run` and returns how it ended; a rejection is returned, not thrown. */
async function settled<T>(run: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  try {
    return { value: await run }
  } catch (error) {
    return { error }
  }
}

const sleep = (ms: number): Promise<unknown> => new Promise((resolve) => setTimeout(resolve, ms))

/** Waits until the server has seen `count` requests for `path`: the run is sending. */
async function untilSending(path: string, count = 20): Promise<void> {
  while (server.requestCount(path) < count) await sleep(10)
}

/**
 * The server's request count for `path` once it no longer grows between two reads 100 ms
 * apart (what was in flight has landed), checked still the same 200 ms later: nothing more sent.
 */
async function countOnceQuiet(path: string): Promise<number> {
  let before = server.requestCount(path)
  for (;;) {
    await sleep(100)
    const after = server.requestCount(path)
    if (after === before) break
    before = after
  }
  await sleep(200)
  expect(server.requestCount(path)).toBe(before)
  return before
}

describe('a standalone run started in a test', () => {
  let latency: Promise<LatencyResult> | undefined
  let load: Promise<LoadResult> | undefined
  let work: Promise<BenchmarkResult> | undefined

  it('measure(): starts 1 000 000 requests and leaves the test without waiting', async () => {
    latency = measure(`${server.url}/fast`, { samples: 1_000_000, warmup: 0 })
    // Wait until it is sending, so that the test ends in the middle of the run.
    await untilSending('/fast')
  })

  it('...has stopped when that test ended: it resolves with what it measured, and sends nothing more', async () => {
    const outcome = await settled(latency as Promise<LatencyResult>)
    expect(outcome.error).toBeUndefined()
    expect(outcome.value?.samples.length).toBeGreaterThan(0)
    expect(outcome.value?.samples.length).toBeLessThan(1_000_000)
    expect(await countOnceQuiet('/fast')).toBeLessThan(1_000_000)
  })

  it('...and toMatchBaseline refuses its result in the next test, whose name the runner gives now: nothing is kept under it (it was recorded as the next test\'s baseline)', async () => {
    const result = (await latency) as LatencyResult
    const before = keptRecords().length
    const outcome = await settled(expect(result).toMatchBaseline())
    expect(outcome.error).toMatchObject({ code: 'PERFGATE_TEST_ENDED' })
    expect((outcome.error as Error).message).toMatch(/^toMatchBaseline received a measure\(\) result \(http:\/\/127\.0\.0\.1:\d+\/fast\) taken in a test that has ended since/)
    expect(keptRecords()).toHaveLength(before)
  })

  it('runLoad(): starts 1 000 000 requests and leaves the test without waiting', async () => {
    load = runLoad(`${server.url}/echo`, { requests: 1_000_000, concurrency: 4 })
    await untilSending('/echo')
  })

  it('...has stopped when that test ended, and sends nothing more', async () => {
    const outcome = await settled(load as Promise<LoadResult>)
    expect(outcome.error).toBeUndefined()
    expect(outcome.value?.total).toBeGreaterThan(0)
    expect(outcome.value?.total).toBeLessThan(1_000_000)
    await countOnceQuiet('/echo')
  })

  it('benchmark(): starts a 20-second benchmark and leaves the test without waiting', async () => {
    // A synchronous function holds the thread for a round (a tenth of `time`); the stop comes between rounds.
    work = benchmark('sum', () => Math.sqrt(2), { time: 20_000, warmupTime: 0 })
    await sleep(50)
  })

  it('...has stopped when that test ended, with the stop error', async () => {
    const outcome = await settled(work as Promise<BenchmarkResult>)
    expect(outcome.error).toBeInstanceOf(BenchmarkStoppedError)
  })
})

describe('a benchmark() result kept for a later test', () => {
  let finished: BenchmarkResult | undefined

  it('is taken in its own test, which may use it', async () => {
    finished = await benchmark('sqrt', () => Math.sqrt(2), { time: 20, warmupTime: 0, rounds: 2 })
    expect(takenInEndedTest(finished)).toBe(false)
  })

  it('...belongs to no later test: toMatchBaseline refuses it there', async () => {
    expect(takenInEndedTest(finished)).toBe(true)
    const outcome = await settled(expect(finished).toMatchBaseline())
    expect((outcome.error as Error | undefined)?.message).toMatch(/^toMatchBaseline received a benchmark\(\) result \(sqrt\) taken in a test that has ended since/)
  })
})

describe('a matcher that is not awaited', () => {
  let pending: Promise<{ value?: unknown; error?: unknown }> | undefined

  it('toRespondWithin(): called without await, so the test ends while it sends', async () => {
    // The missing `await`: the assertion's promise is kept (and its rejection caught) for the next test to read.
    pending = settled(expect(`${server.url}/delay?ms=1`).toRespondWithin(1000, { samples: 1_000_000, warmup: 0 }))
    await untilSending('/delay')
  })

  it('...fails saying that its test ended before it finished and asking whether it is awaited, not that the test timed out', async () => {
    const outcome = await (pending as Promise<{ value?: unknown; error?: unknown }>)
    const message = (outcome.error as Error | undefined)?.message ?? ''
    expect(message).toMatch(/^toRespondWithin stopped: its test ended before it finished; \d+ of 1000000 measured requests had ended/)
    expect(message).toContain('Is it awaited? Without `await expect(…).toRespondWithin(…)` the test ends at once')
    expect(message).not.toContain("before the test's timeout")
    await countOnceQuiet('/delay')
  })
})

describe('a matcher whose test ended before it started sending', () => {
  // What Jest does to a matcher that is not awaited: the test ends while the matcher reads its
  // configuration, before it sends anything. Here, deterministically: the test's own `expect`
  // is used after that test ended.
  let endedExpect: ExpectStatic | undefined

  it('keeps its own expect, and ends', ({ expect: own }) => {
    endedExpect = own
  })

  it('...a toSustainSuccessRate through it fails saying that its test ended before it finished (it said "no request was sent", an ordinary failure)', async () => {
    const outcome = await settled((endedExpect as ExpectStatic)(`${server.url}/echo?n=2`).toSustainSuccessRate(0.9, { requests: 50, concurrency: 2 }))
    const message = (outcome.error as Error | undefined)?.message ?? ''
    expect(message).toMatch(/^toSustainSuccessRate stopped: its test ended before it finished; 0 of 50 requests had ended/)
    expect(message).toContain('Is it awaited?')
  })
})

describe('a retried test', () => {
  let attempts = 0

  it('gets a live end signal again on its retry: its runs measure in full', { retry: 1 }, async () => {
    attempts++
    // The first attempt ends (fails) before any run; the retry is the same test, which had ended.
    if (attempts === 1) throw new Error('the first attempt fails on purpose')
    const result = await measure(`${server.url}/fast`, { samples: 30, warmup: 0 })
    expect(result.samples).toHaveLength(30)
  })
})

describe('a retry whose first attempt used up its time', () => {
  let attempts = 0

  it('has a timeout of its own, as the runner gives it: its matcher runs (it stopped at once: the deadline was counted from the first attempt)', { retry: 1, timeout: 2000 }, async () => {
    attempts++
    if (attempts === 1) {
      await sleep(1950)
      throw new Error('the first attempt fails on purpose, at the end of its time')
    }
    await expect(`${server.url}/fast`).toRespondWithin(1000, { samples: 5, warmup: 0 })
  })
})

describe('a run started in beforeAll, outside any test', () => {
  let pending: Promise<LatencyResult> | undefined

  beforeAll(() => {
    pending = measure(`${server.url}/fast`, { samples: 300, warmup: 0 })
  })

  it('is not stopped when the first test ends', () => {
    expect(pending).toBeDefined()
  })

  it('...and runs to the end', async () => {
    const result = await (pending as Promise<LatencyResult>)
    expect(result.samples).toHaveLength(300)
  })
})
