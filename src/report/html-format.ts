/** Numbers as the HTML page prints them: short, with their unit. */

/** A duration in ms with a unit that keeps three or so significant digits: `1.21 ms`, `840 µs`, `2.35 s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms)
  const magnitude = Math.abs(ms)
  if (magnitude >= 10_000) return `${(ms / 1000).toFixed(1)} s`
  if (magnitude >= 1000) return `${(ms / 1000).toFixed(2)} s`
  if (magnitude >= 100) return `${ms.toFixed(0)} ms`
  if (magnitude >= 10) return `${ms.toFixed(1)} ms`
  if (magnitude >= 1 || magnitude === 0) return `${ms.toFixed(2)} ms`
  if (magnitude >= 0.001) return `${(ms * 1000).toFixed(magnitude >= 0.1 ? 0 : magnitude >= 0.01 ? 1 : 2)} µs`
  return `${(ms * 1e6).toFixed(1)} ns`
}

/** A share (0..1) as a percentage with two decimals: `99.50%`. */
export function formatShare(share: number): string {
  return `${(share * 100).toFixed(2)}%`
}

/** A count with thousands separators: `12,345`. */
export function formatCount(count: number): string {
  return Math.round(count).toLocaleString('en-US')
}

/** Requests per second: `1,234 req/s`, `12.5 req/s`. */
export function formatThroughput(perSecond: number): string {
  return perSecond >= 100 ? `${formatCount(perSecond)} req/s` : `${perSecond.toFixed(1)} req/s`
}

/** A p-value: `p < 0.001`, `p = 0.042`. */
export function formatPValue(p: number): string {
  return p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`
}
