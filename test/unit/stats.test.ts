import { describe, it, expect } from 'vitest'
import {
  bootstrapMedianRatio,
  mannWhitney,
  mannWhitneyGreater,
  mannWhitneyLess,
  normalQuantile,
  percentileLowerBound,
  percentileSorted,
  percentileUpperBound,
  relativeSpread,
  seededRandom,
  summarizeSorted,
  wilsonInterval,
  wilsonLowerBound,
  wilsonTotalNeeded,
} from '../../src/stats/index.js'

// Reference values below come from Debian's python3-scipy 1.10.1, python3-statsmodels 0.13.5 and
// python3-numpy 1.24.2 (run with /usr/bin/python3); each literal names the call that produced it.

const asc = (x: readonly number[]): number[] => [...x].sort((a, b) => a - b)
const range = (n: number, f: (i: number) => number, from = 0): number[] => Array.from({ length: n }, (_, k) => f(k + from))

/** |actual - expected| <= rel * |expected|. */
function expectRelClose(actual: number, expected: number, rel: number): void {
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(rel * Math.abs(expected))
}

const A = [3, 6, 7, 8, 8, 9, 10, 13, 15, 16, 20]
const B = [1, 2, 2, 2, 5, 100]
// D = sorted(((i * 7919) % 1000) / 10 for i in range(1, 21))
const D = asc(range(20, (i) => ((i * 7919) % 1000) / 10, 1))
const P = [0, 1, 25, 50, 75, 90, 95, 99, 100]

describe('percentileSorted', () => {
  it('matches numpy linear interpolation (R type 7) on samples with ties, odd/even n and n = 1', () => {
    // np.percentile(x, [0, 1, 25, 50, 75, 90, 95, 99, 100], method='linear')
    const cases: [readonly number[], number[]][] = [
      [A, [3.0, 3.3, 7.5, 9.0, 14.0, 16.0, 18.0, 19.6, 20.0]],
      [B, [1.0, 1.05, 2.0, 2.0, 4.25, 52.5, 76.25, 95.25000000000001, 100.0]],
      [[42], [42, 42, 42, 42, 42, 42, 42, 42, 42]],
      [D, [2.8, 4.339, 37.3, 56.85, 76.4, 87.13000000000001, 92.04, 94.168, 94.7]],
    ]
    for (const [x, expected] of cases) {
      P.forEach((p, k) => expect(percentileSorted(x, p), `p${p} of [${x.join(',')}]`).toBeCloseTo(expected[k]!, 10))
    }
  })

  it('interpolates (type 7), unlike the averaged inverted CDF (type 2)', () => {
    // np.percentile([1, 2, 3, 4], 25, method='linear') == 1.75; method='averaged_inverted_cdf' gives 1.5
    expect(percentileSorted([1, 2, 3, 4], 25)).toBeCloseTo(1.75, 12)
  })

  it('rejects an out-of-range p, an empty, unsorted or non-finite sample', () => {
    expect(() => percentileSorted([1, 2], 120)).toThrow(new TypeError('Expected `p` to be a number from 0 to 100, got 120'))
    expect(() => percentileSorted([1, 2], -1)).toThrow(TypeError)
    expect(() => percentileSorted([1, 2], Number.NaN)).toThrow(TypeError)
    expect(() => percentileSorted([], 50)).toThrow(new TypeError('Expected `sorted` to be a non-empty array of numbers, got an empty array'))
    expect(() => percentileSorted([1, 3, 2], 50)).toThrow(/`sorted` to be sorted in ascending order/)
    expect(() => percentileSorted([1, Number.NaN], 50)).toThrow(/`sorted` to contain only finite numbers, got NaN at index 1/)
  })
})

