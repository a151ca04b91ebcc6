import { describe, expect, it } from 'vitest'
import { formatMs, formatOutcomes, formatPercent } from '../../src/matchers/format.js'

describe('formatPercent', () => {
  it('never rounds a rate below 1 up to 100% or above 0 down to 0%', () => {
    expect(formatPercent(0.9996)).toBe('99.96%')
    expect(formatPercent(0.99)).toBe('99%')
    expect(formatPercent(0.955)).toBe('95.5%')
    expect(formatPercent(1 / 3)).toBe('33.3%')
    expect(formatPercent(0.0004)).toBe('0.04%')
    expect(formatPercent(1)).toBe('100%')
    expect(formatPercent(0)).toBe('0%')
  })
})

describe('formatMs', () => {
  it('shows milliseconds with precision suited to their size', () => {
    expect(formatMs(1234.5)).toBe('1235')
    expect(formatMs(12.345)).toBe('12.3')
    expect(formatMs(1.2345)).toBe('1.23')
    expect(formatMs(0.012345)).toBe('0.012')
  })
})

describe('formatOutcomes', () => {
  it('lists kinds with counts in order, or says none', () => {
    expect(formatOutcomes({ ok: 28, timeout: 2 })).toBe('ok 28 · timeout 2')
    expect(formatOutcomes({})).toBe('none')
  })
})
