import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  configFileNames,
  defaultConfig,
  parseConfigText,
  readConfigFile,
  resolveConfig,
  validateUserConfig,
} from '../../src/config/config.js'
import { PerfgateError } from '../../src/common/errors.js'
import { projectConfig } from '../../src/gate/session.js'

let rootDir: string

beforeEach(async () => {
  rootDir = await mkdtemp(join(tmpdir(), 'perfgate-config-'))
})

afterEach(async () => {
  await rm(rootDir, { recursive: true, force: true })
})

/** Runs `action`, expects a PerfgateError, and returns it for closer checks. */
async function caught(action: () => unknown): Promise<PerfgateError> {
  try {
    await action()
  } catch (error) {
    expect(error).toBeInstanceOf(PerfgateError)
    return error as PerfgateError
  }
  throw new Error('expected a PerfgateError, but nothing was thrown')
}

async function writeConfig(fileName: string, text: string): Promise<string> {
  const path = join(rootDir, fileName)
  await writeFile(path, text)
  return path
}

describe('defaults', () => {
  it('resolves to the documented defaults when no layer is given', () => {
    const config = resolveConfig()
    expect(config).toEqual({
      baselineDir: 'baselines',
      threshold: 0.1,
      alpha: 0.01,
      processAllowance: { benchmark: 1.25, latency: 2 },
      statistic: 'median',
      environment: 'strict',
      onInconclusive: 'warn',
      ci: { missingBaseline: 'fail' },
      benchmark: { time: 1000, warmupTime: 200, minSamples: 20, maxTime: 3000, rounds: 10 },
      respondWithin: {
        samples: 30,
        warmup: 3,
        percentile: 95,
        concurrency: 1,
        timeout: 10_000,
        allowFailures: 0,
        confidence: null,
      },
      successRate: { requests: 100, concurrency: 10, timeout: 10_000, confidence: null },
      report: { dir: '.perfgate', formats: ['text', 'md', 'json', 'html'] },
    })
    expect(config).toEqual(defaultConfig)
  })

  it('keeps defaultConfig deeply frozen and hands out fresh copies', () => {
    expect(Object.isFrozen(defaultConfig)).toBe(true)
    expect(Object.isFrozen(defaultConfig.benchmark)).toBe(true)
    expect(Object.isFrozen(defaultConfig.report.formats)).toBe(true)
    expect(Object.isFrozen(configFileNames)).toBe(true)

    const first = resolveConfig()
    first.benchmark.time = 1
    first.report.formats.push('json')
    expect(resolveConfig().benchmark.time).toBe(1000)
    expect(resolveConfig().report.formats).toEqual(['text', 'md', 'json', 'html'])
  })
})

describe('readConfigFile', () => {
  it('reads a json5 file with comments and trailing commas', async () => {
    const path = await writeConfig(
      'perfgate.config.json5',
      `// perfgate settings
{
  threshold: 0.2, /* looser: shared runners */
  benchmark: { time: 500, },
  report: { formats: ['md', 'json',], },
}
`,
    )
    await expect(readConfigFile(rootDir)).resolves.toEqual({
      path,
      config: { threshold: 0.2, benchmark: { time: 500 }, report: { formats: ['md', 'json'] } },
    })
  })

  it('says an empty config file is empty, and what to write instead', async () => {
    const path = await writeConfig('perfgate.config.json5', '  \n')
    await expect(readConfigFile(rootDir)).rejects.toThrow(`${path} is empty: write {} for the defaults (every key is optional), or delete it`)
  })

  it('falls back to perfgate.config.json', async () => {
    const path = await writeConfig('perfgate.config.json', '{ "alpha": 0.05 }')
    await expect(readConfigFile(rootDir)).resolves.toEqual({ path, config: { alpha: 0.05 } })
  })

  it('refuses two config files, naming both: one would be ignored in silence (a walkthrough edited the .json to no effect)', async () => {
    const json5 = await writeConfig('perfgate.config.json5', '{ alpha: 0.02 }')
    const json = await writeConfig('perfgate.config.json', '{ "alpha": 0.05 }')
    await expect(readConfigFile(rootDir)).rejects.toThrow(`Both ${json5} and ${json} exist: perfgate reads one config file. Merge them into one and delete the other.`)
  })

  it('accepts a baselineDir inside the project root, relative or absolute', async () => {
    const path = await writeConfig('perfgate.config.json5', `{ baselineDir: ${JSON.stringify(join(rootDir, 'perf', 'baselines'))} }`)
    await expect(readConfigFile(rootDir)).resolves.toEqual({ path, config: { baselineDir: join(rootDir, 'perf', 'baselines') } })
    await writeConfig('perfgate.config.json5', '{ baselineDir: "./perf/../baselines" }')
    await expect(readConfigFile(rootDir)).resolves.toMatchObject({ config: { baselineDir: './perf/../baselines' } })
  })

  it('rejects a baselineDir outside the project root in the plugin options, naming them', async () => {
    const env = { PERFGATE_PLUGIN_OPTIONS: JSON.stringify({ baselineDir: '../elsewhere' }) }
    const error = await caught(() => projectConfig(rootDir, env))
    expect(error.code).toBe('PERFGATE_CONFIG_INVALID')
    expect(error.message).toContain('Expected `baselineDir` in perfgate() plugin options to be a folder inside the project root')
  })

  it('returns an empty config and a null path when there is no file', async () => {
    await expect(readConfigFile(rootDir)).resolves.toEqual({ path: null, config: {} })
    await expect(readConfigFile(join(rootDir, 'no-such-dir'))).resolves.toEqual({ path: null, config: {} })
  })

  it('reports a syntax error with the file, line and column, and leaves the file untouched', async () => {
    const text = '{\n  threshold: 0.2,\n  alpha: ,\n}\n'
    const path = await writeConfig('perfgate.config.json5', text)
    const before = await readFile(path)

    const error = await caught(() => readConfigFile(rootDir))
    expect(error.code).toBe('PERFGATE_CONFIG_PARSE')
    expect(error.message).toContain(path)
    expect(error.message).toContain('line 3, column 10')
    expect(error.cause).toBeInstanceOf(SyntaxError)

    expect((await readFile(path)).equals(before)).toBe(true)
  })
})