describe('summarizeSorted', () => {
  it('matches numpy/scipy for mean, median, sample sd, unscaled MAD and percentiles', () => {
    // np.mean, np.median, np.std(x, ddof=1), scipy.stats.median_abs_deviation(x, scale=1.0), np.percentile(x, p)
    const refs = [
      { x: A, mean: 10.454545454545455, median: 9, sd: 5.007267445696033, mad: 3, p75: 14, p90: 16, p95: 18, p99: 19.6 },
      { x: D, mean: 54.95, median: 56.85, sd: 27.01914525898841, mad: 20.25, p75: 76.4, p90: 87.13000000000001, p95: 92.04, p99: 94.168 },
    ]
    for (const { x, ...ref } of refs) {
      const s = summarizeSorted(x)
      expect(s.count).toBe(x.length)
      expect(s.min).toBe(x[0])
      expect(s.max).toBe(x[x.length - 1])
      expect(s.p50).toBeCloseTo(ref.median, 12)
      for (const key of ['mean', 'median', 'sd', 'mad', 'p75', 'p90', 'p95', 'p99'] as const) {
        expect(s[key], key).toBeCloseTo(ref[key], 10)
      }
    }
  })

  it('reports sd = 0 and mad = 0 for a single observation', () => {
    expect(summarizeSorted([7])).toEqual({ count: 1, mean: 7, median: 7, sd: 0, mad: 0, min: 7, max: 7, p50: 7, p75: 7, p90: 7, p95: 7, p99: 7 })
  })

  it('rejects an empty sample', () => {
    expect(() => summarizeSorted([])).toThrow(TypeError)
  })
})

