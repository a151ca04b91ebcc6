/** Quantiles of Student's t distribution, for prediction bounds from a few runs. */
import { assertInteger, assertNumberIn } from './check.js'
import { normalQuantile } from './normal.js'

/**
 * The p-quantile of Student's t with `df` degrees of freedom, by the Cornish–Fisher expansion
 * around the normal quantile (Abramowitz & Stegun 26.7.5, four terms). Against R's `qt`:
 * −2.2% at df = 2 and −0.4% at df = 3 for p = 0.99; within 0.1% from df = 4 for p ≤ 0.99
 * (−0.8% at p = 0.999, df = 4). df = 1 is rejected: the series does not converge there. simple-statistics has no t quantile,
 * and the libraries that do (jStat, unmaintained; @stdlib, 230 packages) cost more than these lines.
 * @example studentTQuantile(0.99, 9) // => 2.8209 (R: qt(0.99, 9) = 2.821438)
 */
export function studentTQuantile(p: number, df: number): number {
  assertNumberIn('p', p, 0, 1, true)
  assertInteger('df', df, 2)
  const x = normalQuantile(p)
  const x2 = x * x
  const g1 = (x * (x2 + 1)) / 4
  const g2 = (x * ((5 * x2 + 16) * x2 + 3)) / 96
  const g3 = (x * (((3 * x2 + 19) * x2 + 17) * x2 - 15)) / 384
  const g4 = (x * ((((79 * x2 + 776) * x2 + 1482) * x2 - 1920) * x2 - 945)) / 92160
  return x + g1 / df + g2 / df ** 2 + g3 / df ** 3 + g4 / df ** 4
}
