import { describe, expect, it } from 'vitest'
import { formatProgress } from '../../src/report/progress.js'
import { displayWidth, truncateToWidth } from '../../src/report/text.js'

const users = { what: 'GET /api/users', plannedMs: 5000 }

describe('formatProgress', () => {
  it('shows what runs, elapsed against planned time, and the requests so far', () => {
    expect(formatProgress({ ...users, elapsedMs: 2100, requests: 3412 })).toBe('perfgate ▸ GET /api/users  2.1 s / 5.0 s  3 412 requests')
    expect(formatProgress({ what: 'parser > parses', elapsedMs: 800 })).toBe('perfgate ▸ parser > parses  0.8 s')
    expect(formatProgress({ what: 'GET /', elapsedMs: 10, plannedMs: null, requests: 1 })).toBe('perfgate ▸ GET /  0.0 s  1 request')
  })

  it('escapes control characters in what it shows', () => {
    expect(formatProgress({ what: 'GET /\u001b[2Jx\r', elapsedMs: 0 })).toBe('perfgate ▸ GET /\\u001b[2Jx\\u000d  0.0 s')
  })
})

describe('terminal widths', () => {
  it('counts wide characters as two columns and combining marks as none', () => {
    expect(displayWidth('abc')).toBe(3)
    expect(displayWidth('日本語')).toBe(6)
    expect(displayWidth('e\u0301')).toBe(1)
    expect(displayWidth('🚀 go')).toBe(5)
  })

  it('cuts at a grapheme boundary and ends with an ellipsis', () => {
    expect(truncateToWidth('short', 10)).toBe('short')
    expect(truncateToWidth('checkout > applies the discount', 12)).toBe('checkout > …')
    expect(truncateToWidth('日本語のテスト', 6)).toBe('日本…')
    expect(displayWidth(truncateToWidth('日本語のテスト', 6))).toBe(5)
  })
})