describe('percentile bounds', () => {
  // Independent scipy search, for sizes n, p, confidence c, q = p/100:
  //   upper: smallest k with scipy.stats.binom.cdf(k-1, n, q) >= c (else rank n, not attained); coverage binom.cdf(k-1, n, q)
  //   lower: largest k with scipy.stats.binom.sf(k-1, n, q) >= c (else rank 1, not attained); coverage binom.sf(k-1, n, q)
  const cases: { n: number; p: number; c: number; upper: [number, boolean, number]; lower: [number, boolean, number] }[] = [
    { n: 59, p: 95, c: 0.95, upper: [59, true, 0.9515054747505769], lower: [53, true, 0.9726281425903597] },
    { n: 58, p: 95, c: 0.95, upper: [58, false, 0.9489531313163967], lower: [52, true, 0.974824020572481] },
    { n: 100, p: 50, c: 0.95, upper: [59, true, 0.9556869599429662], lower: [42, true, 0.9556869599429662] },
    { n: 20, p: 50, c: 0.9, upper: [14, true, 0.9423408508300781], lower: [7, true, 0.9423408508300781] },
    { n: 200, p: 90, c: 0.99, upper: [190, true, 0.9919287500448973], lower: [170, true, 0.9904916880530268] },
    { n: 1000, p: 99, c: 0.95, upper: [996, true, 0.9713136000009954], lower: [985, true, 0.9521294142420524] },
    { n: 10, p: 5, c: 0.95, upper: [3, true, 0.9884964426207031], lower: [1, false, 0.4012630607616211] },
    { n: 10, p: 0, c: 0.95, upper: [1, true, 1], lower: [1, false, 0] },
    { n: 10, p: 100, c: 0.95, upper: [10, false, 0], lower: [10, true, 1] },
    // bisection via binom.ppf(c, n, q) + 1 and neighbours of binom.isf(c, n, q), same definitions
    { n: 100_000, p: 99, c: 0.95, upper: [99052, true, 0.9500928081041572], lower: [98948, true, 0.9514986363011441] },
    { n: 100_000, p: 99, c: 0.99999, upper: [99132, true, 0.9999902296770862], lower: [98863, true, 0.9999907085980609] },
    { n: 2000, p: 99.9, c: 0.99999, upper: [2000, false, 0.8648000746025005], lower: [1990, true, 0.9999918434973029] },
    { n: 100, p: 50, c: 0.3, upper: [48, true, 0.30864970679462606], lower: [53, true, 0.30864970679462606] },
    { n: 1000, p: 10, c: 0.00005, upper: [66, true, 6.106646353807564e-5], lower: [139, true, 5.401348304506566e-5] },
    { n: 1000, p: 90, c: 0.00005, upper: [862, true, 5.401348304506513e-5], lower: [935, true, 6.106646353807643e-5] },
    { n: 50, p: 99, c: 0.3, upper: [50, true, 0.39499393286246365], lower: [50, true, 0.6050060671375364] },
  ]

  for (const { n, p, c, upper, lower } of cases) {
    it(`picks the scipy order statistics for p${p} of n = ${n} at ${c * 100}% confidence`, () => {
      // sorted[k-1] = 10k, so the value identifies the rank.
      const sorted = range(n, (i) => 10 * i, 1)
      const up = percentileUpperBound(sorted, p, c)
      expect([up.rank, up.attained]).toEqual([upper[0], upper[1]])
      expect(up.value).toBe(10 * up.rank)
      expect(up.confidence).toBeCloseTo(upper[2], 9)
      const lo = percentileLowerBound(sorted, p, c)
      expect([lo.rank, lo.attained]).toEqual([lower[0], lower[1]])
      expect(lo.value).toBe(10 * lo.rank)
      expect(lo.confidence).toBeCloseTo(lower[2], 9)
    })
  }

  it('makes the maximum of 59 observations a 95% upper bound for p95, but not the maximum of 58', () => {
    // 1 - 0.95**59 = 0.9515 >= 0.95 > 1 - 0.95**58 = 0.9490 (the classic "59 samples" rule)
    const x59 = asc(range(59, (i) => ((i * 7919) % 1000) / 10))
    expect(percentileUpperBound(x59, 95, 0.95)).toEqual({ value: x59[58], rank: 59, attained: true, confidence: expect.closeTo(1 - 0.95 ** 59, 12) })
    const x58 = x59.slice(0, 58)
    expect(percentileUpperBound(x58, 95, 0.95)).toMatchObject({ value: x58[57], rank: 58, attained: false })
    expect(percentileUpperBound(x58, 95, 0.95).confidence).toBeLessThan(0.95)
  })

  it('stays exact for n = 2 000 000 at p99 and within one rank of scipy at p50 (normal approximation)', () => {
    // n = 2e6, p99, c = 0.95: upper binom.ppf(0.95, n, 0.99) + 1 = 1980232, coverage binom.cdf(1980231, n, 0.99) = 0.9502407970557953
    //                          lower: largest k with binom.sf(k-1, n, 0.99) >= 0.95 = 1979768, coverage 0.9505602580635855
    const big = range(2_000_000, (i) => i, 1)
    const up = percentileUpperBound(big, 99, 0.95)
    const lo = percentileLowerBound(big, 99, 0.95)
    expect([up.rank, lo.rank]).toEqual([1980232, 1979768])
    // simple-statistics' log-gamma PMF loses a few digits at this n (log n! ≈ 2.7e7)
    expect(up.confidence).toBeCloseTo(0.9502407970557953, 7)
    expect(lo.confidence).toBeCloseTo(0.9505602580635855, 7)
    // n = 2e6, p50, c = 0.95 (table too long for simple-statistics): upper 1001164, lower 998837,
    // both with coverage 0.9500601991929514 (same scipy search)
    const hu = percentileUpperBound(big, 50, 0.95)
    const hl = percentileLowerBound(big, 50, 0.95)
    expect(Math.abs(hu.rank - 1001164)).toBeLessThanOrEqual(1)
    expect(Math.abs(hl.rank - 998837)).toBeLessThanOrEqual(1)
    expect(hu.confidence).toBeCloseTo(0.9500601991929514, 6)
    expect(hl.confidence).toBeCloseTo(0.9500601991929514, 6)
  })

  it('rejects bad confidence, bad p and empty samples', () => {
    expect(() => percentileUpperBound([1, 2, 3], 95, 1)).toThrow(new TypeError('Expected `confidence` to be a number between 0 and 1 (exclusive), got 1'))
    expect(() => percentileLowerBound([1, 2, 3], 95, 0)).toThrow(TypeError)
    expect(() => percentileUpperBound([1, 2, 3], 101, 0.95)).toThrow(/`p`/)
    expect(() => percentileLowerBound([], 50, 0.95)).toThrow(/`sorted`/)
  })
})

