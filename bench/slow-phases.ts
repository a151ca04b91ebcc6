/**
 * How far unchanged code slows with the machine: over the records of `npm run bench:quality`
 * runs, each function verdict on unchanged code (scale 1) as the ratio f of its median to the
 * baseline's, against s, how many times longer perfgate's reference workload took than at
 * recording. Prints the largest f per band of s beside what a slower machine is taken to
 * explain there (src/gate/compare.ts; a record of three runs or more bounds it further with its
 * process allowance), and the verdicts past it.
 *
 *   npx tsx bench/slow-phases.ts .tmp/quality-suite/<run> [more runs…]
 */
import { slowerMachineExplains, slowPhaseRunsAllowance } from '../src/gate/compare.js'
import { judgedFunctions, outDirArguments, workloadSlowdown } from './quality-records.js'

interface Point {
  readonly s: number
  readonly f: number
  /** The process allowance of a record of three runs or more, which bounds what s explains. */
  readonly runsAllowance: number | undefined
  readonly what: string
}

/** The ratio a slower machine is taken to explain: the rule itself, as a ratio. */
const explained = (s: number, runsAllowance?: number): number => 1 + slowerMachineExplains(s, runsAllowance)

const dirs = outDirArguments()

const points: Point[] = []
for (const dir of dirs) {
  for (const { scale, baselines, record } of judgedFunctions(dir)) {
    const comparison = record.comparison
    if (scale !== 1) continue
    const s = workloadSlowdown(comparison)
    if (s === null) continue
    const runsAllowance = slowPhaseRunsAllowance(comparison.baseline.runs, comparison.processAllowance)
    points.push({ s, f: 1 + comparison.change, runsAllowance, what: `${dir} ${baselines} "${record.key}" ${comparison.verdict}` })
  }
}

console.log(`${points.length} function verdicts on unchanged code from ${dirs.length} run(s)\n`)
console.log('| s (reference workload, times as long) | verdicts | largest f | second | explained at the band\'s top (one-run records) |')
console.log('|---|---:|---:|---:|---:|')
for (let low = 1; low < 2.4; low += 0.1) {
  const band = points.filter((point) => point.s >= low && point.s < low + 0.1).map((point) => point.f).sort((a, b) => b - a)
  if (band.length === 0) continue
  console.log(`| ${low.toFixed(1)}–${(low + 0.1).toFixed(1)} | ${band.length} | ${band[0]?.toFixed(2)} | ${(band[1] ?? Number.NaN).toFixed(2)} | ${explained(low + 0.1).toFixed(2)} |`)
}
const past = points.filter((point) => point.s >= 1.1 && point.f > explained(point.s, point.runsAllowance))
console.log(`\nPast what a slower machine explains (s ≥ 1.1; the process allowance may still cover them): ${past.length}`)
for (const point of past) console.log(`- s ${point.s.toFixed(2)}, f ${point.f.toFixed(2)}: ${point.what}`)
