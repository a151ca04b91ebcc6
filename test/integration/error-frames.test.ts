/**
 * An error thrown after a matcher's first await points at the test's `expect(…)` line: the
 * caller's frames are appended to a copy, so two tests that meet the one error of a corrupt
 * baseline file (opened once per process) each point at their own line.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { baselineFilePath } from '../../src/baselines/path.js'
import { PerfgateError } from '../../src/common/errors.js'
import '../../src/runners/vitest.js'
import { useScratchRoot } from './scratch-root.js'

const root = useScratchRoot('perfgate-error-frames-')
const thisFile = fileURLToPath(import.meta.url)
const errors: Error[] = []

beforeAll(() => {
  const path = baselineFilePath({ rootDir: root, baselineDir: 'baselines', testFile: thisFile })
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, '{ "version": 1, oops')
})

/** The line of `marker` in this file, 1-based. */
function lineOf(marker: string): number {
  return readFileSync(thisFile, 'utf8').split('\n').findIndex((line) => line.includes(marker) && !line.includes('lineOf')) + 1
}

// At once, so that both wait for the one opening of the file and get its one error.
describe.concurrent('a corrupt baseline file met by two tests at once', () => {
  it('first', async ({ expect }) => {
    errors[0] = await expect(() => 1).toMatchBaseline().then(() => new Error('passed'), (error: Error) => error) // first-line
  })

  it('second', async ({ expect }) => {
    errors[1] = await expect(() => 2).toMatchBaseline().then(() => new Error('passed'), (error: Error) => error) // second-line
  })
})

describe('the two errors', () => {
  it('gave each its own copy, pointing at its own line, still a PerfgateError with its code', () => {
    const [first, second] = errors
    expect(first?.message).toMatch(/Cannot parse the baseline file/)
    expect(first).not.toBe(second)
    expect(first).toBeInstanceOf(PerfgateError)
    expect((first as { code?: string }).code).toBe('PERFGATE_BASELINE_PARSE')
    expect(first?.stack).toContain(`error-frames.test.ts:${lineOf('// first-line')}:`)
    expect(first?.stack).not.toContain(`error-frames.test.ts:${lineOf('// second-line')}:`)
    expect(second?.stack).toContain(`error-frames.test.ts:${lineOf('// second-line')}:`)
  })
})