describe('normalQuantile', () => {
  it('matches scipy.stats.norm.ppf across the whole range', () => {
    // scipy.stats.norm.ppf(p)
    const cases: [number, number][] = [
      [1e-300, -37.0470962993612], [1e-12, -7.034483825301131], [0.001, -3.090232306167813], [0.025, -1.9599639845400545],
      [0.3, -0.5244005127080409], [0.5, 0], [0.9, 1.2815515655446004], [0.975, 1.959963984540054], [0.999999, 4.753424308817087],
    ]
    for (const [p, z] of cases) expect(normalQuantile(p), `p = ${p}`).toBeCloseTo(z, 13)
  })

  it('rejects p outside (0, 1)', () => {
    expect(() => normalQuantile(1)).toThrow(new TypeError('Expected `p` to be a number between 0 and 1 (exclusive), got 1'))
    expect(() => normalQuantile(0)).toThrow(TypeError)
  })
})

describe('Wilson score interval', () => {
  it('matches statsmodels proportion_confint(method="wilson")', () => {
    // statsmodels.stats.proportion.proportion_confint(s, n, alpha=1 - c, method='wilson')
    const cases: [number, number, number, number, number][] = [
      [95, 100, 0.95, 0.8882495307680808, 0.9784563208456319],
      [0, 20, 0.95, 0.0, 0.16112515805281938],
      [20, 20, 0.95, 0.8388748419471806, 1.0],
      [1, 3, 0.9, 0.07826572633372836, 0.746466131718776],
      [999, 1000, 0.99, 0.9915394337800183, 0.9998825836463816],
      [50, 100, 0.5, 0.46635196422237973, 0.5336480357776203],
    ]
    for (const [s, n, c, lower, upper] of cases) {
      const ci = wilsonInterval(s, n, c)
      expect(ci.lower, `${s}/${n} lower`).toBeCloseTo(lower, 12)
      expect(ci.upper, `${s}/${n} upper`).toBeCloseTo(upper, 12)
    }
  })

  it('gives a one-sided lower bound equal to statsmodels with alpha = 2(1 - c)', () => {
    // proportion_confint(s, n, alpha=2 * (1 - c), method='wilson')[0]
    const cases: [number, number, number, number][] = [
      [95, 100, 0.95, 0.9008389147209472],
      [1000, 1000, 0.99, 0.9946172365166647],
      [0, 10, 0.95, 0.0],
      [37, 40, 0.9, 0.8533097555250964],
    ]
    for (const [s, n, c, lower] of cases) expect(wilsonLowerBound(s, n, c), `${s}/${n}`).toBeCloseTo(lower, 12)
  })

  it('gives the fewest all-successful trials whose lower bound reaches a floor, and none for a floor of 1', () => {
    for (const [minRate, confidence] of [[0.99, 0.95], [0.95, 0.9], [0.5, 0.99], [0.999, 0.95]] as const) {
      const needed = wilsonTotalNeeded(minRate, confidence) as number
      expect(wilsonLowerBound(needed, needed, confidence), `${minRate} at ${needed}`).toBeGreaterThanOrEqual(minRate)
      if (needed > 1) expect(wilsonLowerBound(needed - 1, needed - 1, confidence), `${minRate} at ${needed - 1}`).toBeLessThan(minRate)
    }
    expect(wilsonTotalNeeded(0.99, 0.95)).toBe(268)
    expect(wilsonTotalNeeded(1, 0.95)).toBeNull()
  })

  it('rejects impossible counts and confidence outside (0, 1)', () => {
    expect(() => wilsonInterval(11, 10, 0.95)).toThrow(new TypeError('Expected `successes` to be an integer from 0 to 10, got 11'))
    expect(() => wilsonInterval(0, 0, 0.95)).toThrow(new TypeError('Expected `total` to be an integer >= 1, got 0'))
    expect(() => wilsonInterval(1.5, 10, 0.95)).toThrow(/`successes`/)
    expect(() => wilsonLowerBound(5, 10, 1)).toThrow(new TypeError('Expected `confidence` to be a number between 0 and 1 (exclusive), got 1'))
    expect(() => wilsonLowerBound(5, 10, 0)).toThrow(/`confidence`/)
  })
})