describe('resolveConfig precedence', () => {
  it('lets matcher options beat plugin options beat the file beat the defaults, merging nested keys', async () => {
    await writeConfig(
      'perfgate.config.json5',
      '{ threshold: 0.2, alpha: 0.02, benchmark: { time: 400, rounds: 3 }, report: { formats: ["json"] } }',
    )
    const { config: fileConfig } = await readConfigFile(rootDir)
    const pluginOptions = validateUserConfig({ alpha: 0.03, benchmark: { rounds: 7 } }, 'plugin options')
    const matcherOptions = validateUserConfig({ alpha: 0.04, benchmark: { warmupTime: 0 } }, 'matcher options')

    const config = resolveConfig(fileConfig, pluginOptions, matcherOptions)

    expect(config.threshold).toBe(0.2) // file
    expect(config.alpha).toBe(0.04) // matcher
    expect(config.benchmark).toEqual({ time: 400, warmupTime: 0, minSamples: 20, maxTime: 3000, rounds: 7 })
    expect(config.report).toEqual({ dir: '.perfgate', formats: ['json'] }) // arrays replace
    expect(config.statistic).toBe('median') // default
  })

  it('skips undefined layers and undefined values', () => {
    const config = resolveConfig(undefined, { threshold: undefined, benchmark: { time: undefined } }, { alpha: 0.2 })
    expect(config.threshold).toBe(0.1)
    expect(config.benchmark.time).toBe(1000)
    expect(config.alpha).toBe(0.2)
  })

  it('lets a later layer turn confidence off again with null', () => {
    const config = resolveConfig({ respondWithin: { confidence: 0.95 } }, { respondWithin: { confidence: null } })
    expect(config.respondWithin.confidence).toBeNull()
  })
})

describe('benchmark.maxTime against benchmark.time', () => {
  it('rejects an explicit maxTime below time, naming both keys', async () => {
    const error = await caught(() => resolveConfig({ benchmark: { maxTime: 500 } }, { benchmark: { time: 2000 } }))
    expect(error.code).toBe('PERFGATE_CONFIG_INVALID')
    expect(error.message).toContain('`benchmark.maxTime` (500)')
    expect(error.message).toContain('`benchmark.time` (2000)')
  })

  it('raises the default maxTime to time when no layer sets maxTime', () => {
    expect(resolveConfig({ benchmark: { time: 5000 } }).benchmark.maxTime).toBe(5000)
    expect(resolveConfig({ benchmark: { time: 5000, maxTime: 5000 } }).benchmark.maxTime).toBe(5000)
  })
})

