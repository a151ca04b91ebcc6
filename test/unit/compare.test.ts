import { describe, expect, it } from 'vitest'
import type { BaselineRecord } from '../../src/baselines/types.js'
import { compare, describeDetectable, formatChange, leastRunAllowance, machineAsRecorded, processAllowanceOf, recordAllowance, slowRunsExplain, speedAdjustedAllowance } from '../../src/gate/compare.js'
import type { Environment } from '../../src/machine/environment.js'
import { normalQuantile, summarizeSorted } from '../../src/stats/index.js'

const laptop: Environment = { id: 'linux-x64-node20-8c-aaaaaa', os: 'linux', arch: 'x64', cpuModel: 'A', cores: 8, nodeMajor: 20 }
const ciRunner: Environment = { id: 'linux-x64-node20-2c-bbbbbb', os: 'linux', arch: 'x64', cpuModel: 'B', cores: 2, nodeMajor: 20 }

/** A deterministic sorted sample: `n` normal quantiles around `center` with relative spread `spread`. */
function sample(center: number, spread: number, n = 200): number[] {
  return Array.from({ length: n }, (_, i) => center * (1 + spread * normalQuantile((i + 0.5) / n)))
}

/** Records compared here as if measured side by side in one process: no process allowance. */
const sameProcess = { processAllowance: 0 } as const

function record(
  values: number[],
  options: { noise?: number; environment?: Environment; rounds?: number[]; runs?: BaselineRecord['runs']; machine?: BaselineRecord['machine'] } = {},
): BaselineRecord {
  return {
    ...(options.runs === undefined ? {} : { runs: options.runs }),
    ...(options.machine === undefined ? {} : { machine: options.machine }),
    unit: 'ms',
    summary: summarizeSorted(values),
    sample: values,
    sampleCount: values.length,
    rounds: options.rounds ?? [],
    noise: options.noise ?? 0,
    environment: options.environment ?? laptop,
    recordedAt: '2026-11-26T00:00:00.000Z',
    perfgateVersion: '0.1.0',
    gitCommit: null,
  }
}