describe('Mann–Whitney U', () => {
  // E3: baseline (i * 7919) % 1009 for i = 1..20; current (i * 104729) % 1013 + 200.5 for i = 1..30 (no ties)
  const E3b = range(20, (i) => (i * 7919) % 1009, 1)
  const E3c = range(30, (i) => ((i * 104729) % 1013) + 200.5, 1)

  it('matches scipy exact p-values for small tie-free samples', () => {
    // scipy.stats.mannwhitneyu(current, baseline, alternative=..., method='exact') -> (statistic, pvalue)
    const cases: [number[], number[], number, number, number][] = [
      [[10, 11, 12], [13, 14, 15], 9, 0.05, 1.0],
      [[1.1, 2.3, 0.4, 5.6, 3.3, 4.8, 2.9], [3.4, 6.1, 5.9, 4.2, 7.3, 2.2, 6.6, 5.1], 46, 0.020046620046620046, 0.9855477855477857],
      [E3b, E3c, 394, 0.03185380764995487, 0.9695702274175866],
    ]
    for (const [baseline, current, u, greater, less] of cases) {
      const g = mannWhitneyGreater(baseline, current)
      expect(g).toMatchObject({ u, method: 'exact', n1: baseline.length, n2: current.length })
      expectRelClose(g.pValue, greater, 1e-6)
      const l = mannWhitneyLess(baseline, current)
      expect(l).toMatchObject({ u, method: 'exact' })
      expectRelClose(l.pValue, less, 1e-6)
    }
  })

  it('uses the exact distribution up to min(n1, n2) = 50 and n1·n2 = 10 000, the normal one beyond', () => {
    // baseline (i * 7919) % 10007 for i = 1..50; current (i * 104729) % 10007 + 1500.5 for i = 1..200
    // scipy.stats.mannwhitneyu(current, baseline, alternative='greater'|'less', method='exact') -> (6222.0, 0.003650640852882137 | 0.9963736347688218)
    const baseline = range(50, (i) => (i * 7919) % 10007, 1)
    const current = range(200, (i) => ((i * 104729) % 10007) + 1500.5, 1)
    const g = mannWhitneyGreater(baseline, current)
    expect(g).toMatchObject({ u: 6222, method: 'exact' })
    expectRelClose(g.pValue, 0.003650640852882137, 1e-6)
    expectRelClose(mannWhitneyLess(baseline, current).pValue, 0.9963736347688218, 1e-6)
    expect(mannWhitneyGreater([...baseline, 0.25], current).method).toBe('normal')
    expect(mannWhitneyGreater(baseline, [...current, 0.75]).method).toBe('normal')
  })

  it('matches scipy asymptotic p-values (tie and continuity corrected) for samples with ties', () => {
    // scipy.stats.mannwhitneyu(current, baseline, alternative=..., method='asymptotic') (use_continuity=True)
    const g = mannWhitneyGreater([1, 2, 2, 3, 3, 3, 4, 5], [2, 3, 4, 4, 5, 5, 6, 7])
    expect(g).toMatchObject({ u: 50.5, method: 'normal' })
    expectRelClose(g.pValue, 0.027320477366471564, 1e-9)
    expectRelClose(mannWhitneyLess([1, 2, 2, 3, 3, 3, 4, 5], [2, 3, 4, 4, 5, 5, 6, 7]).pValue, 0.9787444910836034, 1e-9)
  })

  it('matches scipy asymptotic p-values for n = 100 per sample', () => {
    // baseline ((i * 7919) % 1000) / 10, current ((i * 104729) % 1000) / 10 + 5, i = 0..99 (4 tied values)
    // scipy.stats.mannwhitneyu(current, baseline, alternative='greater'|'less', method='asymptotic') -> (5537.0, 0.09494913680450168 | 0.9054630179191214)
    const baseline = range(100, (i) => ((i * 7919) % 1000) / 10)
    const current = range(100, (i) => ((i * 104729) % 1000) / 10 + 5)
    const g = mannWhitneyGreater(baseline, current)
    expect(g).toMatchObject({ u: 5537, method: 'normal', n1: 100, n2: 100 })
    expectRelClose(g.pValue, 0.09494913680450168, 1e-9)
    expectRelClose(mannWhitney(baseline, current, 'less').pValue, 0.9054630179191214, 1e-9)
  })

  it('handles 10 000 vs 10 000 points and detects a clear shift', () => {
    // baseline ((i * 7919) % 10007) / 10, current ((i * 104729) % 10007) / 10 + 50, i = 0..9999
    // scipy.stats.mannwhitneyu(current, baseline, alternative='greater', method='asymptotic') -> (54870353.0, 4.14954259394981e-33)
    const baseline = range(10_000, (i) => ((i * 7919) % 10007) / 10)
    const current = range(10_000, (i) => ((i * 104729) % 10007) / 10 + 50)
    const g = mannWhitneyGreater(baseline, current)
    expect(g).toMatchObject({ u: 54870353, method: 'normal' })
    expect(g.pValue).toBeLessThan(1e-6)
    expectRelClose(g.pValue, 4.14954259394981e-33, 1e-9)
    expect(mannWhitneyLess(baseline, current).pValue).toBeCloseTo(1, 12)
  })

  it('returns p = 1 when every value is tied', () => {
    // scipy.stats.mannwhitneyu([1, 1, 1], [1, 1, 1], alternative='greater', method='asymptotic') -> (4.5, 1.0)
    expect(mannWhitneyGreater([1, 1, 1], [1, 1, 1])).toMatchObject({ u: 4.5, pValue: 1, method: 'normal' })
  })

  it('rejects empty or non-finite samples and an unknown alternative', () => {
    expect(() => mannWhitneyGreater([], [1])).toThrow(new TypeError('Expected `baseline` to be a non-empty array of numbers, got an empty array'))
    expect(() => mannWhitneyLess([1], [])).toThrow(/`current`/)
    expect(() => mannWhitneyGreater([1], [Number.POSITIVE_INFINITY])).toThrow(/`current` to contain only finite numbers/)
    expect(() => mannWhitney([1], [2], 'two-sided' as 'less')).toThrow(/`alternative`/)
  })
})

