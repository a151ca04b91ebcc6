/** Confidence bounds for a proportion (the Wilson score interval). */
import { assertNumberIn, assertInteger } from './check.js'
import { normalQuantile } from './normal.js'

function wilson(successes: number, total: number, z: number): { lower: number; upper: number } {
  const z2 = z * z
  const center = (successes + z2 / 2) / (total + z2)
  const half = (z / (total + z2)) * Math.sqrt((successes * (total - successes)) / total + z2 / 4)
  return { lower: Math.max(0, center - half), upper: Math.min(1, center + half) }
}

function checkProportionArgs(successes: number, total: number, confidence: number): void {
  assertInteger('total', total, 1)
  assertInteger('successes', successes, 0, total)
  assertNumberIn('confidence', confidence, 0, 1, true)
}

/**
 * Two-sided Wilson score interval: (s + z²/2)/(n + z²) ± z/(n + z²)·√(s(n-s)/n + z²/4), z = Φ⁻¹(1 - (1-confidence)/2).
 * @example wilsonInterval(95, 100, 0.95) // => { lower: 0.8882…, upper: 0.9785… }
 */
export function wilsonInterval(successes: number, total: number, confidence: number): { lower: number; upper: number } {
  checkProportionArgs(successes, total, confidence)
  return wilson(successes, total, normalQuantile(1 - (1 - confidence) / 2))
}

/** One-sided Wilson lower bound for a proportion, with z = Φ⁻¹(confidence). */
export function wilsonLowerBound(successes: number, total: number, confidence: number): number {
  checkProportionArgs(successes, total, confidence)
  return wilson(successes, total, normalQuantile(confidence)).lower
}

/**
 * The fewest trials whose one-sided Wilson lower bound reaches `minRate` when every one succeeds
 * (the bound is then n / (n + z²)); null for a floor of 1, which no bound below 1 reaches.
 * @example wilsonTotalNeeded(0.99, 0.95) // => 268
 */
export function wilsonTotalNeeded(minRate: number, confidence: number): number | null {
  assertNumberIn('minRate', minRate, 0, 1, false)
  assertNumberIn('confidence', confidence, 0, 1, true)
  if (minRate >= 1) return null
  const z2 = normalQuantile(confidence) ** 2
  return Math.max(1, Math.ceil((z2 * minRate) / (1 - minRate) - 1e-9))
}
