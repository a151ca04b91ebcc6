import { describe, expect, it } from 'vitest'
import { PerfgateError, PerfgateTypeError } from '../../src/common/errors.js'
import { BenchmarkStoppedError, benchmark, plannedRoundMs } from '../../src/measure/benchmark.js'

describe('benchmark', () => {
  it('samples a sync function and returns sorted per-call times with a summary', async () => {
    let calls = 0
    const result = await benchmark('sum', () => {
      calls++
      let sum = 0
      for (let i = 0; i < 200; i++) sum += Math.sqrt(i)
      return sum
    }, { time: 100, warmupTime: 20 })
    expect(result.kind).toBe('benchmark')
    expect(result.name).toBe('sum')
    expect(result.count).toBe(result.samples.length)
    expect([...result.samples].sort((a, b) => a - b)).toEqual(result.samples)
    expect(result.summary.min).toBe(result.samples[0])
    expect(result.rounds).toHaveLength(10)
    expect(result.batchSize).toBeGreaterThanOrEqual(1)
    // Every sampled call really ran (warm-up and calibration come on top).
    expect(calls).toBeGreaterThanOrEqual(result.iterations)
    expect(result.iterations).toBeGreaterThanOrEqual(result.count)
  })

  it('times fast functions in batches so that a sample is far longer than a clock read', async () => {
    const result = await benchmark('noop-ish', () => Math.random(), { time: 100, warmupTime: 20 })
    expect(result.batchSize).toBeGreaterThan(10)
    expect(result.summary.median).toBeLessThan(0.01)
  })

  it('awaits async functions', async () => {
    let settled = 0
    const result = await benchmark('async', async () => {
      await Promise.resolve()
      settled++
    }, { time: 60, warmupTime: 10, rounds: 2 })
    expect(result.rounds).toHaveLength(2)
    expect(settled).toBeGreaterThanOrEqual(result.iterations)
  })

  it('takes at least minSamples samples', async () => {
    const result = await benchmark('slow', () => {
      const end = performance.now() + 2
      while (performance.now() < end) {
        // busy wait 2 ms
      }
    }, { time: 5, warmupTime: 0, minSamples: 12, rounds: 3 })
    expect(result.count).toBeGreaterThanOrEqual(12)
  })

  it('runs setup before and teardown after sampling', async () => {
    const events: string[] = []
    await benchmark('hooks', () => events.push('call'), {
      time: 20,
      warmupTime: 0,
      rounds: 1,
      setup: () => void events.push('setup'),
      teardown: () => void events.push('teardown'),
    })
    expect(events[0]).toBe('setup')
    expect(events.at(-1)).toBe('teardown')
  })

  it('fails with the error of a function that throws', async () => {
    const error = new RangeError('bad input')
    await expect(
      benchmark('throws', () => {
        throw error
      }),
    ).rejects.toBe(error)
    await expect(benchmark('rejects', () => Promise.reject(new Error('nope')))).rejects.toThrow('nope')
  })

  it('fails with the error of a function that throws only after a while', async () => {
    let calls = 0
    await expect(
      benchmark('late', () => {
        if (++calls > 500) throw new Error('broke on call 501')
      }, { time: 50, warmupTime: 0 }),
    ).rejects.toThrow('broke on call 501')
  })

  it('throws a TypeError naming a bad argument or option', async () => {
    await expect(benchmark('', () => 1)).rejects.toThrow(/`name`/)
    await expect(benchmark('x', 42 as never)).rejects.toThrow(/`fn`/)
    await expect(benchmark('x', () => 1, { time: 0 })).rejects.toThrow(/`options\.time`/)
    await expect(benchmark('x', () => 1, { rounds: 0 })).rejects.toThrow(/`options\.rounds`/)
    await expect(benchmark('x', () => 1, { setup: 'no' as never })).rejects.toThrow(/`options\.setup`/)
    await expect(benchmark('x', () => 1, { tme: 10 } as never)).rejects.toThrow(/Unknown option `tme`/)
  })
})

describe('plannedRoundMs', () => {
  it('covers what tinybench takes in a round: samples until the round\'s time has passed and there are minSamples', () => {
    for (const roundTime of [10, 90, 100, 150]) {
      for (const minSamples of [1, 2, 5]) {
        for (const perSample of [0.1, 7, 70, 150, 250]) {
          // tinybench's loop: while (total < time || samples < iterations) take another sample.
          let samples = 0
          while (samples * perSample < roundTime || samples < minSamples) samples++
          expect(samples * perSample).toBeLessThanOrEqual(plannedRoundMs(roundTime, minSamples, perSample))
        }
      }
    }
    // A 70 ms function in 90 ms rounds takes two samples: 140 ms, not the round's 90.
    expect(plannedRoundMs(90, 1, 70)).toBeGreaterThanOrEqual(140)
  })
})

describe('BenchmarkStoppedError', () => {
  it('is a PerfgateError, but another PerfgateError is no BenchmarkStoppedError (a read-only baseline file was reported as a stop at the test timeout)', () => {
    const stopped = new BenchmarkStoppedError({ phase: 'first call', roundsDone: 0, roundsPlanned: 10, median: null, elapsedMs: 12 })
    const readOnly = new PerfgateError('PERFGATE_BASELINE_READONLY', 'The baseline file x.json is read-only')
    expect(stopped).toBeInstanceOf(PerfgateError)
    expect(stopped).toBeInstanceOf(BenchmarkStoppedError)
    expect(readOnly).not.toBeInstanceOf(BenchmarkStoppedError)
    // Another copy of the classes (the other build) is still recognised by the brand.
    const fromOtherCopy = Object.defineProperty(new Error('x'), Symbol.for('perfgate.error'), { value: true })
    expect(fromOtherCopy).toBeInstanceOf(PerfgateError)
    expect(Object.defineProperty(new TypeError('x'), Symbol.for('perfgate.type-error'), { value: true })).toBeInstanceOf(PerfgateTypeError)
  })
})
