/**
 * Numbers as the reports print them. The matchers' formatters (src/matchers/format.ts) sit on
 * a level this folder may not import from; these follow the same rules with units attached.
 */
import { relative, sep } from 'node:path'
import type { MachineState } from '../machine/state.js'

/** Three significant digits, without an exponent: 123, 12.3, 1.23. */
function threeDigits(value: number): string {
  const abs = Math.abs(value)
  if (abs >= 100) return value.toFixed(0)
  if (abs >= 10) return value.toFixed(1)
  return value.toFixed(2)
}

/**
 * A duration given in ms, in the unit that suits its size.
 * @example formatDuration(0.0123) // => '12.3 µs'
 * @example formatDuration(1840) // => '1.84 s'
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms)
  const abs = Math.abs(ms)
  if (abs >= 1000) return `${threeDigits(ms / 1000)} s`
  if (abs >= 1 || abs === 0) return `${threeDigits(ms)} ms`
  if (abs >= 0.001) return `${threeDigits(ms * 1000)} µs`
  return `${threeDigits(ms * 1e6)} ns`
}

/**
 * A count with its thousands grouped by spaces, as SI writes them.
 * @example formatCount(3412) // => '3 412'
 */
export function formatCount(count: number): string {
  return Math.round(count)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ' ')
}

export { firstLine, formatPercent } from '../common/format.js'

/** Requests per second: `812 req/s`, `12.5 req/s`. */
export function formatThroughput(perSecond: number): string {
  return `${perSecond >= 100 ? formatCount(perSecond) : perSecond.toFixed(1)} req/s`
}

/** How busy the machine was and how fast its reference workload ran, in words. */
export function formatMachine(machine: MachineState): string {
  const busy = machine.busy === null ? 'busy unknown' : `${Math.round(machine.busy * 100)}% busy with other work`
  const probe = machine.probe === null ? '' : `, reference workload ${formatDuration(machine.probe)}`
  return busy + probe
}

/**
 * The failure kinds of a run, most frequent first: the first `shown` with their counts, then
 * how many kinds more.
 * @example failureKinds({ ok: 90, 'status:503': 8, timeout: 2 }, 2) // => 'status:503 8, timeout 2'
 */
export function failureKinds(outcomes: Readonly<Record<string, number>>, shown = 2): string {
  const failures = Object.entries(outcomes)
    .filter(([kind, count]) => kind !== 'ok' && count > 0)
    .sort((a, b) => b[1] - a[1])
  const listed = failures.slice(0, shown).map(([kind, count]) => `${kind} ${formatCount(count)}`)
  const more = failures.length - shown
  return more > 0 ? `${listed.join(', ')} +${more} more kind${more === 1 ? '' : 's'}` : listed.join(', ')
}

/** A path relative to `rootDir`, with `/` separators (what GitHub and the baseline paths use). */
export function relativePath(rootDir: string, path: string): string {
  return relative(rootDir, path).split(sep).join('/')
}

/**
 * A record's test name as shown; one made outside any test (in a hook, at a file's top level), or
 * in concurrent tests on the global `expect` (which cannot tell which test asked), has none.
 */
export function shownTestName(record: { readonly testName: string }, form: 'long' | 'short' = 'long'): string {
  return record.testName || (form === 'short' ? '(no test)' : '(no test: a hook, the file, or concurrent tests on the global expect)')
}
