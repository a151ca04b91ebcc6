/**
 * toMatchBaseline keeps to its test's deadline (issue 11, item 4): a function that never settles,
 * `minSamples` far past the time, and a plan longer than the test all end in a failed assertion
 * with perfgate's reason before the runner's timeout, and write nothing. Real Vitest timeouts,
 * real files in a scratch root.
 */
import { existsSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { baselineFilePath } from '../../src/baselines/path.js'
import { defaultConfig } from '../../src/config/config.js'
import '../../src/runners/vitest.js'
import { useScratchRoot } from './scratch-root.js'

const root = useScratchRoot('perfgate-deadline-')
const baselines = baselineFilePath({ rootDir: root, baselineDir: defaultConfig.baselineDir, testFile: import.meta.filename })



/** A function that takes `ms` of wall time a call, whatever else the machine does. */
function spinning(ms: number): () => number {
  return () => {
    const until = Date.now() + ms
    let spins = 0
    while (Date.now() < until) spins++
    return spins
  }
}

/** The stored entry of the running test. */
function storedEntry(): { sampleCount: number; rounds: number[] } | undefined {
  const stored = JSON.parse(readFileSync(baselines, 'utf8')) as { entries: Record<string, Record<string, { sampleCount: number; rounds: number[] }>> }
  return Object.values(stored.entries[expect.getState().currentTestName ?? ''] ?? {})[0]
}

/** The rejection of a matcher call, or a failure when it resolved. */
async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  )
  if (!(outcome instanceof Error)) throw new Error('the matcher was expected to fail')
  return outcome as Error & { code?: string }
}

