import { describe, expect, it } from 'vitest'
import type { BaselineRecord } from '../../src/baselines/types.js'
import { compareAdaptively } from '../../src/gate/adaptive.js'
import { resolveCompareOptions } from '../../src/gate/compare.js'
import { defaultConfig } from '../../src/config/config.js'
import type { Environment } from '../../src/machine/environment.js'
import type { MachineState } from '../../src/machine/state.js'
import type { BenchmarkResult } from '../../src/measure/benchmark.js'
import { benchmarkResultOf } from './benchmark-result.js'

const laptop: Environment = { id: 'linux-x64-node20-2c-aaaaaa', os: 'linux', arch: 'x64', cpuModel: 'A', cores: 2, nodeMajor: 20 }
const usual: MachineState = { busy: 0.02, probe: 0.02 }
/** A slow phase of a shared machine: perfgate's reference workload 1.65× slower, nothing else busy. */
const slowPhase: MachineState = { busy: 0.02, probe: 0.033 }
const steady = [1, 1.01, 0.99, 1, 1.02, 0.98, 1, 1.01, 0.99, 1]

/** One measurement of 10 rounds around `center` ms, taken in `machine`'s state. */
function measurement(center: number, machine: MachineState): BenchmarkResult {
  const rounds = steady.map((x) => x * center)
  const samples = rounds.flatMap((round) => [round * 0.99, round, round * 1.01]).sort((a, b) => a - b)
  return benchmarkResultOf(samples, rounds, laptop, machine)
}

/** A baseline of ten runs at 1 ms, recorded on the usual machine: its spread is about 4%, its allowance the least, 25%. */
function tenRunBaseline(): BaselineRecord {
  const medians = [1, 1.01, 0.99, 1, 1.02, 0.98, 1, 1.01, 0.99, 1]
  const base = measurement(1, usual)
  return {
    unit: 'ms',
    summary: base.summary,
    sample: [...base.samples],
    sampleCount: base.samples.length,
    rounds: medians.flatMap((m) => steady.map((x) => x * m)),
    noise: 0.02,
    environment: laptop,
    recordedAt: '2026-11-29T00:00:00.000Z',
    perfgateVersion: '0.1.0',
    gitCommit: null,
    machine: usual,
    runs: medians.map((median) => ({ median, rounds: 10, machine: usual, recordedAt: '2026-11-29T00:00:00.000Z' })),
  }
}

const options = resolveCompareOptions({}, 'options', defaultConfig)
/** The defaults, with a deadline far off (as a runner that tells the test's timeout gives). */
const defaultBudget = { time: 1000, maxTime: 3000, endsAt: Number.POSITIVE_INFINITY }

/** compareAdaptively with the measurements after the first taken from `next`, in order. */
async function judge(
  first: BenchmarkResult,
  next: BenchmarkResult[],
  budget: { time: number; maxTime: number; endsAt?: number } = defaultBudget,
): Promise<{ verdict: string; reason: string; rounds: number; extensions: number }> {
  const queue = [...next]
  const result = await compareAdaptively(tenRunBaseline(), first, async () => {
    const piece = queue.shift()
    if (piece === undefined) throw new Error('measured more often than the test planned')
    return piece
  }, options, budget)
  return { verdict: result.comparison.verdict, reason: result.comparison.reason, rounds: result.current.rounds.length, extensions: result.extensions }
}

