/**
 * The most any rule on stored baselines could catch in `npm run bench:quality` runs without a
 * false alarm: the ceiling the issue's detection targets meet on this machine.
 *
 *   npx tsx bench/ceiling.ts .tmp/quality-suite/<run> [more runs…]
 *
 * (`npm run bench:quality` prints it for its own run at the end.)
 *
 * A stored baseline is fixed while its entry is judged, so whatever it holds (one run or ten,
 * any allowance), a rule decides on each judged process's own measurement. A rule that calls
 * no process of unchanged code `regressed` can call a slowed process `regressed` only if that
 * process measured beyond every unchanged one. So, per run and entry, an oracle that knows in
 * hindsight the slowest process of unchanged code (every process of the run at scale 1: the
 * recording runs and every scenario, or only the quiet ones) and picks, also in hindsight, the
 * per-process statistic that separates best (the median of the round medians, as perfgate
 * compares; the fastest round; either divided by perfgate's reference workload to the power
 * 0.25, 0.5, 0.75 or 1, the machine's speed taken out) catches at most the slowed processes
 * beyond that. No rule does better on the same measurements; a real one does worse, because
 * it does not know the slowest unchanged process in advance.
 *
 * Prints, per run: each entry's unchanged processes (their spread, slowest over median), how
 * far each planted scale moved it (an endpoint's latency grows by less than its work: client and
 * server share the CPU, and part of a request is not the work), the ceiling at each scale
 * (caught / slowed processes, both baseline kinds' processes: each is its own measurement), how
 * many slowed processes measured at or below the median unchanged process, and what perfgate
 * (the rule of that day) caught against ten-run baselines; then the totals for functions and
 * endpoints next to the targets (1.5× ≥ 95%, 1.25× ≥ 80%).
 *
 * It bounds rules that decide on the measurements perfgate takes (3 s, extended up to
 * `maxTime`); a longer `time` per entry is not covered.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { max, median, min } from 'simple-statistics'
import type { BaselineCheckRecord } from '../src/index.js'

interface Line {
  readonly trial: number
  readonly phase: string
  readonly scenario: string
  readonly baselines: string
  readonly scale: number
  readonly record: BaselineCheckRecord
}

/** One process's measurement of one entry. */
interface Point {
  readonly scale: number
  readonly scenario: string
  readonly baselines: string
  readonly phase: string
  readonly verdict: string
  readonly median: number
  readonly fastest: number
  /** perfgate's reference workload beside the measurement, ms per call; null when not read. */
  readonly probe: number | null
}

/** The scenarios without a second process competing for the CPU. */
const quietScenarios = new Set(['whole', 'one-file', 'shuffle', 'one-at-a-time'])
const powers = [0, 0.25, 0.5, 0.75, 1]
const targets = new Map([
  [1.25, 0.8],
  [1.5, 0.95],
])

function points(dir: string): Map<string, Point[]> {
  const byEntry = new Map<string, Point[]>()
  for (const text of readFileSync(join(dir, 'records.jsonl'), 'utf8').trim().split('\n')) {
    const line = JSON.parse(text) as Line
    const { record } = line
    const rounds = record.measurement?.rounds
    // `/fast` does no work that QUALITY_SCALE scales: a slowed run does not slow it.
    if (rounds === undefined || rounds.length === 0 || record.key.includes('GET /fast')) continue
    const kind = record.measurement?.kind === 'benchmark' ? 'function' : 'endpoint'
    const key = `${line.trial}\t${kind}\t${record.key}`
    const list = byEntry.get(key) ?? []
    list.push({
      scale: line.scale,
      scenario: line.scenario,
      baselines: line.baselines,
      phase: line.phase,
      verdict: record.verdict,
      median: median([...rounds]),
      fastest: min([...rounds]),
      probe: record.measurement?.machine?.probe ?? null,
    })
    byEntry.set(key, list)
  }
  return byEntry
}

/** The statistics the oracle may choose from, each a function of one process's point. */
function statistics(all: readonly Point[]): { readonly name: string; readonly of: (point: Point) => number }[] {
  const withProbe = all.every((point) => point.probe !== null && point.probe > 0)
  const chosen: { name: string; of: (point: Point) => number }[] = []
  for (const base of ['median', 'fastest'] as const) {
    for (const power of withProbe ? powers : [0]) {
      const name = power === 0 ? base : `${base} / workload^${power}`
      chosen.push({ name, of: (point) => point[base] / (power === 0 ? 1 : (point.probe as number) ** power) })
    }
  }
  return chosen
}