describe("toMatchBaseline and the test's deadline", () => {
  // Each test has 3 s; perfgate stops 300 ms before (a tenth of the timeout), so these tests end by themselves.
  it('a function whose first call never settles fails with that reason', { timeout: 3000 }, async () => {
    const error = await rejection(expect(() => new Promise(() => {})).toMatchBaseline({ time: 200, warmupTime: 0 }))
    expect(error.code).toBe('PERFGATE_TEST_TIMEOUT')
    expect(error.message).toContain("toMatchBaseline stopped before the test's timeout (3000 ms): the function's first call had not settled")
    expect(error.message).toContain('The baseline file was not touched.')
  })

  it('a function that hangs after its first calls (in warm-up) fails, and calls it no more', { timeout: 3000 }, async () => {
    let calls = 0
    const hangsOnThird = (): Promise<void> => (++calls >= 3 ? new Promise(() => {}) : Promise.resolve())
    const error = await rejection(expect(hangsOnThird).toMatchBaseline({ time: 200, warmupTime: 100 }))
    expect(error.code).toBe('PERFGATE_TEST_TIMEOUT')
    expect(error.message).toMatch(/still in warm-up after \d+ ms, no round measured/)
    expect(calls).toBe(3)
  })

  it('minSamples far past what the time allows stops at the deadline with the rounds it measured, for a synchronous function', { timeout: 3000 }, async () => {
    const error = await rejection(expect(() => Math.sqrt(2)).toMatchBaseline({ time: 500, warmupTime: 0, minSamples: 1e9 }))
    expect(error.code).toBe('PERFGATE_TEST_TIMEOUT')
    expect(error.message).toMatch(/: \d+ of 10 rounds measured( \(median [\d.]+ (ns|µs|ms) per call so far\))? in \d+ ms; the other rounds would take about \d+ ms, more than the \d+ ms left\./)
  })

  it('the configured minSamples gives way to the time left, down to a sample a round: a slow function is measured, not failed', { timeout: 3000 }, async () => {
    // 150 ms a call (wall clock, whatever else the machine does): the default 20 samples (2 a
    // round) would take 3 s, more than the test has; one a round takes 1.5 s. A hold-out suite
    // failed six tests of unchanged code so, on a busy machine.
    await expect(spinning(150)).toMatchBaseline({ time: 200, warmupTime: 0 })
    const entry = storedEntry()
    // Ten rounds, or fewer when the machine is busy: the rounds give way too (the next test).
    expect(entry?.rounds.length).toBeGreaterThanOrEqual(5)
    expect(entry?.rounds.length).toBeLessThanOrEqual(10)
    expect(entry?.sampleCount).toBeLessThan(20)
  })

  it('the configured rounds give way to the time left, down to five: a function too slow for ten rounds is measured, not failed', { timeout: 3000 }, async () => {
    // 250 ms a call: the first call and the calibration take 500 ms of the 2700 ms perfgate
    // has, and ten rounds of one call 2.5 s more; five fit with up to 190 ms between rounds.
    // With a busy neighbour, the time between rounds took 120 ms each, and 8 of 10 rounds of a
    // 150 ms function did not fit.
    await expect(spinning(250)).toMatchBaseline({ time: 200, warmupTime: 0 })
    const entry = storedEntry()
    expect(entry?.rounds.length).toBeGreaterThanOrEqual(5)
    expect(entry?.rounds.length).toBeLessThan(10)
  })

  it('plans a round as tinybench runs it: a 70 ms function in 150 ms rounds (three samples, 210 ms) is measured within its time, fewer rounds', { timeout: 2000 }, async () => {
    // Planned at the round's time, a round past the fifth could overrun the deadline (a review:
    // 90 ms rounds of two 70 ms samples, 6 of 10 rounds measured, the test failed). Whether it
    // does depends on where the time runs out, so the plan itself is checked in
    // test/unit/benchmark.test.ts (plannedRoundMs); this is the end-to-end case.
    await expect(spinning(70)).toMatchBaseline({ time: 1500, warmupTime: 0 })
    const entry = storedEntry()
    expect(entry?.rounds.length).toBeGreaterThanOrEqual(5)
    expect(entry?.rounds.length).toBeLessThan(10)
  })

  it('minSamples given in the call is a demand, so the rounds do not give way either', { timeout: 3000 }, async () => {
    const error = await rejection(expect(spinning(250)).toMatchBaseline({ time: 200, warmupTime: 0, minSamples: 10 }))
    expect(error.code).toBe('PERFGATE_TEST_TIMEOUT')
    expect(error.message).toMatch(/: \d+ of 10 rounds measured/)
    expect(error.message).toContain('the other rounds would take about')
  })

  it('rounds given in the call are a demand: a run that cannot fit them fails', { timeout: 3000 }, async () => {
    const error = await rejection(expect(spinning(250)).toMatchBaseline({ time: 200, warmupTime: 0, rounds: 10 }))
    expect(error.code).toBe('PERFGATE_TEST_TIMEOUT')
    expect(error.message).toMatch(/: \d+ of 10 rounds measured/)
  })

  it('a plan longer than the time left fails at once and says so', { timeout: 3000 }, async () => {
    let called = false
    const error = await rejection(expect(() => (called = true)).toMatchBaseline({ time: 5000, warmupTime: 100 }))
    expect(error.code).toBe('PERFGATE_TEST_TIMEOUT')
    expect(error.message).toMatch(/it did not start: warm-up and sampling take 5100 ms, more than the \d+ ms left/)
    expect(called).toBe(false)
  })

  it('a function that gets slow after a few rounds stops before the deadline with the rounds it measured', { timeout: 3000 }, async () => {
    let spins = 0
    const start = Date.now()
    // 1 ms a call at first; after ~400 ms, 40 ms a call, so the rounds left cannot fit in the test.
    const slowsDown = (): number => {
      const until = Date.now() + (Date.now() - start < 400 ? 1 : 40)
      while (Date.now() < until) spins++
      return spins
    }
    const error = await rejection(expect(slowsDown).toMatchBaseline({ time: 1000, warmupTime: 0, minSamples: 100 }))
    expect(error.code).toBe('PERFGATE_TEST_TIMEOUT')
    expect(error.message).toMatch(/: [1-9] of 10 rounds measured \(median [\d.]+ (ns|µs|ms) per call so far\) in \d+ ms/)
  })

  it('leaves no listeners behind on the test\'s end: many measurements in one test raise no MaxListenersExceededWarning', { timeout: 20_000 }, async () => {
    const warnings: string[] = []
    const onWarning = (warning: Error): void => void warnings.push(warning.name)
    process.on('warning', onWarning)
    try {
      // Each measurement runs 10 rounds under the deadline, and makes latency runs beside it.
      for (let i = 0; i < 4; i++) {
        await expect(() => Math.sqrt(i)).toMatchBaseline({ time: 50, warmupTime: 0, name: `m${i}` }).catch(() => undefined)
        await expect(() => i).toRespondWithin(1000, { samples: 3, warmup: 0 })
      }
      await new Promise((resolve) => setImmediate(resolve))
    } finally {
      process.off('warning', onWarning)
    }
    expect(warnings).not.toContain('MaxListenersExceededWarning')
  })

  it('none of the stopped ones wrote a baseline', () => {
    const keys = existsSync(baselines) ? Object.keys((JSON.parse(readFileSync(baselines, 'utf8')) as { entries: object }).entries) : []
    expect(keys.filter((key) => !/ >> m\d$/.test(key) && !key.includes('give way') && !key.includes('gives way') && !key.includes('plans a round'))).toEqual([])
  })
})