describe('validation', () => {
  it('names an unknown key with its path and the file, and suggests the closest known key', async () => {
    const path = await writeConfig('perfgate.config.json5', '{ benchmark: { tme: 500 } }')
    const error = await caught(() => readConfigFile(rootDir))
    expect(error.code).toBe('PERFGATE_CONFIG_INVALID')
    expect(error.message).toBe(
      `Unknown key \`benchmark.tme\` in ${path}; did you mean \`time\`? ` +
        'Known keys: time, warmupTime, minSamples, maxTime, rounds',
    )
  })

  it('lists the known keys without a guess when nothing is close', () => {
    expect(() => parseConfigText('{ colour: "red" }', 'perfgate.config.json5')).toThrow(
      /^Unknown key `colour` in perfgate\.config\.json5; known keys: baselineDir, threshold, /,
    )
  })

  it.each([
    ['threshold', '{ threshold: "10%" }', 'a number greater than 0 and less than 10', 'got "10%"'],
    ['threshold', '{ threshold: 0 }', 'a number greater than 0 and less than 10', 'got 0'],
    ['alpha', '{ alpha: 0.5 }', 'a number greater than 0 and less than 0.5', 'got 0.5'],
    ['statistic', '{ statistic: "p95" }', '"median" or "mean"', 'got "p95"'],
    ['environment', '{ environment: true }', '"strict", "warn" or "ignore"', 'got true'],
    ['ci.missingBaseline', '{ ci: { missingBaseline: "skip" } }', '"fail" or "warn"', 'got "skip"'],
    ['ci', '{ ci: "warn" }', 'an object', 'got "warn"'],
    ['benchmark.time', '{ benchmark: { time: -1 } }', 'greater than 0', 'got -1'],
    ['benchmark.time', '{ benchmark: { time: Infinity } }', 'greater than 0', 'got Infinity'],
    ['benchmark.minSamples', '{ benchmark: { minSamples: 2.5 } }', 'an integer from 1 and up', 'got 2.5'],
    ['benchmark.rounds', '{ benchmark: { rounds: 0 } }', 'an integer from 1 and up', 'got 0'],
    ['respondWithin.samples', '{ respondWithin: { samples: 0 } }', 'an integer from 1 to 1,000,000', 'got 0'],
    ['respondWithin.samples', '{ respondWithin: { samples: 1e8 } }', 'an integer from 1 to 1,000,000', 'got 100000000'],
    ['respondWithin.warmup', '{ respondWithin: { warmup: -1 } }', 'an integer from 0 and up', 'got -1'],
    ['respondWithin.percentile', '{ respondWithin: { percentile: 101 } }', 'at most 100', 'got 101'],
    ['respondWithin.percentile', '{ respondWithin: { percentile: "p95" } }', '"median", "mean" or "max"', 'got "p95"'],
    ['respondWithin.confidence', '{ respondWithin: { confidence: 1 } }', 'between 0 and 1', 'got 1'],
    ['successRate.concurrency', '{ successRate: { concurrency: 0 } }', 'an integer from 1 and up', 'got 0'],
    ['successRate.requests', '{ successRate: { requests: "100" } }', 'an integer from 1 to 10,000,000', 'got "100"'],
    ['report.formats', '{ report: { formats: ["md", "pdf"] } }', 'an array of distinct formats', 'got an array'],
    ['report.formats', '{ report: { formats: ["md", "md"] } }', 'an array of distinct formats', 'got an array'],
    ['baselineDir', '{ baselineDir: "" }', 'a non-empty string', 'got ""'],
    ['baselineDir', '{ baselineDir: "../shared-baselines" }', 'a folder inside the project root', 'got "../shared-baselines"'],
    ['baselineDir', '{ baselineDir: "/var/perf/baselines" }', 'a folder inside the project root', 'got "/var/perf/baselines"'],
  ])('rejects a bad `%s` (%s), naming the key and the file', async (key, text, expected, got) => {
    const path = await writeConfig('perfgate.config.json5', text)
    const error = await caught(() => readConfigFile(rootDir))
    expect(error.code).toBe('PERFGATE_CONFIG_INVALID')
    expect(error.message).toMatch(new RegExp(`^Expected \`${key.replace('.', '\\.')}\` in `))
    expect(error.message).toContain(`in ${path} to be `)
    expect(error.message).toContain(expected)
    expect(error.message).toContain(got)
  })

  it('rejects a top level that is not an object', () => {
    expect(() => parseConfigText('[1, 2]', 'perfgate.config.json')).toThrow(
      'Expected the configuration in perfgate.config.json to be an object, got an array [1,2]',
    )
  })

  it('names the source in errors about plugin and matcher options', async () => {
    const pluginError = await caught(() => validateUserConfig({ treshold: 0.1 }, 'plugin options'))
    expect(pluginError.message).toContain('Unknown key `treshold` in plugin options; did you mean `threshold`?')
    const matcherError = await caught(() => validateUserConfig({ alpha: -1 }, 'matcher options'))
    expect(matcherError.code).toBe('PERFGATE_CONFIG_INVALID')
    expect(matcherError.message).toContain('Expected `alpha` in matcher options to be')
  })

  it('accepts the edge values of each range', () => {
    const config = {
      respondWithin: { percentile: 100, warmup: 0, allowFailures: 0, confidence: 0.99 },
      benchmark: { warmupTime: 0 },
    }
    expect(validateUserConfig(config, 'plugin options')).toEqual(config)
    expect(validateUserConfig({ respondWithin: { percentile: 'max' } }, 'plugin options')).toEqual({
      respondWithin: { percentile: 'max' },
    })
  })
})

