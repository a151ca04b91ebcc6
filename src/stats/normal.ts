/** The standard normal distribution: its upper tail and quantile function. */
import { probit } from 'simple-statistics'
import { assertNumberIn } from './check.js'

const SQRT_2PI = Math.sqrt(2 * Math.PI)
// W. J. Cody, "Rational Chebyshev approximations for the error function", Math. Comp. 23 (1969), netlib specfun
// CALERF coefficients, written as the nearest doubles.
const ERF_A = [3.1611237438705655, 113.86415415105016, 377.485237685302, 3209.3775891384694, 0.18577770618460315] as const
const ERF_B = [23.601290952344122, 244.02463793444417, 1282.6165260773723, 2844.236833439171] as const
const ERF_C = [
  0.5641884969886701, 8.883149794388377, 66.11919063714163, 298.6351381974001, 881.952221241769,
  1712.0476126340707, 2051.0783778260716, 1230.3393547979972, 2.1531153547440383e-8,
] as const
const ERF_D = [
  15.744926110709835, 117.6939508913125, 537.1811018620099, 1621.3895745666903, 3290.7992357334597,
  4362.619090143247, 3439.3676741437216, 1230.3393548037495,
] as const
const ERF_P = [0.30532663496123236, 0.36034489994980445, 0.12578172611122926, 0.016083785148742275, 0.0006587491615298378, 0.016315387137302097] as const
const ERF_Q = [2.568520192289822, 1.8729528499234604, 0.5279051029514285, 0.06051834131244132, 0.0023352049762686918] as const

/** Complementary error function erfc(x), ~1e-15 relative accuracy (Cody 1969). */
function erfc(x: number): number {
  const y = Math.abs(x)
  let r: number
  if (y <= 0.46875) {
    const t = y * y
    let num = ERF_A[4] * t
    let den = t
    for (let i = 0; i < 3; i++) {
      num = (num + ERF_A[i]!) * t
      den = (den + ERF_B[i]!) * t
    }
    return 1 - (x * (num + ERF_A[3])) / (den + ERF_B[3])
  }
  if (y <= 4) {
    let num = ERF_C[8] * y
    let den = y
    for (let i = 0; i < 7; i++) {
      num = (num + ERF_C[i]!) * y
      den = (den + ERF_D[i]!) * y
    }
    r = (num + ERF_C[7]) / (den + ERF_D[7])
  } else if (y >= 26.543) {
    r = 0
  } else {
    const t = 1 / (y * y)
    let num = ERF_P[5] * t
    let den = t
    for (let i = 0; i < 4; i++) {
      num = (num + ERF_P[i]!) * t
      den = (den + ERF_Q[i]!) * t
    }
    r = (1 / Math.sqrt(Math.PI) - (t * (num + ERF_P[4])) / (den + ERF_Q[4])) / y
  }
  // exp(-y²) split as exp(-s²)·exp(-(y-s)(y+s)) with s = y rounded to 1/16, to keep the tail accurate.
  const s = Math.trunc(16 * y) / 16
  r *= Math.exp(-s * s) * Math.exp(-(y - s) * (y + s))
  return x < 0 ? 2 - r : r
}

/** Upper tail of the standard normal, P(Z > z) = erfc(z/√2)/2. */
export function normalSf(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2)
}

/**
 * Standard normal quantile Φ⁻¹(p) to ~1e-15: simple-statistics' `probit` (only ≈1e-3 accurate) polished by Halley steps on Cody's erfc.
 * @example normalQuantile(0.975) // => 1.959963984540054
 */
export function normalQuantile(p: number): number {
  assertNumberIn('p', p, 0, 1, true)
  return quantileOfLowerHalf(p)
}

function quantileOfLowerHalf(p: number): number {
  if (p > 0.5) return -quantileOfLowerHalf(1 - p)
  if (p === 0.5) return 0
  let x = probit(p)
  if (!Number.isFinite(x)) x = -Math.sqrt(-2 * Math.log(p))
  for (let i = 0; i < 50; i++) {
    const u = (normalSf(-x) - p) * SQRT_2PI * Math.exp((x * x) / 2)
    const step = u / (1 + (x * u) / 2)
    x -= step
    if (Math.abs(step) <= 1e-15 * Math.abs(x)) break
  }
  return x
}
