/**
 * What `-u` (update mode `all`) writes through the baseline gate: only entries that changed
 * meaningfully, as Vitest's `-u` leaves matching snapshots alone, and a record that failed
 * validation recorded again. Measurements are made up (seeded), so no verdict depends on timing.
 */
import { describe, expect, it } from 'vitest'
import { parseBaselineFile, serializeBaselineFile } from '../../src/baselines/format.js'
import { BaselineFile, memoryBaselineFileSystem } from '../../src/baselines/store.js'
import type { BaselineFileContent, UpdateMode } from '../../src/baselines/types.js'
import { defaultConfig } from '../../src/config/config.js'
import { checkBaseline, recordFrom, resolveBaselineOptions } from '../../src/gate/check-baseline.js'
import type { BaselineCheckContext } from '../../src/gate/check-baseline.js'
import { currentEnvironment } from '../../src/machine/environment.js'
import type { BenchmarkResult } from '../../src/measure/benchmark.js'
import { seededRandom } from '../../src/stats/index.js'
import { benchmarkResultOf } from './benchmark-result.js'

const environment = currentEnvironment()
const path = '/project/baselines/test/a.test.ts.json'
const keys = Array.from({ length: 10 }, (_, i) => `suite > entry ${i}`)

/** One run of a function taking about `center` ms: 2000 samples, 10 rounds; each seed is another run. */
function run(center: number, seed: number, probe = 0.05): BenchmarkResult {
  const random = seededRandom(seed)
  const samples = Array.from({ length: 2000 }, () => center * (1 + 0.05 * (random() + random() + random() - 1.5))).sort((a, b) => a - b)
  const rounds = Array.from({ length: 10 }, () => center * (1 + 0.01 * (random() - 0.5)))
  return benchmarkResultOf(samples, rounds, environment, { busy: 0.02, probe })
}

/** A baseline file of ten entries, as a first local run records them. */
function recordedFile(): ReturnType<typeof memoryBaselineFileSystem> {
  const entries: Record<string, Record<string, ReturnType<typeof recordFrom>>> = {}
  keys.forEach((key, i) => (entries[key] = { [environment.id]: recordFrom(run((i + 1) / 10, 100 + i), '/nowhere') }))
  return memoryBaselineFileSystem({ [path]: serializeBaselineFile({ version: 1, entries }) })
}

function contextOf(file: BaselineFile, key: string, updateMode: UpdateMode): BaselineCheckContext {
  return {
    site: { testFile: '/project/test/a.test.ts', testName: key, line: 1 },
    key,
    file,
    shownPath: 'baselines/test/a.test.ts.json',
    rootDir: '/nowhere',
    updateMode,
    recordMode: 'replace',
    missingBaseline: 'fail',
  }
}

function without(content: BaselineFileContent, key: string): BaselineFileContent {
  return { version: 1, entries: Object.fromEntries(Object.entries(content.entries).filter(([k]) => k !== key)) }
}

