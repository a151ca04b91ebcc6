/**
 * Small, pure statistical functions used by the performance gates.
 *
 * Everything here is deterministic and free of I/O. Where simple-statistics
 * offers a routine it is used; the normal tail function is written out (Cody's
 * erfc) because simple-statistics only offers a 4-digit table and a 1e-7
 * approximation, and p-values need more.
 */
export { normalQuantile } from './normal.js'
export { compactSorted, percentileSorted, summarizeSorted } from './percentiles.js'
export type { SampleSummary } from './percentiles.js'
export { percentileLowerBound, percentileUpperBound } from './percentile-bounds.js'
export type { PercentileBound } from './percentile-bounds.js'
export { wilsonInterval, wilsonLowerBound, wilsonTotalNeeded } from './wilson.js'
export { mannWhitney, mannWhitneyGreater, mannWhitneyLess } from './rank-test.js'
export type { MannWhitneyResult } from './rank-test.js'
export { bootstrapMedianRatio, bootstrapRatio, seededRandom } from './bootstrap.js'
export type { RatioInterval } from './bootstrap.js'
export { relativeInterquartileRange, relativeSpread } from './spread.js'
export { studentTQuantile } from './student-t.js'
export { pairedRatio, signedRankTest } from './paired.js'
export type { PairedRatio, SignedRankResult } from './paired.js'