describe('huge and deeply nested input', () => {
  // A message quotes at most the start of what it got: a file can hold anything (the issue saw a
  // 20 MB value echoed whole; 2 MB shows the same without slowing the suite).
  const longestMessage = 1000

  it('quotes only the start of a 2 MB string value, with its length, naming the key and the file', async () => {
    const path = await writeConfig('perfgate.config.json5', `{ statistic: "${'x'.repeat(2_000_000)}" }`)
    const error = await caught(() => readConfigFile(rootDir))
    expect(error.code).toBe('PERFGATE_CONFIG_INVALID')
    expect(error.message.length).toBeLessThan(longestMessage)
    expect(error.message).toContain(`Expected \`statistic\` in ${path} to be "median" or "mean", got "xxxx`)
    expect(error.message).toContain('… (2000000 characters)')
  })

  it('quotes only the start of a huge array, with its length', () => {
    const error = (() => {
      try {
        parseConfigText(`{ report: { formats: ["md", ${'"pdf",'.repeat(300_000)}] } }`, 'perfgate.config.json5')
      } catch (caughtError) {
        return caughtError as PerfgateError
      }
      throw new Error('expected an error')
    })()
    expect(error.message.length).toBeLessThan(longestMessage)
    expect(error.message).toContain('Expected `report.formats` in perfgate.config.json5 to be an array of distinct formats')
    expect(error.message).toMatch(/got an array \["md","pdf",.*…\] \(300001 items\)$/)
  })

  it.each([
    ['under a key', (nested: string) => `{ threshold: ${nested} }`, 'Expected `threshold` in '],
    ['at the top level', (nested: string) => nested, 'Expected the configuration in '],
  ])('reports an array nested 100 000 deep %s naming the file, without overflowing the stack', async (_where, text, start) => {
    const nested = `${'['.repeat(100_000)}${']'.repeat(100_000)}`
    const path = await writeConfig('perfgate.config.json5', text(nested))
    const error = await caught(() => readConfigFile(rootDir))
    expect(error.code).toBe('PERFGATE_CONFIG_INVALID')
    expect(error.message.length).toBeLessThan(longestMessage)
    expect(error.message).toContain(`${start}${path} to be `)
    expect(error.message).toContain('got an array [[[[…]]]]')
  })

  it('cuts a huge unknown key in the message and still names the file', async () => {
    const path = await writeConfig('perfgate.config.json5', `{ benchmark: { "${'k'.repeat(1_000_000)}": 1 } }`)
    const error = await caught(() => readConfigFile(rootDir))
    expect(error.code).toBe('PERFGATE_CONFIG_INVALID')
    expect(error.message.length).toBeLessThan(longestMessage)
    expect(error.message).toMatch(/^Unknown key `benchmark\.k+… \(1000000 characters\)` in /)
    expect(error.message).toContain(`in ${path}; known keys: time, warmupTime`)
  })
})

describe('prototype safety', () => {
  it.each([
    ['__proto__', '{ "__proto__": { "polluted": true } }', '__proto__'],
    ['constructor', '{ constructor: { prototype: { polluted: true } } }', 'constructor'],
    ['nested __proto__', '{ benchmark: { "__proto__": { "polluted": true } } }', 'benchmark.__proto__'],
  ])('rejects a %s key in a file as unknown and pollutes nothing', async (_label, text, keyPath) => {
    const path = await writeConfig('perfgate.config.json5', text)
    const error = await caught(() => readConfigFile(rootDir))
    expect(error.code).toBe('PERFGATE_CONFIG_INVALID')
    expect(error.message).toContain(`Unknown key \`${keyPath}\` in ${path}`)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('ignores own __proto__ keys in layers handed straight to resolveConfig', () => {
    const layer = JSON.parse('{ "__proto__": { "polluted": true }, "benchmark": { "__proto__": { "x": 1 } } }')
    const config = resolveConfig(layer)
    expect(config).toEqual(resolveConfig())
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.getPrototypeOf(config)).toBe(Object.prototype)
  })
})