describe('-u rewrites only what changed meaningfully', () => {
  it('accepts one slowdown among ten entries: that entry is rewritten, the nine others stay byte for byte', async () => {
    const fs = recordedFile()
    const before = fs.files.get(path)!
    const file = await BaselineFile.open(fs, path, 'all')
    const options = resolveBaselineOptions({}, defaultConfig)
    const results = []
    for (const [i, key] of keys.entries()) results.push(await checkBaseline(run(((i + 1) / 10) * (i === 4 ? 3 : 1), 200 + i), contextOf(file, key, 'all'), options))

    expect(results.map((result) => [result.verdict, result.written, result.pass])).toEqual(
      keys.map((_, i) => (i === 4 ? ['regressed', 'rewritten', true] : ['unchanged', null, true])),
    )
    const after = fs.files.get(path)!
    const [old, updated] = [parseBaselineFile(before, path), parseBaselineFile(after, path)]
    expect(updated.entries[keys[4]!]?.[environment.id]?.summary.median).toBeCloseTo(3 * old.entries[keys[4]!]![environment.id]!.summary.median, 1)
    expect(serializeBaselineFile(without(updated, keys[4]!))).toBe(serializeBaselineFile(without(old, keys[4]!)))
    // The sample and the rounds stand on one line each: the whole change is a few lines.
    const [oldLines, newLines] = [before.split('\n'), after.split('\n')]
    expect(newLines).toHaveLength(oldLines.length)
    expect(newLines.filter((line, index) => line !== oldLines[index]).length).toBeLessThanOrEqual(20)
    expect(Math.max(...newLines.map((line) => line.length))).toBeLessThan(4000)
  })

  it('rewrites an improvement', async () => {
    const fs = recordedFile()
    const file = await BaselineFile.open(fs, path, 'all')
    const result = await checkBaseline(run(0.1 / 3, 300), contextOf(file, keys[0]!, 'all'), resolveBaselineOptions({}, defaultConfig))
    expect([result.verdict, result.written]).toEqual(['improved', 'rewritten'])
  })

  it("leaves an inconclusive entry alone when it passes, and rewrites it when it would fail (onInconclusive: 'fail')", async () => {
    // 15% slower: beyond the threshold, within a one-run record's 125% process allowance.
    const slower = run(0.1 * 1.15, 400)
    for (const [onInconclusive, written] of [['warn', null], ['fail', 'rewritten']] as const) {
      const fs = recordedFile()
      const before = fs.files.get(path)
      const file = await BaselineFile.open(fs, path, 'all')
      const result = await checkBaseline(slower, contextOf(file, keys[0]!, 'all'), resolveBaselineOptions({ onInconclusive }, defaultConfig))
      expect([result.verdict, result.written, result.pass]).toEqual(['inconclusive', written, true])
      expect(fs.files.get(path) === before).toBe(written === null)
    }
  })

  it('rewrites a 3× slowdown left inconclusive because the machine ran slower: -u accepts what it measured', async () => {
    // The reference workload 2.2× slower: a slower machine could explain up to 1.25 × 2.2 + 0.5 − 1 = +225%.
    const fs = recordedFile()
    const file = await BaselineFile.open(fs, path, 'all')
    const result = await checkBaseline(run(0.1 * 3, 450, 0.05 * 2.2), contextOf(file, keys[0]!, 'all'), resolveBaselineOptions({}, defaultConfig))
    expect([result.verdict, result.written, result.pass]).toEqual(['inconclusive', 'rewritten', true])
    expect(result.comparison?.machineExplains).toBeGreaterThan(2)
    expect(result.warnings).toContain(`perfgate: -u rewrote "${keys[0]}", whose verdict was inconclusive: ${result.comparison?.reason}`)
    const saved = parseBaselineFile(fs.files.get(path)!, path)
    expect(saved.entries[keys[0]!]?.[environment.id]?.summary.median).toBeCloseTo(0.3, 1)
  })

  it('rewrites a 3× speed-up measured while the machine ran faster than at recording', async () => {
    // Recorded in a slow phase (the workload 1.6× as long as now): a slowdown could hide, so inconclusive.
    const fs = recordedFile()
    const file = await BaselineFile.open(fs, path, 'all')
    const result = await checkBaseline(run(0.1 / 3, 460, 0.05 / 1.6), contextOf(file, keys[0]!, 'all'), resolveBaselineOptions({}, defaultConfig))
    expect([result.verdict, result.written, result.pass]).toEqual(['inconclusive', 'rewritten', true])
    expect(result.comparison?.reason).toContain('the machine ran faster than when the baseline was recorded')
  })

  it("still fails a regression outside 'all' mode, and writes nothing", async () => {
    const fs = recordedFile()
    const before = fs.files.get(path)
    const file = await BaselineFile.open(fs, path, 'new')
    const result = await checkBaseline(run(0.1 * 3, 500), contextOf(file, keys[0]!, 'new'), resolveBaselineOptions({}, defaultConfig))
    expect([result.verdict, result.written, result.pass]).toEqual(['regressed', null, false])
    expect(fs.files.get(path)).toBe(before)
  })
})

describe('-u and a record that fails validation', () => {
  it('records it again, saying which file, key and problem, and leaves the other entries alone', async () => {
    const fs = recordedFile()
    const original = parseBaselineFile(fs.files.get(path)!, path)
    const broken = JSON.parse(fs.files.get(path)!) as { entries: Record<string, Record<string, { rounds: number[] }>> }
    broken.entries[keys[2]!]![environment.id]!.rounds[0] = -1
    const text = `${JSON.stringify(broken, null, 2)}\n`
    fs.files.set(path, text)
    await expect(BaselineFile.open(fs, path, 'new')).rejects.toThrow(`entries["${keys[2]}"]["${environment.id}"] holds a sample or round of -1 ms`)

    const file = await BaselineFile.open(fs, path, 'all')
    const result = await checkBaseline(run(0.3, 600), contextOf(file, keys[2]!, 'all'), resolveBaselineOptions({}, defaultConfig))
    expect([result.verdict, result.written, result.pass]).toEqual(['new', 'recorded', true])
    expect(result.warnings[0]).toBe(
      `perfgate: the baseline for "${keys[2]}" in baselines/test/a.test.ts.json could not be read ` +
        `(entries["${keys[2]}"]["${environment.id}"] holds a sample or round of -1 ms: times must be positive); -u recorded it again`,
    )
    const saved = parseBaselineFile(fs.files.get(path)!, path)
    expect(saved.entries[keys[2]!]?.[environment.id]?.rounds.every((round) => round > 0)).toBe(true)
    expect(without(saved, keys[2]!)).toEqual(without(original, keys[2]!))
  })
})