describe('seededRandom', () => {
  it('reproduces the mulberry32 sequence', () => {
    // Python re-implementation of mulberry32 with 32-bit masking, seed 42, first five draws
    const rnd = seededRandom(42)
    expect(range(5, () => rnd())).toEqual([0.6011037519201636, 0.44829055899754167, 0.8524657934904099, 0.6697340414393693, 0.17481389874592423])
    // seed -1 is reduced to 0xffffffff
    const neg = seededRandom(-1)
    expect([neg(), neg()]).toEqual([0.8964226141106337, 0.189478256739676])
  })

  it('is deterministic per seed, differs across seeds and stays in [0, 1)', () => {
    const a = seededRandom(7)
    const b = seededRandom(7)
    const c = seededRandom(8)
    const xs = range(10_000, () => a())
    expect(range(10_000, () => b())).toEqual(xs)
    expect(range(5, () => c())).not.toEqual(xs.slice(0, 5))
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true)
    const meanX = xs.reduce((s, x) => s + x, 0) / xs.length
    expect(meanX).toBeGreaterThan(0.48)
    expect(meanX).toBeLessThan(0.52)
  })

  it('rejects a non-integer seed', () => {
    expect(() => seededRandom(1.5)).toThrow(new TypeError('Expected `seed` to be an integer, got 1.5'))
  })
})

