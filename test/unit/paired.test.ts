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
  it('is the geometric mean ratio with a t interval of the mean log ratio', () => {
    const base = [10, 10, 10]
    const head = [10 * Math.exp(0.1), 10 * Math.exp(0.2), 10 * Math.exp(0.3)]
    const result = pairedRatio(base, head)
    expect(result.change).toBeCloseTo(Math.expm1(0.2), 10)
    // mean 0.2, sd 0.1, n 3: half-width qt(0.975, 2) · 0.1 / √3 = 4.303 · 0.0577 = 0.248
    const half = 4.302653 * (0.1 / Math.sqrt(3))
    expect(Math.log1p(result.interval?.upper ?? 0) - 0.2).toBeGreaterThan(half * 0.97)
    expect(Math.log1p(result.interval?.upper ?? 0) - 0.2).toBeLessThan(half * 1.03)
    expect(result.pValue).toBe(1 / 8)
  })

  it('does not let one disturbed pair make a slowdown of unchanged code', () => {
    const base = [10, 10.1, 9.9, 10, 10.2, 9.8]
    const head = [10.05, 10, 9.95, 10.1, 13.5, 9.85]
    const result = pairedRatio(base, head)
    expect(result.change).toBeGreaterThan(0.04)
    expect(result.interval?.lower).toBeLessThan(0)
    expect(result.pValue).toBeGreaterThan(0.05)
  })

  it('rejects unpaired or non-positive values with a TypeError naming them', () => {
    expect(() => pairedRatio([1, 2], [1])).toThrow(/`base` and `head`/)
    expect(() => pairedRatio([1, 0], [1, 1])).toThrow(TypeError)
    expect(pairedRatio([1, 1], [2, 2]).interval).toBeNull()
  })
})