describe('compareAdaptively', () => {
  it('calls a 1.35× slowdown measured first in a slow phase regressed once two measurements on the usual machine show it', async () => {
    // In the slow phase the function ran 2× slower: the machine could explain up to 1.25 × 1.65.
    const result = await judge(measurement(2, slowPhase), [measurement(1.35, usual), measurement(1.35, usual)])
    expect(result.verdict).toBe('regressed')
    expect(result.extensions).toBe(2)
    expect(result.rounds).toBe(20)
    expect(result.reason).toContain('10 rounds set aside (measured while the machine was busier or slower than at recording)')
  })

  it('keeps unchanged code unchanged when only its first measurement fell in a slow phase', async () => {
    const result = await judge(measurement(1.6, slowPhase), [measurement(1, usual)])
    expect(result.verdict).toBe('unchanged')
    expect(result.rounds).toBe(10)
  })

  it('stays inconclusive while every measurement falls in a slow phase', async () => {
    const result = await judge(measurement(1.6, slowPhase), [measurement(1.62, slowPhase), measurement(1.58, slowPhase)])
    expect(result.verdict).toBe('inconclusive')
    expect(result.reason).toContain('the machine ran slower than when the baseline was recorded')
    // Nothing set aside when no measurement was on the usual machine: all 30 rounds are judged.
    expect(result.rounds).toBe(30)
    expect(result.reason).not.toContain('set aside')
  })

  it('does not let a regression stand when every measurement meant to confirm it was taken in a slow phase', async () => {
    // Two more measurements than maxTime holds: a regression on chosen measurements gets two more `time`s to be confirmed.
    const slow = [2.4, 2.5, 2.45, 2.5].map((center) => measurement(center, slowPhase))
    const result = await judge(measurement(1.5, usual), slow)
    expect(result.verdict).toBe('inconclusive')
    expect(result.reason).toContain('not confirmed')
    expect(result.extensions).toBe(4)
  })

  it('confirms a regression past maxTime when the machine is as at recording again within two more measurements', async () => {
    // As seen on the quality suite: slow phase, the slowdown on the usual machine, slow phase again; maxTime (3 s) ends
    // there, and the fourth measurement, on the usual machine, confirms it.
    const result = await judge(measurement(2.1, slowPhase), [measurement(1.5, usual), measurement(2.4, slowPhase), measurement(1.5, usual)])
    expect(result.verdict).toBe('regressed')
    expect(result.extensions).toBe(3)
    expect(result.rounds).toBe(20)
    expect(result.reason).toContain('20 rounds set aside')
  })

  it('gives no time past maxTime to a regression that rests on every measurement', async () => {
    // maxTime = time: no room for a confirmation; with nothing set aside, the regression stands unconfirmed.
    const regressed = await judge(measurement(1.5, usual), [], { ...defaultBudget, maxTime: 1000 })
    expect(regressed.verdict).toBe('regressed')
    expect(regressed.extensions).toBe(0)
  })

  it('gives no time past maxTime to an inconclusive verdict with rounds set aside', async () => {
    // +20%: past the threshold, within the ten runs' least allowance (25%).
    const result = await judge(measurement(1.6, slowPhase), [measurement(1.2, usual), measurement(1.2, usual)])
    expect(result.verdict).toBe('inconclusive')
    expect(result.reason).toContain('10 rounds set aside')
    expect(result.extensions).toBe(2)
  })

  it('gives no time past maxTime when the test has no known deadline (a runner that does not tell its timeout)', async () => {
    const result = await judge(measurement(1.5, usual), [measurement(2.4, slowPhase), measurement(2.5, slowPhase)], { time: 1000, maxTime: 3000 })
    expect(result.verdict).toBe('inconclusive')
    expect(result.reason).toContain('not confirmed')
    expect(result.extensions).toBe(2)
  })

  it('gives no time past the test deadline to a regression awaiting confirmation', async () => {
    // endsAt already passed: no measurement fits, whatever maxTime allows.
    const result = await judge(measurement(1.5, usual), [], { time: 1000, maxTime: 3000, endsAt: 0 })
    expect(result.extensions).toBe(0)
  })

  it('confirms a regression measured throughout a slow phase as before, when it exceeds what the phase explains', async () => {
    // 1.25 × 1.65 + 0.5 = 2.56× is what the phase can explain; 3× is beyond it in every measurement.
    const result = await judge(measurement(3, slowPhase), [measurement(3, slowPhase)])
    expect(result.verdict).toBe('regressed')
    expect(result.extensions).toBe(1)
  })

  it('does not let a regression stand that only one measurement, after others were set aside, showed', async () => {
    const result = await judge(measurement(2, slowPhase), [measurement(2.1, slowPhase), measurement(1.3, usual), measurement(2, slowPhase), measurement(2.1, slowPhase)])
    expect(result.verdict).toBe('inconclusive')
    expect(result.reason).toContain('+30%')
    expect(result.reason).toContain('not confirmed')
    expect(result.extensions).toBe(4)
  })
})