describe('bootstrapMedianRatio', () => {
  // baseline 100 + ((i * 7919) % 1000) / 10, current 1.5 * (100 + ((i * 104729) % 1000) / 10), i = 0..299:
  // both spread evenly over their ranges, so the true ratio of medians is 1.5.
  const baseline = range(300, (i) => 100 + ((i * 7919) % 1000) / 10)
  const current = range(300, (i) => 1.5 * (100 + ((i * 104729) % 1000) / 10))

  it('matches an independent Python replay of the same resampling', () => {
    // Python: mulberry32(seed); per resample baseline then current indices floor(rnd() * n); type-7 medians;
    // bounds np.quantile(sorted_ratios, [a, 1 - a], method='linear'); estimate np.median(current) / np.median(baseline)
    const r = bootstrapMedianRatio(baseline, current)
    expect(r.confidence).toBe(0.95)
    expect(r.resamples).toBe(2000)
    expect(r.estimate).toBeCloseTo(1.495008319467554, 12)
    expect(r.lower).toBeCloseTo(1.4197898548907184, 12)
    expect(r.upper).toBeCloseTo(1.5771123690053668, 12)
    const r7 = bootstrapMedianRatio(baseline, current, { confidence: 0.9, resamples: 500, seed: 7 })
    expect(r7).toMatchObject({ confidence: 0.9, resamples: 500 })
    expect(r7.lower).toBeCloseTo(1.435137018986053, 12)
    expect(r7.upper).toBeCloseTo(1.5589183735243666, 12)
  })

  it('is reproducible for a seed, close across seeds, and covers the true 1.5× ratio', () => {
    const a = bootstrapMedianRatio(baseline, current, { seed: 3 })
    expect(bootstrapMedianRatio(baseline, current, { seed: 3 })).toEqual(a)
    const b = bootstrapMedianRatio(baseline, current, { seed: 4 })
    expect(b).not.toEqual(a)
    expect(Math.abs(a.lower - b.lower)).toBeLessThan(0.02)
    expect(Math.abs(a.upper - b.upper)).toBeLessThan(0.02)
    for (const r of [a, b]) {
      expect(r.lower).toBeLessThan(1.5)
      expect(r.upper).toBeGreaterThan(1.5)
      expect(r.lower).toBeLessThanOrEqual(r.estimate)
      expect(r.upper).toBeGreaterThanOrEqual(r.estimate)
    }
  })

  it('estimates exactly the ratio of the sample medians', () => {
    const r = bootstrapMedianRatio([10, 20, 30], [15, 45, 30, 60], { resamples: 50 })
    expect(r.estimate).toBe(37.5 / 20)
  })

  it('rejects empty samples, non-positive baseline values and bad options', () => {
    expect(() => bootstrapMedianRatio([], [1])).toThrow(/`baseline`/)
    expect(() => bootstrapMedianRatio([1], [])).toThrow(/`current`/)
    expect(() => bootstrapMedianRatio([0, 1, 2], [1])).toThrow(/`baseline` to contain only positive numbers/)
    expect(() => bootstrapMedianRatio([1], [1], { confidence: 1 })).toThrow(/`confidence`/)
    expect(() => bootstrapMedianRatio([1], [1], { resamples: 0 })).toThrow(/`resamples`/)
    expect(() => bootstrapMedianRatio([1], [1], { seed: 0.5 })).toThrow(/`seed`/)
  })
})

describe('relativeSpread', () => {
  it('is (max - min) / median', () => {
    // np.ptp(x) / np.median(x)
    expect(relativeSpread([100, 102, 98])).toBeCloseTo(0.04, 12)
    expect(relativeSpread([10, 12, 11, 30])).toBeCloseTo(20 / 11.5, 12)
  })

  it('is 0 when all values are equal, including a single value', () => {
    expect(relativeSpread([5, 5, 5])).toBe(0)
    expect(relativeSpread([0])).toBe(0)
  })

  it('rejects empty input and a non-positive median', () => {
    expect(() => relativeSpread([])).toThrow(new TypeError('Expected `values` to be a non-empty array of numbers, got an empty array'))
    expect(() => relativeSpread([-1, 0, 1])).toThrow(/`values` to have a positive median/)
  })
})
