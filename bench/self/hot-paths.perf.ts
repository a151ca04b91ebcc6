import { describe, expect, it } from 'vitest'
import { BaselineFile, memoryBaselineFileSystem } from '../../src/baselines/store.js'
import type { BaselineRecord } from '../../src/baselines/types.js'
import { serializeBaselineFile } from '../../src/baselines/format.js'
import { compare } from '../../src/gate/compare.js'
import { currentEnvironment } from '../../src/machine/environment.js'
import { mannWhitneyGreater, normalQuantile, summarizeSorted } from '../../src/stats/index.js'
import type { BenchmarkResult } from '../../src/measure/benchmark.js'

// perfgate's own hot paths, held to their baselines by perfgate itself (npm run bench:self).

const environment = currentEnvironment()

function quantileSample(center: number, spread: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => center * (1 + spread * normalQuantile((i + 0.5) / n)))
}

function record(i: number): BaselineRecord {
  const sample = quantileSample(1 + (i % 97) / 100, 0.05, 32).map((x) => Number(x.toPrecision(6)))
  return {
    unit: 'ms',
    summary: summarizeSorted(sample),
    sample,
    sampleCount: 5000,
    rounds: [1, 1.01, 0.99, 1, 1.02],
    noise: 0.03,
    environment,
    recordedAt: '2026-11-26T00:00:00.000Z',
    perfgateVersion: '0.1.0',
    gitCommit: null,
  }
}

const entries: Record<string, Record<string, BaselineRecord>> = {}
for (let i = 0; i < 10_000; i++) entries[`suite ${i % 50} > test ${i}`] = { [environment.id]: record(i) }
const bigFile = serializeBaselineFile({ version: 1, entries })

// No rounds: compare() then works on the samples themselves (compacting 10 000 points, rank
// test and bootstrap), the path that measure() results take.
function resultOf(samples: number[]): BenchmarkResult {
  return { kind: 'benchmark', name: 'x', samples, summary: summarizeSorted(samples), count: samples.length, iterations: samples.length, batchSize: 1, rounds: [], durationMs: 0, environment, machine: { busy: null, probe: null } }
}
const before = resultOf(quantileSample(1, 0.1, 10_000))
const after = resultOf(quantileSample(1.02, 0.1, 10_000))

describe('baseline store', () => {
  it('loads a baseline file of 10 000 entries', async () => {
    await expect(async () => {
      const fs = memoryBaselineFileSystem({ '/p/baselines/a.json': bigFile })
      await BaselineFile.open(fs, '/p/baselines/a.json', 'new')
    }).toMatchBaseline({ time: 2000, minSamples: 10 })
  })

  it('saves a baseline file of 10 000 entries after one change', async () => {
    const fs = memoryBaselineFileSystem({ '/p/baselines/a.json': bigFile })
    const file = await BaselineFile.open(fs, '/p/baselines/a.json', 'all')
    let round = 0
    await expect(async () => {
      file.set('suite 0 > test 0', environment.id, record(++round))
      await file.save()
    }).toMatchBaseline({ time: 2000, minSamples: 10 })
  })
})

describe('statistics', () => {
  it('compares two 10 000-point samples', async () => {
    await expect(() => compare(before, after)).toMatchBaseline()
  })

  it('runs the rank test on two 10 000-point samples', async () => {
    await expect(() => mannWhitneyGreater(before.samples, after.samples)).toMatchBaseline()
  })
})
