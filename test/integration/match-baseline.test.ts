import { chmodSync, existsSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFixtureServer } from '../../fixtures/server.js'
import type { FixtureServer } from '../../fixtures/server.js'
import { benchmark } from '../../src/measure/benchmark.js'
import { measure } from '../../src/measure/latency.js'
import '../../src/runners/vitest.js'
import { useScratchRoot } from './scratch-root.js'

// Baselines of this file go to a scratch project root, never into the repository.
const root = useScratchRoot('perfgate-match-baseline-')
let server: FixtureServer

beforeAll(async () => {
  server = await startFixtureServer()
})

afterAll(async () => {
  await server.close()
})

function storedKeys(): string[] {
  const externalDir = join(root, 'baselines', '__external__')
  if (!existsSync(externalDir)) return []
  const [file] = readdirSync(externalDir)
  if (file === undefined) return []
  const content = JSON.parse(readFileSync(join(externalDir, file), 'utf8')) as { entries: Record<string, unknown> }
  return Object.keys(content.entries)
}

describe('toMatchBaseline', () => {
  it('records a benchmark() result, then compares the next one with it', async () => {
    const work = (): number => {
      let sum = 0
      for (let i = 0; i < 300; i++) sum += Math.sqrt(i)
      return sum
    }
    await expect(await benchmark('work', work, { time: 100, warmupTime: 20 })).toMatchBaseline({ name: 'from result' })
    expect(storedKeys()).toContain('toMatchBaseline > records a benchmark() result, then compares the next one with it >> from result')
  })

  it('records a measure() result of an endpoint', async () => {
    await expect(await measure(`${server.url}/fast`, { samples: 20 })).toMatchBaseline()
    expect(storedKeys()).toContain('toMatchBaseline > records a measure() result of an endpoint')
  })

  it('numbers several anonymous baselines in one test', async () => {
    await expect(() => Math.sqrt(2)).toMatchBaseline({ time: 30, warmupTime: 0 })
    await expect(() => Math.sqrt(3)).toMatchBaseline({ time: 30, warmupTime: 0 })
    const keys = storedKeys()
    expect(keys).toContain('toMatchBaseline > numbers several anonymous baselines in one test')
    expect(keys).toContain('toMatchBaseline > numbers several anonymous baselines in one test #2')
  })

  it.each([
    ['a received value that is not a function or result', 42, undefined, /`received`/],
    ['a bad threshold', () => 1, { threshold: -1 }, /`options\.threshold`/],
    ['a threshold of 20 (2000%, meant as 20%: a gate that never fails)', () => 1, { threshold: 20 }, /`options\.threshold` to be a number greater than 0 and less than 10 \(0\.1 means 10%\)/],
    ['a bad statistic', () => 1, { statistic: 'p99' }, /`options\.statistic`/],
    ['a bad onInconclusive', () => 1, { onInconclusive: 'ignore' }, /`options\.onInconclusive`/],
    ['an empty name', () => 1, { name: '' }, /`options\.name`/],
    ['maxTime below time', () => 1, { time: 500, maxTime: 100 }, /`options\.maxTime`/],
    ['an unknown option', () => 1, { treshold: 0.2 }, /Unknown option `treshold`/],
  ])('throws a TypeError for %s, before measuring', async (_label, received, options, pattern) => {
    let called = false
    const target = typeof received === 'function' ? () => (called = true) : received
    await expect(expect(target).toMatchBaseline(options as never)).rejects.toThrow(TypeError)
    await expect(expect(target).toMatchBaseline(options as never)).rejects.toThrow(pattern)
    expect(called).toBe(false)
  })

  it.runIf(process.platform !== 'win32')('says a read-only baseline file is read-only, not that the test ran out of time', async () => {
    await expect(() => Math.sqrt(2)).toMatchBaseline({ name: 'first', time: 30, warmupTime: 0 })
    const externalDir = join(root, 'baselines', '__external__')
    const file = join(externalDir, readdirSync(externalDir)[0] as string)
    chmodSync(file, 0o444)
    try {
      const error = await expect(() => Math.sqrt(3)).toMatchBaseline({ name: 'second', time: 30, warmupTime: 0 }).then(
        () => undefined,
        (thrown: unknown) => thrown as Error & { code?: string },
      )
      expect(error?.code).toBe('PERFGATE_BASELINE_READONLY')
      expect(error?.message).toContain('is read-only; perfgate does not replace it')
      expect(error?.message).not.toContain("stopped before the test's timeout")
    } finally {
      chmodSync(file, 0o644)
    }
  })

  it('fails a measure() result of an endpoint that did not answer with its reasons, and records nothing', async () => {
    // A port that refuses connections: a loopback server's, once closed.
    const closed = await startFixtureServer()
    await closed.close()
    const down = await measure(`${closed.url}/fast`, { samples: 5, warmup: 0 })
    const error = await expect(down)
      .toMatchBaseline({ name: 'down' })
      .then(
        () => undefined,
        (thrown: unknown) => thrown as Error & { code?: string },
      )
    expect(error?.code).toBe('PERFGATE_BENCHMARK_FAILED')
    expect(error?.message).toContain('the measure() result has no successful request to compare with its baseline')
    expect(error?.message).toContain(`Target:   ${closed.url}/fast`)
    expect(error?.message).toMatch(/Outcomes: ECONNREFUSED 5/)
    expect(storedKeys().some((key) => key.endsWith('>> down'))).toBe(false)
  })

  let notAwaited: Promise<unknown> | undefined

  it('starts a 20-second toMatchBaseline without await, so the test ends while it samples', async () => {
    notAwaited = expect(() => Math.sqrt(2))
      .toMatchBaseline({ name: 'not awaited', time: 20_000, warmupTime: 0 })
      .then(
        () => undefined,
        (thrown: unknown) => thrown,
      )
    await new Promise((resolve) => setTimeout(resolve, 50))
  })

  it('...fails saying that its test ended before it finished and asking whether it is awaited, and records nothing', async () => {
    const error = (await notAwaited) as Error | undefined
    expect(error?.message).toMatch(/^toMatchBaseline stopped: its test ended before it finished; .*\. The baseline file was not touched\./)
    expect(error?.message).toContain('Is it awaited? Without `await expect(…).toMatchBaseline(…)`')
    expect(storedKeys().some((key) => key.endsWith('>> not awaited'))).toBe(false)
  })

  it('refuses .not, which has no clear meaning for a baseline', async () => {
    await expect(expect(() => 1).not.toMatchBaseline()).rejects.toThrow(/cannot be negated/)
  })
})
