import { describe, expect, it } from 'vitest'
import { pairedRatio, signedRankTest } from '../../src/stats/index.js'

describe('signedRankTest', () => {
  it("matches R's exact wilcox.test on its paired depression example", () => {
    // R: x <- c(1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30); y <- c(0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29)
    // wilcox.test(x, y, paired = TRUE, alternative = "greater"): V = 40, p-value = 0.01953
    const x = [1.83, 0.5, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.3]
    const y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29]
    const result = signedRankTest(x.map((v, i) => v - (y[i] as number)), 'greater')
    expect(result.wPlus).toBe(40)
    expect(result.pValue).toBeCloseTo(0.01953, 5)
    // alternative = "less": P(V ≤ 40) = 1 - P(V ≥ 41) = 505/512 = 0.9863
    expect(signedRankTest(x.map((v, i) => v - (y[i] as number)), 'less').pValue).toBeCloseTo(0.9863, 4)
  })

  it('needs five pairs of one sign to reach p < 0.05, and counts tied ranks exactly', () => {
    expect(signedRankTest([0.1, 0.2, 0.3, 0.4], 'greater').pValue).toBe(1 / 16)
    expect(signedRankTest([0.1, 0.2, 0.3, 0.4, 0.5], 'greater').pValue).toBe(1 / 32)
    // |d| all tied: W+ counts positives, each of mid-rank 2; P(at least 2 of 3 positive) = 4/8.
    expect(signedRankTest([1, 1, -1], 'greater')).toEqual({ wPlus: 4, pValue: 0.5, n: 3 })
    expect(signedRankTest([0, 0], 'greater')).toEqual({ wPlus: 0, pValue: 1, n: 0 })
  })
})

describe('pairedRatio', () => {
  it('is the Hodges–Lehmann estimate of the log ratio, with the interval the signed-rank test gives', () => {
    const logs = [0.13, -0.04, 0.21, 0.08, 0.1, 0.16, 0.05, 0.12, -0.01, 0.09]
    const result = pairedRatio(logs.map(() => 1), logs.map(Math.exp), 0.95)
    // Walsh averages' median, by brute force.
    const walsh = logs.flatMap((a, i) => logs.slice(i).map((b) => (a + b) / 2)).sort((a, b) => a - b)
    expect(Math.log1p(result.change)).toBeCloseTo(((walsh[27] as number) + (walsh[27] as number)) / 2, 10)
    // The interval is the set of shifts the two-sided test does not reject: just inside, both one-sided p ≥ 0.025; just outside, one is below.
    const lower = Math.log1p(result.interval?.lower ?? Number.NaN)
    const upper = Math.log1p(result.interval?.upper ?? Number.NaN)
    const p = (shift: number, side: 'greater' | 'less'): number => signedRankTest(logs.map((d) => d - shift), side).pValue
    expect(p(lower + 1e-9, 'greater')).toBeGreaterThanOrEqual(0.025)
    expect(p(lower - 1e-9, 'greater')).toBeLessThan(0.025)
    expect(p(upper - 1e-9, 'less')).toBeGreaterThanOrEqual(0.025)
    expect(p(upper + 1e-9, 'less')).toBeLessThan(0.025)
    expect(result.pValue).toBe(signedRankTest(logs, 'greater').pValue)
  })

  it('does not let one run in a slow mode make a slowdown of unchanged code, nor hide a real one', () => {
    const base = [16.2, 16.3, 16.5, 16.4, 16.3, 16.2, 16.6, 16.4]
    const unchanged = [16.3, 16.2, 16.5, 26.1, 16.3, 16.3, 16.5, 16.4]
    expect(Math.abs(pairedRatio(base, unchanged).change)).toBeLessThan(0.01)
    expect(pairedRatio(base, unchanged).pValue).toBeGreaterThan(0.05)
    const slower = base.map((v, i) => (i === 3 ? 16.1 : v * 1.15))
    // 98%: the two-sided interval whose lower end is the one-sided test at 0.01.
    const result = pairedRatio(base, slower, 0.98)
    expect(result.change).toBeGreaterThan(0.13)
    expect(result.interval?.lower).toBeGreaterThan(0)
  })

  it('has no interval when the pairs are too few for the confidence, and rejects unpaired or non-positive values', () => {
    expect(pairedRatio([1, 1, 1, 1, 1], [2, 2, 2, 2, 2], 0.99).interval).toBeNull()
    expect(pairedRatio([1, 1, 1, 1, 1, 1, 1, 1], [2, 2, 2, 2, 2, 2, 2, 2], 0.99).interval).not.toBeNull()
    expect(() => pairedRatio([1, 2], [1])).toThrow(/`base` and `head`/)
    expect(() => pairedRatio([1, 0], [1, 1])).toThrow(TypeError)
  })
})
