import path from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { baselineFilePath, baselineKey, legacyBaselineKey } from '../../src/baselines/path.js'
import { PerfgateError, PerfgateTypeError } from '../../src/common/errors.js'
import { seededRandom } from '../../src/stats/index.js'

// These paths are POSIX; on Windows the same rules hold with drive letters and backslashes.
const rootDir = '/home/dev/app'

function isInside(dir: string, file: string): boolean {
  const relative = path.relative(dir, file)
  return relative !== '' && relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative)
}

describe.runIf(path.sep === '/')('baselineFilePath', () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it('mirrors the test file under baselineDir, relative to the root', () => {
    expect(baselineFilePath({ rootDir, baselineDir: 'baselines', testFile: 'test/parser.test.ts' })).toBe(
      '/home/dev/app/baselines/test/parser.test.ts.json',
    )
  })

  it('accepts an absolute test file inside the root', () => {
    expect(baselineFilePath({ rootDir, baselineDir: 'baselines', testFile: '/home/dev/app/test/unit/a.test.ts' })).toBe(
      '/home/dev/app/baselines/test/unit/a.test.ts.json',
    )
  })

  it('accepts an absolute baselineDir inside the root', () => {
    expect(baselineFilePath({ rootDir, baselineDir: '/home/dev/app/perf/baselines', testFile: 'test/a.test.ts' })).toBe(
      '/home/dev/app/perf/baselines/test/a.test.ts.json',
    )
  })

  it.each(['/var/perf/baselines', '../sibling-baselines', '..', 'baselines/../../app-other'])('rejects a baselineDir outside the root (%s), naming the key', (baselineDir) => {
    let error: unknown
    try {
      baselineFilePath({ rootDir, baselineDir, testFile: 'test/a.test.ts' })
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(PerfgateError)
    expect(error).toMatchObject({ code: 'PERFGATE_CONFIG_INVALID' })
    expect((error as Error).message).toContain(`Expected \`baselineDir\` to be a folder inside the project root ${rootDir}, got ${JSON.stringify(baselineDir)}`)
  })

  it('normalizes `..` segments that stay inside the root', () => {
    expect(baselineFilePath({ rootDir, baselineDir: './baselines/', testFile: 'test/../bench/x.test.ts' })).toBe(
      '/home/dev/app/baselines/bench/x.test.ts.json',
    )
  })

  it('keeps a test file outside the root inside baselineDir, under __external__, named by its file name and a hash', () => {
    const result = baselineFilePath({ rootDir, baselineDir: 'baselines', testFile: '/home/dev/shared/test/a.test.ts' })
    expect(path.dirname(result)).toBe('/home/dev/app/baselines/__external__')
    expect(path.basename(result)).toMatch(/^a\.test\.ts\.[0-9a-f]{8}\.json$/)
  })

  it('names an outside test file the same on every machine with the same layout, and shows none of its directories', () => {
    const on = (root: string, testFile: string): string => path.relative(root, baselineFilePath({ rootDir: root, baselineDir: 'baselines', testFile }))
    const alice = on('/home/alice/projects/app', '/home/alice/projects/shared/test/a.test.ts')
    const ci = on('/builds/ci-runner-7/app', '/builds/ci-runner-7/shared/test/a.test.ts')
    expect(alice).toBe(ci)
    for (const part of ['home', 'alice', 'projects', 'builds', 'shared']) expect(alice).not.toContain(part)
    // From a temporary directory: nothing of its path reaches the name.
    expect(on(rootDir, '/tmp/vitest-x1y2/a.test.ts')).toMatch(/^baselines\/__external__\/a\.test\.ts\.[0-9a-f]{8}\.json$/)
  })

  it('keeps apart two outside files of the same name', () => {
    const a = baselineFilePath({ rootDir, baselineDir: 'baselines', testFile: '/srv/x/c.test.ts' })
    const b = baselineFilePath({ rootDir, baselineDir: 'baselines', testFile: '/srv/y/c.test.ts' })
    expect(a).not.toBe(b)
  })

  it('is always inside baselineDir, whatever the test file', () => {
    const testFiles = [
      '../../../../etc/passwd',
      '../app-other/test/a.test.ts',
      '/etc/passwd',
      '/',
      '.',
      '..',
      '..hidden/a.test.ts',
      'test/../../escape.test.ts',
      '/home/dev/app/../app2/x.test.ts',
      'test/with spaces & $ymbols/ä.test.ts',
    ]
    for (const baselineDir of ['baselines', '/home/dev/app/perf/baselines', 'perf/../baselines', '.']) {
      const dir = path.resolve(rootDir, baselineDir)
      for (const testFile of testFiles) {
        const result = baselineFilePath({ rootDir, baselineDir, testFile })
        expect(path.isAbsolute(result), `${baselineDir} + ${testFile}`).toBe(true)
        expect(isInside(dir, result), `${result} inside ${dir}`).toBe(true)
        expect(result.endsWith('.json')).toBe(true)
      }
    }
  })

  it('keeps a file named `..something` inside the root as an ordinary relative path', () => {
    expect(baselineFilePath({ rootDir, baselineDir: 'baselines', testFile: '..hidden/a.test.ts' })).toBe(
      '/home/dev/app/baselines/..hidden/a.test.ts.json',
    )
  })

  it('refuses a result outside baselineDir if the mapping ever produced one', () => {
    vi.spyOn(path, 'join').mockReturnValueOnce('/home/dev/elsewhere/a.test.ts.json')
    let error: unknown
    try {
      baselineFilePath({ rootDir, baselineDir: 'baselines', testFile: 'test/a.test.ts' })
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(PerfgateError)
    expect(error).toMatchObject({ code: 'PERFGATE_BASELINE_INVALID' })
  })

  it('rejects an empty path with a TypeError', () => {
    expect(() => baselineFilePath({ rootDir, baselineDir: 'baselines', testFile: '' })).toThrow(PerfgateTypeError)
    expect(() => baselineFilePath({ rootDir: '', baselineDir: 'baselines', testFile: 'a.test.ts' })).toThrow(/`rootDir`/)
  })
})

describe('baselineKey', () => {
  const line = ['parser', 'parses a line']

  it('is the full test name for the first anonymous comparison', () => {
    expect(baselineKey(line, undefined, 1)).toBe('parser > parses a line')
  })

  it('appends the name after >> when one is given', () => {
    expect(baselineKey(line, 'cold cache', 1)).toBe('parser > parses a line >> cold cache')
  })

  it('counts further comparisons of one key base in one test from #2 on', () => {
    expect(baselineKey(line, undefined, 2)).toBe('parser > parses a line #2')
    expect(baselineKey(line, undefined, 3)).toBe('parser > parses a line #3')
    expect(baselineKey(line, 'cold cache', 2)).toBe('parser > parses a line >> cold cache #2')
  })

  it("keeps apart what perfgate 0.1 gave one key: test x's second comparison and test 'x 2'; name d in test c and test d in describe c", () => {
    // Each pair shared one key before (legacyBaselineKey shows how).
    expect(legacyBaselineKey('x', undefined, 2)).toBe(legacyBaselineKey('x 2', undefined, 1))
    expect(legacyBaselineKey('c', 'd', 1)).toBe(legacyBaselineKey('c > d', undefined, 1))
    expect(baselineKey(['x'], undefined, 2)).not.toBe(baselineKey(['x 2'], undefined, 1))
    expect(baselineKey(['c'], 'd', 1)).not.toBe(baselineKey(['c', 'd'], undefined, 1))
    // A title with the separators in it is escaped, so it cannot pose as a nested test or a name.
    expect(baselineKey(['c > d'], undefined, 1)).toBe('c \\> d')
    expect(baselineKey(['x #2'], undefined, 1)).toBe('x \\#2')
    expect(baselineKey(['a\\b'], undefined, 1)).toBe('a\\\\b')
  })

  it('gives different comparisons different keys (20 000 random titles, names and counts from an alphabet of separators)', () => {
    const random = seededRandom(7)
    const alphabet = ['a', ' ', '>', '#', '\\', '2', '>>']
    const text = (): string => Array.from({ length: 1 + Math.floor(random() * 5) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('')
    const seen = new Map<string, string>()
    for (let i = 0; i < 20_000; i++) {
      const titles = Array.from({ length: 1 + Math.floor(random() * 3) }, text)
      const name = random() < 0.5 ? undefined : text()
      const occurrence = 1 + Math.floor(random() * 3)
      const identity = JSON.stringify([titles, name ?? null, occurrence])
      const key = baselineKey(titles, name, occurrence)
      const before = seen.get(key)
      if (before !== undefined && before !== identity) expect.fail(`${before} and ${identity} share the key ${JSON.stringify(key)}`)
      seen.set(key, identity)
    }
    expect(seen.size).toBeGreaterThan(10_000)
  })

  it('keeps path-like test names as plain text', () => {
    expect(baselineKey(['../../etc/passwd'], '../x', 1)).toBe('../../etc/passwd >> ../x')
  })

  it('rejects an occurrence below 1 or fractional, an empty name and no titles', () => {
    expect(() => baselineKey(['t'], undefined, 0)).toThrow(PerfgateTypeError)
    expect(() => baselineKey(['t'], undefined, 1.5)).toThrow(PerfgateTypeError)
    expect(() => baselineKey(['t'], '', 1)).toThrow(/`name`/)
    expect(() => baselineKey([], undefined, 1)).toThrow(/`titles`/)
    expect(() => baselineKey([''], undefined, 1)).toThrow(/`titles`/)
  })
})