describe('compare', () => {
  it('calls equal samples unchanged', () => {
    const result = compare(record(sample(1, 0.05)), record(sample(1, 0.05)))
    expect(result.verdict).toBe('unchanged')
    expect(result.change).toBeCloseTo(0, 10)
  })

  it('calls a 5% slowdown with low noise unchanged: significant, but below the 10% threshold', () => {
    const result = compare(record(sample(1, 0.01)), record(sample(1.05, 0.01)))
    expect(result.pValue).toBeLessThan(0.001)
    expect(result.change).toBeCloseTo(0.05, 3)
    expect(result.verdict).toBe('unchanged')
  })

  it('calls a 50% slowdown regressed, with the evidence in one line', () => {
    const result = compare(record(sample(1.21, 0.05)), record(sample(1.84, 0.05)), sameProcess)
    expect(result.verdict).toBe('regressed')
    expect(result.change).toBeCloseTo(1.84 / 1.21 - 1, 3)
    expect(result.interval.lower).toBeGreaterThan(0.4)
    expect(result.interval.upper).toBeLessThan(0.65)
    expect(result.reason).toMatch(/^median 1\.84 ms vs 1\.21 ms baseline, \+52% \[95% CI \+\d+%\.\.\+\d+%\], p < 0\.001, threshold 10%$/)
  })

  it('calls a large slowdown that is not significant inconclusive, never unchanged', () => {
    // Few points with a huge spread: +30% in the median is not distinguishable from chance.
    const result = compare(record(sample(1, 0.6, 8)), record(sample(1.3, 0.6, 8)))
    expect(result.change).toBeGreaterThan(0.1)
    expect(result.pValue).toBeGreaterThan(0.01)
    expect(result.verdict).toBe('inconclusive')
    expect(result.reason).toContain('not significant')
  })

  it("calls a slowdown within the entry's noise floor inconclusive, and names the floor", () => {
    // The baseline's rounds disagreed by ±20%: quartiles (type 7) 0.85 and 1.2 around a median
    // of 1, an interquartile spread of 35%; a +30% change is within that.
    const noisyRounds = [0.8, 0.8, 0.8, 1, 1, 1, 1.2, 1.2, 1.2, 1.2]
    const current = [1.3, 1.3, 1.3, 1.3, 1.3, 1.3, 1.31, 1.31, 1.32, 1.32]
    const result = compare(record(sample(1, 0.02), { rounds: noisyRounds }), record(sample(1.3, 0.02), { rounds: current }), sameProcess)
    expect(result.unit).toBe('rounds')
    expect(result.pValue).toBeLessThan(0.01)
    expect(result.noiseFloor).toBeCloseTo(0.35, 10)
    expect(result.verdict).toBe('inconclusive')
    expect(result.reason).toMatch(/noise floor 35%.*within the noise of the baseline's rounds/)
  })

  it('compares round against round when both sides have rounds, so a burst in a few rounds is not a regression', () => {
    const steady = [1, 1.01, 0.99, 1, 1.02, 0.98, 1, 1.01, 0.99, 1]
    // Three of ten rounds slowed by 60% by other work on the machine; the code itself did not change.
    const burst = [1, 1.01, 0.99, 1, 1.6, 1.6, 1.6, 1.01, 0.99, 1]
    const result = compare(record(sample(1, 0.02), { rounds: steady }), record(sample(1.2, 0.02), { rounds: burst }))
    expect(result.unit).toBe('rounds')
    expect(result.current.samples).toBe(10)
    expect(result.verdict).not.toBe('regressed')
    expect(result.verdict).not.toBe('improved')
  })

  it('does not call a slow period of the machine a regression when a round still ran at the baseline speed', () => {
    const steady = [1, 1.01, 0.99, 1, 1.02, 0.98, 1, 1.01, 0.99, 1]
    // Eight rounds in a slow period of the machine, then two back at full speed.
    const slowPeriod = [1.6, 1.62, 1.6, 1.57, 1.6, 1.6, 1.48, 1.6, 1.04, 1.01]
    // An allowance below the change, so that the fastest-round rule is what decides.
    const result = compare(record(sample(1, 0.02), { rounds: steady }), record(sample(1.6, 0.02), { rounds: slowPeriod }), { processAllowance: 0.25 })
    expect(result.change).toBeGreaterThan(0.4)
    expect(result.pValue).toBeLessThan(0.01)
    expect(result.verdict).toBe('inconclusive')
    expect(result.reason).toContain("its fastest round was within the threshold of the baseline's fastest")
  })

  it('calls it regressed when every round is slower beyond the threshold', () => {
    const steady = [1, 1.01, 0.99, 1, 1.02, 0.98, 1, 1.01, 0.99, 1]
    const slower = steady.map((x) => x * 1.25)
    const result = compare(record(sample(1, 0.02), { rounds: steady }), record(sample(1.25, 0.02), { rounds: slower }), sameProcess)
    expect(result.verdict).toBe('regressed')
    expect(result.change).toBeCloseTo(0.25, 2)
    expect(result.pValue).toBeLessThan(0.001)
  })

  it('keeps the noise floor low when a single recorded round was disturbed', () => {
    const oneBadRound = [1, 1.01, 0.99, 1, 1.02, 0.98, 1, 1.01, 0.99, 1.7]
    const slower = [1.25, 1.26, 1.24, 1.25, 1.27, 1.23, 1.25, 1.26, 1.24, 1.25]
    const result = compare(record(sample(1, 0.02), { rounds: oneBadRound }), record(sample(1.25, 0.02), { rounds: slower }), sameProcess)
    expect(result.noiseFloor).toBeLessThan(0.05)
    expect(result.verdict).toBe('regressed')
  })

  it('calls it inconclusive, not unchanged, when the interval reaches a slowdown that would count', () => {
    const steady = [1, 1.01, 0.99, 1, 1.02, 0.98, 1, 1.01, 0.99, 1]
    // Current rounds all over the place: the median moved +5%, but +40% is within the 95% interval.
    const scattered = [0.8, 0.85, 0.95, 1.0, 1.05, 1.05, 1.2, 1.3, 1.4, 1.45]
    const result = compare(record(sample(1, 0.02), { rounds: steady }), record(sample(1.05, 0.02), { rounds: scattered }))
    expect(Math.abs(result.change)).toBeLessThan(0.1)
    expect(result.interval.upper).toBeGreaterThan(0.1)
    expect(result.verdict).toBe('inconclusive')
    expect(result.reason).toMatch(/cannot be ruled out \(95% CI up to \+\d+%\)/)
  })

  it('calls a significant speedup beyond the threshold improved', () => {
    // 3× faster: past a one-run record's allowance the other way (1 / 2.25 of the time).
    expect(compare(record(sample(3, 0.05)), record(sample(1, 0.05))).verdict).toBe('improved')
  })

  it('treats a slowdown against another environment by the environment policy', () => {
    const base = record(sample(1, 0.05), { environment: laptop })
    const slower = record(sample(1.5, 0.05), { environment: ciRunner })
    // An allowance below the change, so that the environment policy is what decides.
    const strict = compare(base, slower, { processAllowance: 0.25 })
    expect(strict.environmentMatch).toBe(false)
    expect(strict.verdict).toBe('inconclusive')
    expect(strict.reason).toContain('another environment')
    expect(compare(base, slower, { environment: 'warn', processAllowance: 0.25 }).verdict).toBe('regressed')
    // The evidence names both environments, whatever the verdict and the policy.
    expect(compare(base, slower, { environment: 'warn', processAllowance: 0.25 }).reason).toContain(`the baseline comes from another environment (${laptop.id}, now ${ciRunner.id})`)
    expect(compare(base, record(sample(1, 0.05), { environment: ciRunner })).reason).toContain('the baseline comes from another environment')
    expect(compare(base, slower, { environment: 'ignore', processAllowance: 0.25 }).verdict).toBe('regressed')
  })

  it('never calls regressed a slowdown whose interval reaches below zero, however small p is', () => {
    // Two clusters: the rank test sees every current value a little above its counterpart
    // (p < 1e-9), but the median jumps between the clusters, and its interval spans -65%..+204%.
    const cluster = (n: number, at: number): number[] => Array.from({ length: n }, (_, i) => at + i * 0.0001)
    const result = compare(record([...cluster(50, 1), ...cluster(50, 3)]), record([...cluster(48, 1.05), ...cluster(52, 3.05)]), sameProcess)
    expect(result.pValue).toBeLessThan(1e-6)
    expect(result.change).toBeGreaterThan(0.1)
    expect(result.interval.lower).toBeLessThan(0)
    expect(result.verdict).toBe('inconclusive')
    expect(result.reason).toContain('the interval does not rule out no change')
  })

  it('calls too few samples inconclusive', () => {
    const result = compare(record(sample(1, 0.01, 3)), record(sample(2, 0.01, 3)))
    expect(result.verdict).toBe('inconclusive')
    expect(result.reason).toContain('too few samples')
  })

  it('honours threshold, alpha and the mean statistic', () => {
    const base = record(sample(1, 0.01))
    const slower = record(sample(1.15, 0.01))
    expect(compare(base, slower, sameProcess).verdict).toBe('regressed')
    expect(compare(base, slower, { ...sameProcess, threshold: 0.2 }).verdict).toBe('unchanged')
    const byMean = compare(base, slower, { ...sameProcess, statistic: 'mean' })
    expect(byMean.statistic).toBe('mean')
    expect(byMean.reason).toMatch(/^mean /)
  })

  it('is reproducible: the same inputs give the same interval', () => {
    const a = compare(record(sample(1, 0.1)), record(sample(1.2, 0.1)))
    const b = compare(record(sample(1, 0.1)), record(sample(1.2, 0.1)))
    expect(a.interval).toEqual(b.interval)
  })

  it('throws a TypeError naming a bad option or argument', () => {
    const base = record(sample(1, 0.05))
    expect(() => compare(base, base, { threshold: 0 })).toThrow(/`options\.threshold`/)
    expect(() => compare(base, base, { alpha: 0.7 })).toThrow(/`options\.alpha`/)
    expect(() => compare(base, base, { statistic: 'p99' as never })).toThrow(/`options\.statistic`/)
    expect(() => compare(base, base, { thresold: 0.2 } as never)).toThrow(/Unknown option `thresold`/)
    expect(() => compare(42 as never, base)).toThrow(/`baseline`/)
  })
})

describe('compare across processes and machine states', () => {
  const steady = [1, 1.01, 0.99, 1, 1.02, 0.98, 1, 1.01, 0.99, 1]
  const scaled = (factor: number): number[] => steady.map((x) => x * factor)
  const run = (median: number, machine = { busy: 0.02, probe: 0.02 }): NonNullable<BaselineRecord['runs']>[number] => ({
    median,
    rounds: 10,
    machine,
    recordedAt: '2026-11-26T00:00:00.000Z',
  })
  /** A record of runs centred at `medians` (ten steady rounds each), each with its reference workload. */
  const runsRecord = (center: number, medians: readonly number[], probes: readonly number[], busy = 0.02): BaselineRecord =>
    record(sample(center, 0.02), { rounds: medians.flatMap((m) => scaled(m)), runs: medians.map((m, i) => run(m, { busy, probe: probes[i]! })) })

  it('calls a slowdown within the allowance of a one-run baseline inconclusive, and says why: also a 2× one, as a process mode can be', () => {
    // This project's CI saw an unchanged sum of square roots +102% [+97%..+106%] off its one-run record.
    for (const factor of [1.2, 1.6, 2.02]) {
      const result = compare(record(sample(1, 0.02), { rounds: steady }), record(sample(factor, 0.02), { rounds: scaled(factor) }))
      expect(result.processAllowance).toBe(1.25)
      expect(result.minimumDetectable).toBe(1.25)
      expect(result.interval.lower).toBeGreaterThan(0.1)
      expect(result.verdict).toBe('inconclusive')
      expect(result.reason).toContain('recorded from one process: changes under 125% cannot be told from process-to-process variation')
    }
  })

  it('still calls a 2.5× slowdown against a one-run baseline regressed', () => {
    const result = compare(record(sample(1, 0.02), { rounds: steady }), record(sample(2.5, 0.02), { rounds: scaled(2.5) }))
    expect(result.verdict).toBe('regressed')
    expect(result.interval.lower).toBeGreaterThan(0)
  })

  it("takes a baseline of three runs or more at its own spread: a 99% prediction bound for one more run", () => {
    const medians = [1, 1.1, 0.91, 1.06, 0.95]
    const base = record(sample(1, 0.02), { rounds: medians.flatMap((m) => scaled(m)), runs: medians.map((m) => run(m)) })
    const result = compare(base, record(sample(1.6, 0.02), { rounds: scaled(1.6) }))
    // s = sd(log medians); t(0.99, 4) = 3.7469 (R: qt(0.99, 4)); √(1 + 1/5) = 1.0954: about +36%,
    // past the runs' range (1.10 / 0.91: +21%) and the least allowance (25%).
    const logs = medians.map(Math.log)
    const mean = logs.reduce((a, b) => a + b) / logs.length
    const sd = Math.sqrt(logs.reduce((a, b) => a + (b - mean) ** 2, 0) / (logs.length - 1))
    expect(Math.expm1(3.7469 * sd * Math.sqrt(1.2))).toBeGreaterThan(leastRunAllowance)
    expect(result.processAllowance).toBeCloseTo(Math.expm1(3.7469 * sd * Math.sqrt(1.2)), 3)
    expect(result.baseline.runs).toBe(5)
    expect(result.verdict).toBe('regressed')
  })

  it('never lets runs that agree claim less than 25%: later processes land further off', () => {
    const medians = [1, 1.02, 0.98, 1.01, 0.99]
    const base = record(sample(1, 0.02), { rounds: medians.flatMap((m) => scaled(m)), runs: medians.map((m) => run(m)) })
    const within = compare(base, record(sample(1.22, 0.02), { rounds: scaled(1.22) }))
    expect(within.processAllowance).toBe(leastRunAllowance)
    expect(within.verdict).toBe('inconclusive')
    expect(within.reason).toContain("within what processes recorded apart differ by, however closely the baseline's 5 runs agree: changes under 25%")
    expect(compare(base, record(sample(1.3, 0.02), { rounds: scaled(1.3) })).verdict).toBe('regressed')
  })

  it('lets a configured allowance below 25% be the least runs claim: the user knows a quieter machine', () => {
    const medians = [1, 1.02, 0.98, 1.01, 0.99]
    const base = record(sample(1, 0.02), { rounds: medians.flatMap((m) => scaled(m)), runs: medians.map((m) => run(m)) })
    const result = compare(base, record(sample(1.2, 0.02), { rounds: scaled(1.2) }), { processAllowance: { benchmark: 0.15 } })
    expect(result.processAllowance).toBe(0.15)
    expect(result.verdict).toBe('regressed')
  })

  it('widens the allowance when the runs disagree', () => {
    const medians = [1, 1.3, 0.9, 1.2]
    const base = record(sample(1, 0.02), { rounds: [...steady, ...scaled(1.3), ...scaled(0.9), ...scaled(1.2)], runs: medians.map((m) => run(m)) })
    const result = compare(base, record(sample(1.5, 0.02), { rounds: scaled(1.5) }))
    expect(result.processAllowance).toBeGreaterThan(0.5)
    expect(result.verdict).toBe('inconclusive')
    expect(result.reason).toContain("within the spread of the baseline's 4 runs")
  })

  it('calls a slowdown inconclusive when the machine was busier, and regressed beyond what that explains', () => {
    const base = record(sample(1, 0.02), { rounds: steady, machine: { busy: 0.03, probe: 0.02 } })
    const busy = { busy: 0.5, probe: 0.021 }
    const slower = compare(base, { ...record(sample(1.8, 0.02), { rounds: scaled(1.8) }), machine: busy })
    expect(slower.machineExplains).toBe(2)
    expect(slower.verdict).toBe('inconclusive')
    expect(slower.reason).toContain('the machine was busier than when the baseline was recorded (other work used 50% of its CPU now, 3.0% at recording)')
    const muchSlower = compare(base, { ...record(sample(3.5, 0.02), { rounds: scaled(3.5) }), machine: busy })
    expect(muchSlower.verdict).toBe('regressed')
  })

  it('calls a slowdown inconclusive when the reference workload ran slower too', () => {
    const base = record(sample(1, 0.02), { rounds: steady, machine: { busy: 0.02, probe: 0.02 } })
    const result = compare(base, { ...record(sample(1.5, 0.02), { rounds: scaled(1.5) }), machine: { busy: 0.02, probe: 0.03 } })
    // max(1.25 × s, min(s², 1.25 × s + 0.5)) − 1: code can slow more than the workload (marked:
    // 2.05× while it took 1.58×), but not without bound.
    expect(result.machineExplains).toBeCloseTo(1.5 ** 2 - 1, 10)
    expect(compare(base, { ...record(sample(2.3, 0.02), { rounds: scaled(2.3) }), machine: { busy: 0.02, probe: 0.03 } }).verdict).toBe('regressed')
    expect(result.verdict).toBe('inconclusive')
    expect(result.reason).toContain("perfgate's reference workload took +50% longer")
  })

  it('tells a 3× slowdown apart while the reference workload takes 1.8×: a slow phase explains at most 1.25 × s + 0.5', () => {
    // CI: under -u a planted 3× slowdown measured with the workload 1.78× slower was inconclusive
    // (s² explained up to +217%); unchanged code was seen at most 2.58× with the workload 1.81×.
    const base = record(sample(1, 0.02), { rounds: steady, machine: { busy: 0.02, probe: 0.02 } })
    const slowPhase = { busy: 0.02, probe: 0.036 }
    const tripled = compare(base, { ...record(sample(3, 0.02), { rounds: scaled(3) }), machine: slowPhase })
    expect(tripled.machineExplains).toBeCloseTo(1.8 * 1.25 + 0.5 - 1, 10)
    expect(tripled.verdict).toBe('regressed')
    const likeUnchanged = compare(base, { ...record(sample(2.6, 0.02), { rounds: scaled(2.6) }), machine: slowPhase })
    expect(likeUnchanged.verdict).toBe('inconclusive')
  })

  it('multiplies a busier machine with a slower one: unchanged csv-parse took 6.8× in parallel files on a loaded machine', () => {
    // bench:quality, session 15: others' share 57% at recording, 77% now (r = 1.87), the
    // workload 3.6 times slower; +576% [+409%..+588%] on unchanged code was past the +400% the
    // slow phase explains alone.
    const base = record(sample(1, 0.02), { rounds: steady, machine: { busy: 0.57, probe: 0.02 } })
    const both = { busy: 0.77, probe: 0.072 }
    const unchanged = compare(base, { ...record(sample(6.8, 0.02), { rounds: scaled(6.8) }), machine: both })
    const r = 0.43 / 0.23
    expect(unchanged.machineExplains).toBeCloseTo(r * (3.6 * 1.25 + 0.5) - 1, 10)
    expect(unchanged.verdict).toBe('inconclusive')
    // Slower only, as before: the slow phase's cap.
    expect(compare(base, { ...record(sample(6.8, 0.02), { rounds: scaled(6.8) }), machine: { busy: 0.57, probe: 0.072 } }).verdict).toBe('regressed')
    // And past both.
    expect(compare(base, { ...record(sample(12, 0.02), { rounds: scaled(12) }), machine: both }).verdict).toBe('regressed')
  })

  it('calls no slowdown regressed while others used 95% of the CPU or more: too little was left to tell', () => {
    // A hold-out suite with two CPU burners: others' share 98% at recording, 99% then; a
    // server process answered 5 times slower, which a "not busier" machine could not explain.
    const latency = (center: number, busy: number): never =>
      ({ kind: 'latency', samples: sample(center, 0.02, 60), rounds: scaled(center), environment: laptop, machine: { busy, probe: 0.0368 } }) as never
    const base = record(sample(1, 0.02), { rounds: steady, machine: { busy: 0.98, probe: 0.0368 } })
    const starved = compare(base, latency(5, 0.99))
    expect(starved.verdict).toBe('inconclusive')
    expect(starved.reason).toContain("other work used 99% of the machine's CPU while this was measured: too little was left to tell")
    expect(machineAsRecorded(base, latency(5, 0.99))).toBe(false)
    // A function too; and below 95% the rule is as before.
    const fn = compare(base, { ...record(sample(5, 0.02), { rounds: scaled(5) }), machine: { busy: 0.96, probe: 0.0368 } })
    expect(fn.verdict).toBe('inconclusive')
    const idle = record(sample(1, 0.02), { rounds: steady, machine: { busy: 0.9, probe: 0.0368 } })
    expect(compare(idle, latency(5, 0.9)).verdict).toBe('regressed')
  })

  it("tells a 1.5× slowdown apart in a slow phase against runs that agree: the machine explains at most 1.15 × (1 + their allowance) × s", () => {
    // Ten-run records of the quality suite: unchanged code in a slow phase took at most
    // 1.04 × (1 + allowance) × s; a planted 1.5× measured with the workload 1.6× slower took 2.4×.
    const medians = [1, 1.02, 0.98, 1.01, 0.99]
    const probe = 0.02
    const base = record(sample(1, 0.02), { rounds: medians.flatMap((m) => scaled(m)), runs: medians.map((m) => run(m, { busy: 0.02, probe })) })
    const slowPhase = { busy: 0.02, probe: probe * 1.6 }
    const slower = compare(base, { ...record(sample(2.4, 0.02), { rounds: scaled(2.4) }), machine: slowPhase })
    expect(slower.processAllowance).toBe(leastRunAllowance)
    expect(slower.machineExplains).toBeCloseTo(1.15 * 1.25 * 1.6 - 1, 10)
    expect(slower.verdict).toBe('regressed')
    // Unchanged code as slow as the worst seen (1.04 × 1.25 × s) stays inconclusive, and says why.
    const likeUnchanged = compare(base, { ...record(sample(2.08, 0.02), { rounds: scaled(2.08) }), machine: slowPhase })
    expect(likeUnchanged.verdict).toBe('inconclusive')
    expect(likeUnchanged.reason).toContain("perfgate's reference workload took +60% longer")
    // The machine's state is said once, in the evidence; the reason says what it means and what to do.
    expect(likeUnchanged.reason.split('the machine ran slower than when the baseline was recorded')).toHaveLength(2)
    expect(likeUnchanged.reason).toContain("slower, but no more than the machine's state could explain (up to +130%)")
    expect(likeUnchanged.reason).toContain('compare base and head on one machine with `perfgate ab`')
    // A one-run record cannot bound how far a process lands, even with a configured 25%: the
    // slow phase explains max(1.25 × s, min(s², 1.25 × s + 0.5)) − 1, as before.
    const oneRun = record(sample(1, 0.02), { rounds: steady, machine: { busy: 0.02, probe } })
    const againstOne = compare(oneRun, { ...record(sample(2.4, 0.02), { rounds: scaled(2.4) }), machine: slowPhase }, { processAllowance: { benchmark: 0.25 } })
    expect(againstOne.machineExplains).toBeCloseTo(1.25 * 1.6 + 0.5 - 1, 10)
    expect(againstOne.verdict).toBe('inconclusive')
  })

  it('does not tighten the slow-phase bound below 25% for a lower configured allowance: it was measured at 25%', () => {
    const medians = [1, 1.01, 0.99, 1, 1.01]
    const probe = 0.02
    const base = record(sample(1, 0.02), { rounds: medians.flatMap((m) => scaled(m)), runs: medians.map((m) => run(m, { busy: 0.02, probe })) })
    // Unchanged code at 1.3 × s (marked was seen at 1.04 × 1.25 × s): a 5% allowance would explain only 1.21 × s.
    const result = compare(base, { ...record(sample(2.08, 0.02), { rounds: scaled(2.08) }), machine: { busy: 0.02, probe: probe * 1.6 } }, { processAllowance: { benchmark: 0.05 } })
    expect(result.processAllowance).toBe(0.05)
    expect(result.machineExplains).toBeCloseTo(1.15 * 1.25 * 1.6 - 1, 10)
    expect(result.verdict).toBe('inconclusive')
  })

  it("never claims less than the range of the baseline's runs, whose processes fall into modes", () => {
    // Four runs in one mode and one 30% slower: the t bound alone would be narrower than the range.
    const medians = [1, 1, 1, 1, 1.3]
    const base = record(sample(1, 0.02), { rounds: steady, runs: medians.map((m) => run(m)) })
    const result = compare(base, record(sample(1.32, 0.02), { rounds: scaled(1.32) }))
    expect(result.processAllowance).toBeGreaterThanOrEqual(0.3)
    expect(result.verdict).toBe('inconclusive')
  })

  it('leaves out a run recorded while the machine was slow, with its rounds, and says so', () => {
    const medians = [1, 1.01, 0.99, 1.7, 1]
    const probes = [0.02, 0.021, 0.02, 0.034, 0.0205]
    const base = runsRecord(1, medians, probes)
    const result = compare(base, record(sample(1.35, 0.02), { rounds: scaled(1.35) }))
    expect(result.baseline.runs).toBe(4)
    expect(result.baseline.samples).toBe(40)
    expect(result.processAllowance).toBe(leastRunAllowance)
    expect(result.verdict).toBe('regressed')
    expect(result.reason).toContain('4 baseline runs (1 more recorded while the machine was slow, left out)')
    // Kept all: the slow run would set the allowance past +70%.
    const noProbes = record(sample(1, 0.02), { rounds: medians.flatMap((m) => scaled(m)), runs: medians.map((m) => run(m, { busy: 0.02, probe: null as never })) })
    expect(compare(noProbes, record(sample(1.35, 0.02), { rounds: scaled(1.35) })).processAllowance).toBeGreaterThan(0.7)
  })

  it('leaves out the slow runs even when most runs were recorded in a slow phase: the fastest runs set the usual speed', () => {
    // marked on the quality suite: six of ten runs with the workload at 34–36 µs, four at 21–22 µs.
    const medians = [1.8, 1.85, 1.82, 1.78, 1, 1.84, 1.03, 0.98, 1.01, 1.8]
    const probes = [0.035, 0.036, 0.034, 0.035, 0.022, 0.036, 0.022, 0.021, 0.022, 0.035]
    const base = runsRecord(1, medians, probes)
    const result = compare(base, { ...record(sample(1.5, 0.02), { rounds: scaled(1.5) }), machine: { busy: 0.02, probe: 0.0215 } })
    expect(result.baseline.runs).toBe(4)
    expect(result.reason).toContain('4 baseline runs (6 more recorded while the machine was slow, left out)')
    expect(result.processAllowance).toBeLessThan(0.5)
    expect(result.verdict).toBe('regressed')
  })

  it("lets the runs left out as slow say how far this code slows in a slow phase: csv-parse at 1.9× while the workload took 1.3×", () => {
    // csv-parse's ten runs in a full run of bench:quality (session 16, µs; the workload's µs):
    // three at 926–1040 (42.6–46.4), seven at 1658–1850 (51.8–60.6). Unchanged code judged with
    // the workload at 60.0 µs took 1.87 and 1.91 ms: +95% and +99% over the +80% the envelope
    // explains at s = 1.34, and both were called `regressed`.
    const medians = [1713, 1850, 1837, 926, 959, 1798, 1723, 1818, 1658, 1040].map((us) => us / 959)
    const probes = [57.6, 59.3, 59.5, 42.6, 46.4, 57.3, 58.7, 60.6, 51.8, 44.7].map((us) => us / 1e6)
    const base = runsRecord(1, medians, probes)
    const now = { busy: 0.03, probe: 60 / 1e6 }
    const unchanged = compare(base, { ...record(sample(1.95, 0.02), { rounds: scaled(1.95) }), machine: now })
    expect(unchanged.baseline.runs).toBe(3)
    expect(unchanged.verdict).toBe('inconclusive')
    // The most any left-out run took, scaled to the workload now, with the slow-phase margin: 1658 µs at 51.8 µs.
    expect(unchanged.machineExplains).toBeCloseTo((1658 / 959) * (60 / 44.7 / (51.8 / 44.7)) * 1.15 - 1, 2)
    expect(unchanged.reason).toContain("one of the baseline's runs left out as recorded in a slow phase took 1.73× as long as the kept runs, with the workload +16%")
    // A 1.5× slowdown in the same phase is past it.
    const slower = compare(base, { ...record(sample(1.95 * 1.5, 0.02), { rounds: scaled(1.95 * 1.5) }), machine: now })
    expect(slower.verdict).toBe('regressed')
    // Without left-out runs there is no such evidence: 0.
    expect(slowRunsExplain([], 1.34)).toBe(0)
    expect(slowRunsExplain([{ f: 2, s: 1.3 }, { f: 0.9, s: 1.2 }], 1.3)).toBeCloseTo(2 * 1.15 - 1, 10)
    // A workload now less slow than the run's scales only the run's excess: no more than it showed.
    expect(slowRunsExplain([{ f: 2, s: 1.4 }], 1.2)).toBeCloseTo((1 + (1 * 0.2) / 0.4) * 1.15 - 1, 10)
    // A record that cannot give a ratio gives nothing, never NaN.
    expect(slowRunsExplain([{ f: Number.NaN, s: 1.3 }], 1.3)).toBe(0)
  })

  it('says nothing of the left-out runs where they explain less than the slow phase does anyway', () => {
    // Left-out runs no slower than the kept ones, the workload +50% now: the envelope decides.
    const medians = [1, 1.01, 0.99, 1.05, 0.9]
    const probes = [0.02, 0.0202, 0.0198, 0.026, 0.026]
    const base = runsRecord(1, medians, probes)
    const result = compare(base, { ...record(sample(2.4, 0.02), { rounds: scaled(2.4) }), machine: { busy: 0.02, probe: 0.03 } })
    expect(result.baseline.runs).toBe(3)
    expect(result.reason).toContain("perfgate's reference workload took +50% longer)")
    expect(result.reason).not.toContain('left out as recorded in a slow phase took')
    expect(result.verdict).toBe('regressed')
  })

  it("takes runs recorded across the machine's phases at its speed: a 1.5× slowdown is caught, unchanged code is not called regressed", () => {
    // A JSON round trip's ten runs in a full run of bench:quality: one recorded with the
    // reference workload at 34 µs, the others at 52–63 µs, 1.42–1.79 times as long.
    const medians = [1.75, 1.79, 1, 1.77, 1.77, 1.73, 1.67, 1.65, 1.42, 1.69]
    const probes = [0.058, 0.06, 0.034, 0.058, 0.063, 0.058, 0.056, 0.052, 0.056, 0.052]
    const base = runsRecord(1.7, medians, probes)
    const usual = 0.056 // the median workload of the eight runs kept (two are 15% over the second fastest)
    const at = (center: number, probe: number) => compare(base, { ...record(sample(center, 0.02), { rounds: scaled(center) }), machine: { busy: 0.02, probe } })
    // The runs' own spread (the 1.00 run among them) allows +79%: a 1.5× slowdown was inconclusive.
    expect(processAllowanceOf({ stored: true, runMedians: medians.filter((_, i) => probes[i]! <= 0.0598) }, 0.9)).toBeGreaterThan(0.7)
    const slower = at(1.7 * 1.5, usual)
    expect(slower.processAllowance).toBeLessThan(0.4)
    expect(slower.verdict).toBe('regressed')
    // Unchanged code, with the workload as at recording and 8% slower (no slow phase yet, so
    // nothing is explained): the allowance grows with the workload.
    expect(at(1.7, usual).verdict).not.toBe('regressed')
    const slowerMachine = at(1.7 * 1.08 * 1.2, usual * 1.08)
    expect(slowerMachine.processAllowance).toBeCloseTo((1 + (at(1.7, usual).processAllowance)) * 1.08 - 1, 6)
    expect(slowerMachine.verdict).toBe('inconclusive')
    expect(slowerMachine.reason).toContain("within the spread of the baseline's 8 runs taken at the machine's speed")
    // A workload not read now: the runs' own allowance.
    expect(compare(base, { ...record(sample(1.7 * 1.5, 0.02), { rounds: scaled(1.7 * 1.5) }), machine: { busy: 0.02, probe: null } }).verdict).toBe('inconclusive')
    // What a record says it can catch is the same figure, at the record's speed; an endpoint's keeps its floor.
    const atUsual = at(1.7, usual).processAllowance
    expect(recordAllowance(base, { benchmark: 0.9, latency: 2 }, 'benchmark')).toBeCloseTo(atUsual, 10)
    expect(recordAllowance(base, { benchmark: 0.9, latency: 2 }, 'latency')).toBeGreaterThanOrEqual(2)
  })

  it("bounds what a slow phase explains by the runs' allowance at the machine's speed, while that is the smaller", () => {
    // One run recorded three times as fast as the others (its workload too): their own spread
    // allows over 200%, at the machine's speed 25%. At s = 1.8 that bounds the explanation at
    // 1.25 × 1.8 × 1.15 − 1 = +159%, below the envelope's 1.25 × s + 0.5 − 1 = +175%.
    const medians = [1, 3, 3.05, 2.95, 3.1, 3]
    const probes = [0.02, 0.06, 0.061, 0.059, 0.062, 0.06]
    const base = runsRecord(3, medians, probes)
    const at = (center: number, probe: number) => compare(base, { ...record(sample(center, 0.02), { rounds: scaled(center) }), machine: { busy: 0.02, probe } })
    expect(processAllowanceOf({ stored: true, runMedians: medians }, 0.9)).toBeGreaterThan(2)
    const slowPhase = at(3 * 2.7, 0.06 * 1.8)
    expect(slowPhase.machineExplains).toBeCloseTo(1.25 * 1.8 * 1.15 - 1, 10)
    expect(slowPhase.verdict).toBe('regressed')
    // Unchanged code in that phase, slowed 1.25 × s, stays within it.
    expect(at(3 * 1.8 * 1.25, 0.06 * 1.8).verdict).toBe('inconclusive')
  })

  it("keeps the runs' own allowance for code that does not slow with the reference workload", () => {
    // A loop of square roots: its runs agree while the workload varies by 16%.
    const medians = [1.03, 1.03, 1.02, 1.04, 1, 1.02, 1.04, 1.03, 1.05, 1.02]
    const probes = [0.059, 0.056, 0.057, 0.062, 0.06, 0.06, 0.055, 0.064, 0.058, 0.059]
    const side = { stored: true, runMedians: medians, runProbes: probes }
    expect(speedAdjustedAllowance(side, 0.9)).toBeNull()
    const base = runsRecord(1, medians, probes)
    expect(compare(base, { ...record(sample(1.2, 0.02), { rounds: scaled(1.2) }), machine: { busy: 0.02, probe: 0.059 } }).processAllowance).toBe(leastRunAllowance)
  })

  it('takes no fewer than five runs at the machine\'s speed: three can line up with the workload by chance', () => {
    // A hold-out suite's zod validation: ten runs recorded under load, three kept.
    const medians = [4.75, 3.41, 4.83, 4.24, 4.69, 5.03, 3.05, 4.37, 4.53, 2.28]
    const probes = [0.059, 0.055, 0.062, 0.062, 0.063, 0.063, 0.05, 0.058, 0.059, 0.04]
    const base = runsRecord(2.9, medians, probes, 0.5)
    const kept = [3.41, 3.05, 2.28]
    expect(speedAdjustedAllowance({ stored: true, runMedians: kept, runProbes: [0.055, 0.05, 0.04] }, 0.9)).toBeNull()
    const result = compare(base, { ...record(sample(4.4, 0.02), { rounds: scaled(4.4) }), machine: { busy: 0.27, probe: 0.053 } })
    expect(result.baseline.runs).toBe(3)
    expect(result.processAllowance).toBeGreaterThan(2)
    expect(result.verdict).toBe('inconclusive')
  })

  it('keeps the latency allowance as the floor of an endpoint recorded from several runs', () => {
    const medians = [1, 1.01, 0.99, 1.02, 1]
    const base = record(sample(1, 0.02), { rounds: medians.flatMap((m) => scaled(m)), runs: medians.map((m) => run(m)) })
    const current = { kind: 'latency', samples: sample(1.5, 0.02, 60), rounds: scaled(1.5), environment: laptop, machine: { busy: 0.02, probe: 0.02 } } as never
    const result = compare(base, current)
    expect(result.processAllowance).toBe(2)
    expect(result.verdict).toBe('inconclusive')
    expect(result.reason).toContain("within the latency allowance (an endpoint answers at its server process's speed, and fresh server processes of unchanged code land that far apart): changes under 200%")
  })

  it('gives an endpoint latency its own, larger allowance: its server is another process', () => {
    const latency = (center: number, rounds: number[], probe = 0.02): never =>
      ({ kind: 'latency', samples: sample(center, 0.02, 60), rounds, environment: laptop, machine: { busy: 0.02, probe } }) as never
    const base = record(sample(1, 0.02), { rounds: steady, machine: { busy: 0.02, probe: 0.02 } })
    // A fresh server process of unchanged code answered up to +141% slower in the quality suite.
    const result = compare(base, latency(2.4, scaled(2.4)))
    expect(result.processAllowance).toBe(2)
    expect(result.verdict).toBe('inconclusive')
    expect(compare(base, latency(3.5, scaled(3.5))).verdict).toBe('regressed')
    expect(compare(base, latency(1.8, scaled(1.8)), { processAllowance: { latency: 0.5 } }).verdict).toBe('regressed')
    // A slower machine explains up to max(+200%, s³ − 1) of a latency: here s = 1.35, so +200%.
    expect(compare(base, latency(2.5, scaled(2.5), 0.027), { processAllowance: { latency: 0.5 } }).verdict).toBe('inconclusive')
  })

  it('counts a machine busier by the CPU time left: from 70% to 82% taken by others leaves 1.67 times less', () => {
    const latency = (center: number, busy: number, probe = 0.02): never =>
      ({ kind: 'latency', samples: sample(center, 0.02, 60), rounds: scaled(center), environment: laptop, machine: { busy, probe } }) as never
    // Recorded with a test server on the same pinned CPU: its work is others' 70%.
    const base = record(sample(1, 0.02), { rounds: steady, machine: { busy: 0.7, probe: 0.02 } })
    const busier = compare(base, latency(2.8, 0.82))
    expect(busier.verdict).toBe('inconclusive')
    expect(busier.reason).toContain('the machine was busier than when the baseline was recorded (other work used 82% of its CPU now, 70% at recording)')
    // 1.67 times less CPU time left: a request needs CPU time on the client and the server, and waits for the scheduler between: up to 1.67³ − 1.
    expect(busier.machineExplains).toBeCloseTo((0.3 / 0.18) ** 3 - 1, 10)
    expect(compare(base, latency(4, 0.82)).verdict).toBe('inconclusive')
    expect(compare(base, latency(5, 0.82)).verdict).toBe('regressed')
    // 88%: 2.5 times less.
    const muchBusier = compare(base, latency(12, 0.88))
    expect(muchBusier.machineExplains).toBeCloseTo(2.5 ** 3 - 1, 10)
    expect(muchBusier.verdict).toBe('inconclusive')
    expect(compare(base, latency(17, 0.88)).verdict).toBe('regressed')
    // A function gets r − 1 at most from the CPU left, never less than +200%.
    const fn = compare(base, { ...record(sample(4, 0.02), { rounds: scaled(4) }), machine: { busy: 0.88, probe: 0.02 } })
    expect(fn.machineExplains).toBe(2)
    expect(fn.verdict).toBe('regressed')
    const fnBusier = compare(base, { ...record(sample(3.5, 0.02), { rounds: scaled(3.5) }), machine: { busy: 0.92, probe: 0.02 } })
    expect(fnBusier.machineExplains).toBeCloseTo(0.3 / 0.08 - 1, 10)
    expect(fnBusier.verdict).toBe('inconclusive')
    // Others' share is counted up to 95%: all of the CPU taken leaves 6 times less than 30%, not none.
    const allTaken = compare(base, { ...record(sample(3.5, 0.02), { rounds: scaled(3.5) }), machine: { busy: 1, probe: 0.02 } })
    expect(allTaken.machineExplains).toBeCloseTo(0.3 / 0.05 - 1, 10)
    // A few points more on an idle machine are not busier.
    const idle = record(sample(1, 0.02), { rounds: steady, machine: { busy: 0.03, probe: 0.02 } })
    expect(compare(idle, latency(2.8, 0.15)).machineExplains).toBeNull()
  })

  it("judges busier from an idle machine when the baseline's share is unknown: the most it can have explained", () => {
    const latency = (center: number, busy: number): never =>
      ({ kind: 'latency', samples: sample(center, 0.02, 60), rounds: scaled(center), environment: laptop, machine: { busy, probe: 0.02 } }) as never
    const unknown = record(sample(1, 0.02), { rounds: steady, machine: { busy: null, probe: 0.02 } })
    const busy = compare(unknown, latency(2.8, 0.7))
    // 1 / (1 − 0.7) times less CPU time than on an idle machine, cubed for a latency.
    expect(busy.machineExplains).toBeCloseTo((1 / 0.3) ** 3 - 1, 10)
    expect(busy.verdict).toBe('inconclusive')
    expect(busy.reason).toContain('other work used 70% of its CPU now, unknown at recording')
    // The latency allowance set low, so that only the machine decides. A hold-out suite's endpoint,
    // recorded at an unknown share, took 8.5× with others at 93% of the CPU: it explained only +200%.
    const tight = { processAllowance: { latency: 0.5 } }
    const holdOut = compare(unknown, latency(8.5, 0.93), tight)
    expect(holdOut.verdict).toBe('inconclusive')
    expect(holdOut.reason).toContain('so it is taken as idle: record the baseline again')
    expect(compare(unknown, latency(4, 0.7), tight).verdict).toBe('inconclusive')
    // Others' share at 10% now: not busier than an idle machine by the rule (r < 1.18), so decided.
    expect(compare(unknown, latency(2.8, 0.1), tight).verdict).toBe('regressed')
  })

  it('needs the whole interval beyond what the machine explains: a disturbed measurement past it at its median is inconclusive', () => {
    // A hold-out suite, files in parallel: +247% [+89%..+364%] with +202% explained, rounds 4.4–59 ms
    // (others' share 78% at recording, 88% then: busier too, which now multiplies the
    // explanation; here the share is 80%, not busier, so that the slow phase alone explains).
    const base = record(sample(1, 0.02), { rounds: steady, machine: { busy: 0.78, probe: 0.02 } })
    const disturbed = [1.2, 1.5, 2.2, 2.9, 3.3, 3.6, 3.9, 5.5, 8, 12.5]
    const result = compare(base, { ...record(sample(3.47, 0.5), { rounds: disturbed }), machine: { busy: 0.8, probe: 0.02 * 2.02 } })
    expect(result.machineExplains).toBeCloseTo(1.25 * 2.02 + 0.5 - 1, 10)
    expect(result.change).toBeGreaterThan(result.machineExplains as number)
    expect(result.interval.lower).toBeLessThan(result.machineExplains as number)
    expect(result.verdict).toBe('inconclusive')
    expect(result.reason).toContain("slower, but its 95% interval reaches down into what the machine's state could explain (up to +203%)")
    // The same slowdown measured steadily is decided.
    const steadySlow = compare(base, { ...record(sample(3.47, 0.02), { rounds: scaled(3.47) }), machine: { busy: 0.8, probe: 0.02 * 2.02 } })
    expect(steadySlow.verdict).toBe('regressed')
  })

  it("takes a latency to slow up to the cube of the CPU time lost times the reference workload's slowdown", () => {
    const latency = (center: number, busy: number, probe: number): never =>
      ({ kind: 'latency', samples: sample(center, 0.02, 60), rounds: scaled(center), environment: laptop, machine: { busy, probe } }) as never
    const base = record(sample(1, 0.02), { rounds: steady, machine: { busy: 0.02, probe: 0.02 } })
    const twice = compare(base, latency(5, 0.02, 0.04))
    expect(twice.machineExplains).toBeCloseTo(2 ** 3 - 1, 10)
    expect(twice.verdict).toBe('inconclusive')
    expect(compare(base, latency(9, 0.02, 0.04)).verdict).toBe('regressed')
    // Both: others' share from 2% to 51% leaves 2 times less CPU time, on a machine twice as slow.
    const both = compare(base, latency(20, 0.51, 0.04))
    expect(both.machineExplains).toBeCloseTo(4 ** 3 - 1, 10)
    expect(both.verdict).toBe('inconclusive')
    // A function: the CPU time lost times what the slow phase explains (not cubed).
    const fn = compare(base, { ...record(sample(9.5, 0.02), { rounds: scaled(9.5) }), machine: { busy: 0.51, probe: 0.06 } })
    expect(fn.machineExplains).toBeCloseTo(2 * (3 * 1.25 + 0.5) - 1, 10)
    expect(fn.verdict).toBe('regressed')
  })

  it('does not call it unchanged when the machine ran faster than at recording: a slowdown could hide', () => {
    const base = record(sample(1, 0.02), { rounds: steady, machine: { busy: 0.02, probe: 0.03 } })
    const result = compare(base, { ...record(sample(1, 0.02), { rounds: steady }), machine: { busy: 0.02, probe: 0.02 } })
    expect(result.verdict).toBe('inconclusive')
    expect(result.reason).toContain("the machine ran faster than when the baseline was recorded (perfgate's reference workload took 33% less time)")
    // A stored baseline says how to record it again; two fresh results have nothing to record.
    expect(result.reason).toContain('record it again, for example ten runs with `PERFGATE_RECORD=add`')
    const fresh = (probe: number) => ({ kind: 'benchmark', samples: sample(1, 0.02, 50), rounds: steady, environment: laptop, machine: { busy: 0.02, probe } }) as never
    const sideBySide = compare(fresh(0.03), fresh(0.02))
    expect(sideBySide.verdict).toBe('inconclusive')
    expect(sideBySide.reason).toContain('the machine ran faster')
    expect(sideBySide.reason).not.toContain('PERFGATE_RECORD')
    const sameSpeed = compare(base, { ...record(sample(1, 0.02), { rounds: steady }), machine: { busy: 0.02, probe: 0.029 } })
    expect(sameSpeed.verdict).toBe('unchanged')
  })

  it('says the smallest detectable slowdown, and how far the machine raised it in this run when it did', () => {
    expect(describeDetectable({ minimumDetectable: 0.25, machineExplains: null })).toBe('25%')
    expect(describeDetectable({ minimumDetectable: 0.25, machineExplains: 1.25 })).toBe('25% (125% with the machine as in this run)')
    // A one-run record's 125% is more than a slightly slower machine explains: nothing raised.
    expect(describeDetectable({ minimumDetectable: 1.25, machineExplains: 0.375 })).toBe('125%')
    // Raised by less than what is shown: never `25% (25% …)`.
    expect(describeDetectable({ minimumDetectable: 0.25, machineExplains: 0.2501 })).toBe('25%')
  })

  it('applies no allowance between two fresh results, measured side by side', () => {
    const base = { kind: 'benchmark', samples: sample(1, 0.02, 50), rounds: steady, environment: laptop, machine: { busy: null, probe: null } } as never
    const current = { kind: 'benchmark', samples: sample(1.2, 0.02, 50), rounds: scaled(1.2), environment: laptop, machine: { busy: null, probe: null } } as never
    const result = compare(base, current)
    expect(result.processAllowance).toBe(0)
    expect(result.verdict).toBe('regressed')
  })
})

describe('formatChange', () => {
  it('signs the change and keeps one decimal below 10%', () => {
    expect(formatChange(0.523)).toBe('+52%')
    expect(formatChange(-0.031)).toBe('-3.1%')
    expect(formatChange(0)).toBe('+0.0%')
  })
})
