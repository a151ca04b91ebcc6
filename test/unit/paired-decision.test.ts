import { describe, expect, it } from 'vitest'
import { decidePaired, pairsNeeded } from '../../src/gate/paired.js'

const options = { threshold: 0.05, alpha: 0.01 }
const base = [16.2, 16.3, 16.5, 16.4, 16.3, 16.2, 16.6, 16.4]

describe('decidePaired', () => {
  it('calls a steady 15% slowdown regressed, with one run in a slow mode among the pairs', () => {
    const head = base.map((v, i) => (i === 5 ? 26.0 : v * 1.15))
    const decision = decidePaired(base, head, options)
    expect(decision.verdict).toBe('regressed')
    expect(decision.reason).toMatch(/^\+15% \[98% CI \+\d+(\.\d)?%\.\.\+\d+%\] over 8 pairs, signed-rank p = 0\.00\d, threshold 5\.0%$/)
  })

  it('calls identical code unchanged; a run in a slow mode leaves 8 pairs inconclusive, and more pairs settle it', () => {
    const jitter = (i: number): number => (i % 2 === 0 ? 1.01 : 0.99)
    expect(decidePaired(base, base.map((v, i) => v * jitter(i)), options).verdict).toBe('unchanged')
    const head = base.map((v, i) => (i === 2 ? 26.1 : v * jitter(i)))
    // The 98% interval of 8 pairs reaches the second-largest Walsh average: one slow run opens it to +26%.
    expect(decidePaired(base, head, options).reason).toContain('-0.0% [98% CI -1.0%..+26%] over 8 pairs')
    const slowBase = base.map((v, i) => (i === 6 ? 25.9 : v))
    const more = decidePaired([...slowBase, ...base], [...head, ...base.map((v, i) => v * jitter(i + 1))], options)
    expect(more.verdict).toBe('unchanged')
    expect(more.reason).toContain('[98% CI -1.0%..+1.0%] over 16 pairs')
  })

  it('is inconclusive, not regressed, for a slowdown under noise it cannot resolve, and for too few pairs', () => {
    const noisy = [1.3, 0.9, 1.25, 0.95, 1.2, 1.1, 0.85, 1.3].map((f, i) => (base[i] as number) * f)
    expect(decidePaired(base, noisy, options).verdict).toBe('inconclusive')
    const few = decidePaired(base.slice(0, 5), base.slice(0, 5).map((v) => v * 2), options)
    expect(few.verdict).toBe('inconclusive')
    expect(few.reason).toContain(`cannot reach p < 0.01 (needs ${pairsNeeded(0.01)})`)
  })

  it('calls a steady speed-up improved, and a change within the threshold unchanged', () => {
    expect(decidePaired(base, base.map((v) => v * 0.8), options).verdict).toBe('improved')
    expect(decidePaired(base, base.map((v, i) => v * (1.02 + (i % 3) * 0.005)), options).verdict).toBe('unchanged')
  })
})
