import { describe, expect, it } from 'vitest'
import { ProgressLine, formatProgress } from '../../src/report/progress.js'
import type { ProgressStream } from '../../src/report/progress.js'
import { displayWidth, truncateToWidth } from '../../src/report/text.js'

/** A stream that keeps what is written to it. */
function stream(isTTY: boolean, columns = 80): ProgressStream & { written: string[] } {
  const written: string[] = []
  return { isTTY, columns, written, write: (text: string) => written.push(text) }
}

/** A clock the test moves by hand. */
function clock(): { now: () => number; advance: (ms: number) => void } {
  let time = 0
  return { now: () => time, advance: (ms) => (time += ms) }
}

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

describe('ProgressLine', () => {
  it('draws on a TTY with \\r, redraws at most every 100 ms, and clears the line at the end', () => {
    const out = stream(true)
    const time = clock()
    const progress = new ProgressLine(out, { env: {}, now: time.now })
    expect(progress.enabled).toBe(true)
    progress.start({ ...users, elapsedMs: 0 })
    time.advance(40)
    progress.update({ ...users, elapsedMs: 40, requests: 10 })
    time.advance(60)
    progress.update({ ...users, elapsedMs: 100, requests: 25 })
    progress.stop()
    progress.stop()
    expect(out.written).toEqual([
      '\r\u001b[Kperfgate ▸ GET /api/users  0.0 s / 5.0 s',
      '\r\u001b[Kperfgate ▸ GET /api/users  0.1 s / 5.0 s  25 requests',
      '\r\u001b[K',
    ])
  })

  it('cuts the line to the terminal width, so that \\r can redraw it', () => {
    const out = stream(true, 30)
    const progress = new ProgressLine(out, { env: {} })
    progress.start({ what: 'GET http://127.0.0.1:4100/a/very/long/path', elapsedMs: 1200, plannedMs: 5000 })
    const line = (out.written[0] ?? '').replace('\r\u001b[K', '')
    expect(displayWidth(line)).toBe(29)
    expect(line.endsWith('…')).toBe(true)
  })

  it('writes nothing when the stream is not a TTY', () => {
    const out = stream(false)
    const progress = new ProgressLine(out, { env: {} })
    progress.start({ ...users, elapsedMs: 0 })
    progress.update({ ...users, elapsedMs: 500 })
    progress.stop()
    expect(progress.enabled).toBe(false)
    expect(out.written).toEqual([])
  })

  it('writes nothing in CI, even on a TTY', () => {
    const out = stream(true)
    const progress = new ProgressLine(out, { env: { CI: 'true' } })
    progress.start({ ...users, elapsedMs: 0 })
    progress.stop()
    expect(out.written).toEqual([])
    expect(new ProgressLine(stream(true), { env: { CI: 'false' } }).enabled).toBe(true)
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