interface Ceiling {
  readonly caught: number
  readonly slowed: number
  readonly statistic: string
}

/** Slowed processes at `scale` beyond the slowest unchanged one, by the best statistic in hindsight. */
function ceiling(unchanged: readonly Point[], slowed: readonly Point[], all: readonly Point[]): Ceiling {
  let best: Ceiling = { caught: -1, slowed: slowed.length, statistic: '' }
  for (const { name, of } of statistics(all)) {
    const bar = max(unchanged.map(of))
    const caught = slowed.filter((point) => of(point) > bar).length
    if (caught > best.caught) best = { caught, slowed: slowed.length, statistic: name }
  }
  return best
}

function ratio(part: number, whole: number): string {
  return whole === 0 ? '–' : `${part} of ${whole} (${Math.round((100 * part) / whole)}%)`
}

/** Prints the ceiling of each run in `dirs` (OUT_DIRs of bench:quality), then over all of them. */
export function printCeiling(dirs: readonly string[]): void {
  const totals = new Map<string, { caught: number; quietCaught: number; slowed: number; perfgate: number; perfgateOf: number }>()
  for (const dir of dirs) {
    const byEntry = points(dir)
    const scales = [...new Set([...byEntry.values()].flat().map((point) => point.scale))].filter((scale) => scale !== 1).sort((a, b) => a - b)
    console.log(`\n## ${dir}\n`)
    console.log(`| trial | entry | unchanged: processes, slowest / median | ${scales.map((scale) => `${scale}×: moved (median over median) · ceiling (quiet scenarios only) · at or below the unchanged median · perfgate as recorded, ten runs`).join(' | ')} |`)
    console.log(`|---|---|---|${scales.map(() => '---').join('|')}|`)
    for (const [key, all] of [...byEntry.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      const [trial, kind, name] = key.split('\t') as [string, string, string]
      const unchanged = all.filter((point) => point.scale === 1)
      const quiet = unchanged.filter((point) => point.phase !== 'judge' || quietScenarios.has(point.scenario))
      if (unchanged.length === 0) continue
      const middle = median(unchanged.map((point) => point.median))
      const cells = scales.map((scale) => {
        const slowed = all.filter((point) => point.scale === scale)
        const every = ceiling(unchanged, slowed, all)
        const lenient = ceiling(quiet, slowed, all)
        const below = slowed.filter((point) => point.median <= middle).length
        const tenRun = slowed.filter((point) => point.baselines === 'multi-run')
        const caughtByPerfgate = tenRun.filter((point) => point.verdict === 'regressed').length
        const total = totals.get(`${kind} ${scale}`) ?? { caught: 0, quietCaught: 0, slowed: 0, perfgate: 0, perfgateOf: 0 }
        totals.set(`${kind} ${scale}`, {
          caught: total.caught + every.caught,
          quietCaught: total.quietCaught + lenient.caught,
          slowed: total.slowed + slowed.length,
          perfgate: total.perfgate + caughtByPerfgate,
          perfgateOf: total.perfgateOf + tenRun.length,
        })
        const moved = slowed.length === 0 ? '–' : `${(median(slowed.map((point) => point.median)) / middle).toFixed(2)}×`
      return `${moved} · ${every.caught}/${slowed.length} (${lenient.caught}) by ${every.statistic} · ${below} · ${caughtByPerfgate}/${tenRun.length}`
      })
      const slowest = max(unchanged.map((point) => point.median)) / middle
      console.log(`| ${trial} | ${kind}: ${name} | ${unchanged.length}, ${slowest.toFixed(2)}× | ${cells.join(' | ')} |`)
    }
  }

  console.log('\n## All runs: the ceiling against the targets\n')
  console.log('| entries | planted | target | ceiling, every scenario | ceiling, quiet scenarios only | perfgate as recorded then, ten-run baselines |')
  console.log('|---|---|---|---|---|---|')
  for (const [key, { caught, quietCaught, slowed, perfgate, perfgateOf }] of [...totals.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const [kind, scale] = key.split(' ') as [string, string]
    const target = targets.get(Number(scale))
    console.log(`| ${kind}s | ${scale}× | ${target === undefined ? '–' : `≥ ${target * 100}%`} | ${ratio(caught, slowed)} | ${ratio(quietCaught, slowed)} | ${ratio(perfgate, perfgateOf)} |`)
  }
}
