/**
 * Baseline keys are exact: per test (not per file) under `describe.concurrent`, unambiguous
 * between a test's second comparison and a test named `x 2`, never shared by two tests named alike, and files with perfgate 0.1's keys
 * are read and moved to the exact keys. Real Vitest concurrency, real files in a scratch root.
 */
import assert from 'node:assert/strict'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { defaultConfig } from '../../src/config/config.js'
import { checkBaseline, openBaselineCheck, resolveBaselineOptions } from '../../src/gate/check-baseline.js'
import { benchmark } from '../../src/measure/benchmark.js'
import { keptRecords } from '../../src/gate/session.js'
import { baselineFilePath } from '../../src/baselines/path.js'
import '../../src/runners/vitest.js'
import { useScratchRoot } from './scratch-root.js'

const root = useScratchRoot('perfgate-keys-')
const quick = { time: 20, warmupTime: 0, rounds: 2 }
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))



function keysIn(path: string): string[] {
  return Object.keys((JSON.parse(readFileSync(path, 'utf8')) as { entries: Record<string, unknown> }).entries).sort()
}

const thisFile = baselineFilePath({ rootDir: root, baselineDir: defaultConfig.baselineDir, testFile: import.meta.filename })

describe.concurrent('conc', () => {
  for (const n of [1, 2, 3, 4, 5]) {
    it(`t${n}`, async ({ expect }) => {
      // Uneven waits, so that the five tests interleave.
      await sleep((5 - n) * 7)
      await expect(() => Math.sqrt(n)).toMatchBaseline(quick)
      await sleep(n * 3)
      await expect(() => Math.cbrt(n)).toMatchBaseline(quick)
    })
  }
})

describe.concurrent('global expect in concurrent tests', () => {
  for (const n of [1, 2]) {
    it(`g${n}`, async () => {
      // The global `expect` names the test started last, not the one asking: perfgate refuses to guess.
      await sleep(n * 5)
      const error = await expect(() => n).toMatchBaseline(quick).then(
        () => undefined,
        (thrown: unknown) => thrown,
      )
      assert.ok(error instanceof Error, 'toMatchBaseline with the global expect in a concurrent test must throw')
      assert.equal((error as { code?: string }).code, 'PERFGATE_UNKNOWN_TEST')
      assert.match(error.message, /test context's expect/)
      // A budget still decides, but its record is kept under no test: the global expect would name another one.
      await expect(() => n).toRespondWithin(1000, { samples: 5, warmup: 0 })
    })
  }
})

describe('records of concurrent tests on the global expect', () => {
  it('are kept under no test name, never under the name of the test started last', () => {
    const mine = keptRecords().filter((record) => record.testFile === import.meta.filename && record.kind === 'latency')
    expect(mine).toHaveLength(2)
    expect(mine.map((record) => record.testName)).toEqual(['', ''])
  })
})

describe('named alike', () => {
  // Two tests with the same titles (a test.each without a placeholder, say) would share one entry:
  // the second is refused, naming the test, instead of being compared with the first one's baseline.
  for (const n of [1, 2]) {
    it('twice', async () => {
      const outcome = await expect(() => Math.sqrt(n)).toMatchBaseline(quick).then(
        () => undefined,
        (thrown: unknown) => thrown,
      )
      if (n === 1) {
        assert.equal(outcome, undefined)
        // The first test's own second comparison is its own: no namesake.
        await expect(() => Math.sqrt(n)).toMatchBaseline(quick)
      }
      // Baselines named apart never share an entry, whichever test compares them.
      await expect(() => Math.sqrt(n)).toMatchBaseline({ ...quick, name: `n${n}` })
      if (n === 1) return
      assert.ok(outcome instanceof Error, 'the second test named alike must be refused')
      assert.equal((outcome as { code?: string }).code, 'PERFGATE_DUPLICATE_TEST')
      assert.match(outcome.message, /Another test in .*baseline-keys\.test\.ts is also named "named alike > twice": their baselines would share one entry/)
      assert.match(outcome.message, /test\.each, put a placeholder/)
    })
  }
})

describe('keys', () => {
  it('five concurrent tests with two anonymous comparisons each wrote ten exact keys, and the refused ones none', () => {
    expect(keysIn(thisFile)).toEqual([...[1, 2, 3, 4, 5].flatMap((n) => [`conc > t${n}`, `conc > t${n} #2`]), 'named alike > twice', 'named alike > twice #2', 'named alike > twice >> n1', 'named alike > twice >> n2'].sort())
  })

  it("x's second comparison and a test named 'x 2' get their own entries", async () => {
    // Keys are built from the test's titles, so a core-level site stands in for the two tests.
    const config = defaultConfig
    const options = resolveBaselineOptions(quick, config)
    const site = (testName: string, token: object) => ({ testFile: join(root, 'pair.test.ts'), testName, test: { titles: [testName], token, attempt: 0 } })
    const x = site('x', {})
    const x2 = site('x 2', {})
    const first = await openBaselineCheck(x, undefined, 'new', root, config)
    const second = await openBaselineCheck(x, undefined, 'new', root, config)
    const other = await openBaselineCheck(x2, undefined, 'new', root, config)
    expect([first.key, second.key, other.key]).toEqual(['x', 'x #2', 'x 2'])
    const fast = await benchmark('fast', () => Math.sqrt(2), quick)
    const slow = await benchmark('slow', () => {
      let sum = 0
      for (let i = 0; i < 20_000; i++) sum += Math.sqrt(i)
      return sum
    }, quick)
    expect((await checkBaseline(fast, second, options)).verdict).toBe('new')
    // perfgate 0.1 compared this with x's second entry (a far faster function): a false regression.
    expect((await checkBaseline(slow, other, options)).verdict).toBe('new')
  })

  it("reads a file with perfgate 0.1's keys under the exact keys, and moves them when the run may write", async () => {
    const config = defaultConfig
    const options = resolveBaselineOptions(quick, config)
    const result = await benchmark('sum', () => Math.sqrt(3), quick)
    // Record under today's keys in one file, then write its text with the old keys to another test file's baseline.
    const site = (testFile: string, testName: string) => ({ testFile: join(root, testFile), testName, test: { titles: testName.split(' > '), token: {}, attempt: 0 } })
    const recorder = site('recorder.test.ts', 'c')
    const named = await openBaselineCheck(recorder, 'd', 'new', root, config)
    await checkBaseline(result, named, options)
    const recorderPath = baselineFilePath({ rootDir: root, baselineDir: config.baselineDir, testFile: recorder.testFile })
    const legacyText = readFileSync(recorderPath, 'utf8').replace('"c >> d"', '"c > d"')
    const legacyPath = baselineFilePath({ rootDir: root, baselineDir: config.baselineDir, testFile: join(root, 'legacy.test.ts') })
    mkdirSync(join(root, config.baselineDir), { recursive: true })
    writeFileSync(legacyPath, legacyText)

    const context = await openBaselineCheck(site('legacy.test.ts', 'c'), 'd', 'new', root, config)
    expect(context.key).toBe('c >> d')
    const check = await checkBaseline(result, context, options)
    expect(check.verdict).not.toBe('new')
    expect(check.comparison).not.toBeNull()
    expect(keysIn(legacyPath)).toEqual(['c >> d'])
  })
})
