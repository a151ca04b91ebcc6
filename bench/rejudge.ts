/**
 * Re-judges the function verdicts of `npm run bench:quality` runs with the rule in src/ now:
 * each record's kept measurement compared again with the baseline it was judged against (the
 * baselines stay under bench/suite/.tmp/baselines/). Adaptive sampling is not replayed. Prints,
 * per run and per baselines × planted scale, the regressed verdicts as recorded → as re-judged,
 * and the evidence of every re-judged `regressed` on unchanged code (scale 1): a false alarm.
 * Last, the most unchanged code slowed in a slow phase against a record of three runs or more,
 * as a multiple of (1 + its allowance) × s (what src/gate/compare.ts's slowPhaseMargin covers).
 *
 *   npx tsx bench/rejudge.ts .tmp/quality-suite/<run> [more runs…]
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { BaselineFileContent } from '../src/baselines/types.js'
import { compare, slowPhaseRunsAllowance } from '../src/gate/compare.js'
import { judgedFunctions, outDirArguments, workloadSlowdown } from './quality-records.js'

const suiteDir = join(dirname(fileURLToPath(import.meta.url)), 'suite')
const dirs = outDirArguments()

const files = new Map<string, BaselineFileContent>()
/** Unchanged code in a slow phase against several runs: f / ((1 + allowance) × s), with where. */
const slowPhaseReaches: { readonly reach: number; readonly what: string }[] = []
for (const dir of dirs) {
  const tally = new Map<string, { n: number; recorded: number; now: number }>()
  const falseAlarms: string[] = []
  let missing = 0
  for (const { scale, baselines, record } of judgedFunctions(dir)) {
    const { comparison, measurement } = record
    const path = join(suiteDir, record.baselineFile)
    if (!files.has(path)) {
      if (!existsSync(path)) {
        missing++
        continue
      }
      files.set(path, JSON.parse(readFileSync(path, 'utf8')) as BaselineFileContent)
    }
    const stored = files.get(path)?.entries[record.key]?.[record.environmentId]
    if (stored === undefined) {
      missing++
      continue
    }
    const current = { kind: 'benchmark', samples: measurement.sample, rounds: measurement.rounds, environment: comparison.current.environment, machine: measurement.machine }
    const now = compare(stored, current as never)
    const s = workloadSlowdown(now)
    const runsAllowance = slowPhaseRunsAllowance(now.baseline.runs, now.processAllowance)
    if (scale === 1 && s !== null && s >= 1.1 && runsAllowance !== undefined) {
      slowPhaseReaches.push({ reach: (1 + now.change) / ((1 + runsAllowance) * s), what: `${dir} "${record.key}": ${(1 + now.change).toFixed(2)}× at s = ${s.toFixed(2)}, allowance ${(runsAllowance * 100).toFixed(0)}%` })
    }
    const key = `${baselines} ×${scale}`
    const counts = tally.get(key) ?? { n: 0, recorded: 0, now: 0 }
    counts.n++
    if (record.verdict === 'regressed') counts.recorded++
    if (now.verdict === 'regressed') {
      counts.now++
      if (scale === 1) falseAlarms.push(`"${record.key}": ${now.reason}`)
    }
    tally.set(key, counts)
  }
  const cells = [...tally.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([key, { n, recorded, now }]) => `${key}: ${recorded} → ${now} of ${n}`)
  console.log(`${dir}: ${cells.join('; ')}${missing > 0 ? ` (${missing} records without their baseline, skipped)` : ''}`)
  for (const alarm of falseAlarms) console.log(`  false regressed: ${alarm}`)
}
slowPhaseReaches.sort((a, b) => b.reach - a.reach)
console.log(`\nUnchanged code in a slow phase (s ≥ 1.1) against records of three runs or more: ${slowPhaseReaches.length} verdicts; the most, as f / ((1 + allowance) × s):`)
for (const { reach, what } of slowPhaseReaches.slice(0, 3)) console.log(`- ${reach.toFixed(3)}: ${what}`)
