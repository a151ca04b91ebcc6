/**
 * Measure-only mode (`PERFGATE_MODE=measure`, how `perfgate ab` runs a suite): toMatchBaseline
 * measures and keeps a record of what it measured, under the key it would have, and never reads
 * or writes a baseline file — not even an unreadable one.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { baselineFilePath } from '../../src/baselines/path.js'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { keptRecords } from '../../src/gate/session.js'
import type { BaselineCheckRecord } from '../../src/gate/records.js'
import { benchmark } from '../../src/measure/benchmark.js'
import { resolveMeasureOnly } from '../../src/baselines/update-mode.js'
import '../../src/runners/vitest.js'
import { useScratchRoot } from './scratch-root.js'

const root = useScratchRoot('perfgate-measure-only-')
// Where the gate would keep this file's baselines: not JSON, so a check that read it would fail with PERFGATE_BASELINE_PARSE.
const baselinePath = baselineFilePath({ rootDir: root, baselineDir: 'baselines', testFile: fileURLToPath(import.meta.url) })

beforeAll(() => {
  vi.stubEnv('PERFGATE_MODE', 'measure')
  mkdirSync(dirname(baselinePath), { recursive: true })
  writeFileSync(baselinePath, '{ not json')
})

function baselineRecords(): BaselineCheckRecord[] {
  return keptRecords().filter((record): record is BaselineCheckRecord => record.kind === 'baseline')
}

describe('measure-only mode', () => {
  it('measures a function and a benchmark() result, keys them as the gate would, and touches no baseline file', async () => {
    await expect(() => Math.sqrt(2)).toMatchBaseline({ time: 30, warmupTime: 0 })
    await expect(await benchmark('sum', () => [1, 2, 3].reduce((a, b) => a + b), { time: 30, warmupTime: 0 })).toMatchBaseline({ name: 'result' })
    await expect(() => Math.sqrt(3)).toMatchBaseline({ time: 30, warmupTime: 0 })
    const records = baselineRecords().slice(-3)
    expect(records.map((record) => record.key)).toEqual([
      'measure-only mode > measures a function and a benchmark() result, keys them as the gate would, and touches no baseline file',
      'measure-only mode > measures a function and a benchmark() result, keys them as the gate would, and touches no baseline file >> result',
      'measure-only mode > measures a function and a benchmark() result, keys them as the gate would, and touches no baseline file #2',
    ])
    for (const record of records) {
      expect(record).toMatchObject({ verdict: 'measured', pass: true, comparison: null, baseline: null, written: null, updateMode: 'none' })
      expect(record.measurement?.rounds.length).toBeGreaterThan(0)
      expect(record.measurement?.summary?.median).toBeGreaterThan(0)
    }
    expect(readFileSync(baselinePath, 'utf8')).toBe('{ not json')
    expect(readdirSync(join(root, 'baselines'), { recursive: true })).toEqual(['__external__', join('__external__', baselinePath.split('/').at(-1) ?? '')])
  })

  // Two tests named alike are refused by the gate (PERFGATE_DUPLICATE_TEST), not here: perfgate ab
  // runs the base in this mode, and a base may still have them (the pull request renaming them).
  for (const n of [1, 2]) {
    it('measures two tests named alike', async () => {
      await expect(() => Math.sqrt(n)).toMatchBaseline({ time: 30, warmupTime: 0 })
      expect(baselineRecords().at(-1)).toMatchObject({ key: 'measure-only mode > measures two tests named alike', verdict: 'measured' })
    })
  }

  it('names the variable and its values when it is set to something else', () => {
    expect(() => resolveMeasureOnly({ PERFGATE_MODE: 'measure-only' })).toThrow(/PERFGATE_MODE must be 'measure' or 'gate', got "measure-only"/)
    expect(resolveMeasureOnly({ PERFGATE_MODE: 'gate' })).toBe(false)
    expect(resolveMeasureOnly({})).toBe(false)
  })
})
