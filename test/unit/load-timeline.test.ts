import { describe, expect, it } from 'vitest'
import { TimelineRecorder, timelineBuckets } from '../../src/measure/timeline.js'

describe('TimelineRecorder', () => {
  it('puts each outcome in the bucket of the time it ended, from a planned run’s length', () => {
    const recorder = new TimelineRecorder(1000, 2000)
    recorder.add(1000, 5, true)
    recorder.add(1019.9, 7, true)
    recorder.add(1020, 9, false)
    recorder.add(1030, 11, true)
    const timeline = recorder.timeline(3000)
    // 2000 ms planned over 100 buckets; the run's end sets the last bucket.
    expect(timeline.bucketMs).toBe(20)
    expect(timeline.buckets).toHaveLength(100)
    expect(timeline.buckets[0]).toMatchObject({ startMs: 0, completed: 2, failures: 0, latency: { max: 7, mean: 6 } })
    expect(timeline.buckets[1]).toMatchObject({ startMs: 20, completed: 2, failures: 1, latency: { max: 11, mean: 11 } })
    // Percentiles come from bins 1/8 of a doubling wide: within 6.25% (and never past the bucket's max).
    expect(Math.abs((timeline.buckets[1]?.latency?.p50 ?? 0) / 11 - 1)).toBeLessThan(0.0625)
    expect(Math.abs((timeline.buckets[1]?.latency?.p95 ?? 0) / 11 - 1)).toBeLessThan(0.0625)
    expect(timeline.buckets[2]).toEqual({ startMs: 40, completed: 0, failures: 0, latency: null })
  })

  it('stays within its buckets for a million outcomes over a long unplanned run, merging as it goes, and loses no count', () => {
    const recorder = new TimelineRecorder(0, undefined)
    const outcomes = 1_000_000
    let failures = 0
    for (let index = 0; index < outcomes; index++) {
      const failed = index % 97 === 0
      if (failed) failures++
      // 1 ms apart, latencies cycling over 1..100 ms.
      recorder.add(index, (index % 100) + 1, !failed)
    }
    const timeline = recorder.timeline(outcomes)
    expect(timeline.buckets.length).toBeLessThanOrEqual(timelineBuckets)
    expect(timeline.buckets.length).toBeGreaterThan(timelineBuckets / 2)
    expect(timeline.buckets.reduce((sum, bucket) => sum + bucket.completed, 0)).toBe(outcomes)
    expect(timeline.buckets.reduce((sum, bucket) => sum + bucket.failures, 0)).toBe(failures)
    // Every full bucket holds whole cycles of 1..100 ms: median near 50.5, p95 near 95.5, within half a bin.
    const middle = timeline.buckets[10]?.latency
    expect(middle?.max).toBe(100)
    expect(middle?.p50).toBeGreaterThan(50.5 * 0.9375)
    expect(middle?.p50).toBeLessThan(50.5 * 1.0625)
    expect(middle?.p95).toBeGreaterThan(95.5 * 0.9375)
    expect(middle?.p95).toBeLessThan(95.5 * 1.0625)
  })

  it('counts an outcome at the very start and one long after the plan', () => {
    const recorder = new TimelineRecorder(500, 100)
    recorder.add(499.9, 1, true)
    recorder.add(500 + 10_000, 2, true)
    const timeline = recorder.timeline(500 + 10_000)
    expect(timeline.buckets.length).toBeLessThanOrEqual(timelineBuckets)
    expect(timeline.buckets[0]?.completed).toBe(1)
    expect(timeline.buckets.at(-1)?.completed).toBe(1)
    expect(timeline.bucketMs * timeline.buckets.length).toBeGreaterThan(10_000)
  })

  it('reports no latency for a bucket of failures only', () => {
    const recorder = new TimelineRecorder(0, 1000)
    recorder.add(5, 3, false)
    expect(recorder.timeline(10).buckets[0]).toEqual({ startMs: 0, completed: 1, failures: 1, latency: null })
  })
})

describe('TimelineRecorder latency bins', () => {
  it.each([0.00004, 0.0009, 0.0123, 0.5, 1, 3.7, 42, 999, 65_000])('reads back a bucket of %s ms within 6.25%', (latency) => {
    const recorder = new TimelineRecorder(0, 1000)
    for (let index = 0; index < 20; index++) recorder.add(1, latency * (index === 19 ? 1.5 : 1), true)
    const result = recorder.timeline(10).buckets[0]?.latency
    expect(Math.abs((result?.p50 ?? 0) / latency - 1)).toBeLessThanOrEqual(0.0625)
    expect(result?.max).toBe(latency * 1.5)
  })
})
