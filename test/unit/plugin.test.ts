import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { PerfgateError } from '../../src/common/errors.js'
import { perfgate } from '../../src/runners/plugin.js'
import { PerfgateReporter } from '../../src/runners/reporter.js'

let rootDir: string

beforeEach(async () => {
  rootDir = await mkdtemp(join(tmpdir(), 'perfgate-plugin-'))
})

afterEach(async () => {
  await rm(rootDir, { recursive: true, force: true })
})

describe('perfgate() plugin', () => {
  it("rejects in Vite's config hook on an error in perfgate.config.json5, naming the file: Vitest stops once, at startup", async () => {
    const path = join(rootDir, 'perfgate.config.json5')
    await writeFile(path, '{ thresold: 0.2 }')
    const error = await perfgate()
      .config({ root: rootDir })
      .then(
        () => undefined,
        (rejection: unknown) => rejection,
      )
    expect(error).toBeInstanceOf(PerfgateError)
    expect((error as PerfgateError).code).toBe('PERFGATE_CONFIG_INVALID')
    expect((error as PerfgateError).message).toContain(`Unknown key \`thresold\` in ${path}; did you mean \`threshold\`?`)
  })

  it.each([
    ['PERFGATE_UPDATE', 'bogus', "PERFGATE_UPDATE must be 'all', 'new' or 'none', got \"bogus\""],
    ['PERFGATE_RECORD', 'ad', "PERFGATE_RECORD must be 'add' or 'replace', got \"ad\""],
    ['PERFGATE_MODE', 'measur', "PERFGATE_MODE must be 'measure' or 'gate', got \"measur\""],
  ])('rejects a wrong %s once, at startup, instead of failing every baseline check', async (name, value, message) => {
    const before = process.env[name]
    process.env[name] = value
    try {
      await expect(perfgate().config({ root: rootDir })).rejects.toThrow(message)
    } finally {
      if (before === undefined) delete process.env[name]
      else process.env[name] = before
    }
  })

  it('takes PERFGATE_ROOT as the root when it is set (the reporter does), and rejects one that is no folder', async () => {
    const before = process.env['PERFGATE_ROOT']
    const other = await mkdtemp(join(tmpdir(), 'perfgate-plugin-root-'))
    try {
      process.env['PERFGATE_ROOT'] = other
      expect((await perfgate().config({ root: rootDir })).test.env.PERFGATE_ROOT).toBe(other)
      // Empty is unset, as for the other variables.
      process.env['PERFGATE_ROOT'] = ''
      expect((await perfgate().config({ root: rootDir })).test.env.PERFGATE_ROOT).toBe(rootDir)
      process.env['PERFGATE_ROOT'] = join(other, 'missing')
      await expect(perfgate().config({ root: rootDir })).rejects.toThrow(`PERFGATE_ROOT must be an existing folder (the project root), got ${JSON.stringify(join(other, 'missing'))}`)
    } finally {
      if (before === undefined) delete process.env['PERFGATE_ROOT']
      else process.env['PERFGATE_ROOT'] = before
      await rm(other, { recursive: true, force: true })
    }
  })

  it('throws a TypeError naming setupFile or reporter when it is not a boolean', () => {
    expect(() => perfgate({ reporter: 'yes' } as never)).toThrow(/Expected `options\.reporter` to be true or false, got "yes"/)
    expect(() => perfgate({ setupFile: 0 } as never)).toThrow(TypeError)
    expect(() => perfgate(null as never)).toThrow(/`options`/)
  })

  it('checks the file together with its own options (benchmark.maxTime below a plugin benchmark.time)', async () => {
    await writeFile(join(rootDir, 'perfgate.config.json'), '{ "benchmark": { "maxTime": 500 } }')
    await expect(perfgate({ benchmark: { time: 1000 } }).config({ test: { root: rootDir } })).rejects.toThrow(
      'Expected `benchmark.maxTime` (500) to be at least `benchmark.time` (1000)',
    )
  })

  it('hands the root and its options to the workers when the file is fine (or missing)', async () => {
    const withoutFile = await perfgate({ threshold: 0.2 }).config({ root: rootDir })
    expect(withoutFile.test.env).toEqual({ PERFGATE_ROOT: rootDir, PERFGATE_PLUGIN_OPTIONS: '{"threshold":0.2}', PERFGATE_REPORTER: '1' })
    expect((await perfgate({ reporter: false }).config({ root: rootDir })).test.env).not.toHaveProperty('PERFGATE_REPORTER')
    await writeFile(join(rootDir, 'perfgate.config.json5'), '// fine\n{ alpha: 0.05 }')
    const withFile = await perfgate({ setupFile: false }).config({ root: rootDir })
    expect(withFile.test.setupFiles).toEqual([])
  })

  it('adds its reporter to Vitest once (every project runs the hook), unless listed or turned off', () => {
    const plugin = perfgate()
    const vitest = { config: { reporters: [['default', {}]] as unknown[] } }
    plugin.configureVitest({ vitest })
    plugin.configureVitest({ vitest })
    expect(vitest.config.reporters).toHaveLength(2)
    expect(vitest.config.reporters[1]).toBeInstanceOf(PerfgateReporter)
    const listed = { config: { reporters: [['default', {}], ['perfgate/reporter', {}]] as unknown[] } }
    perfgate().configureVitest({ vitest: listed })
    expect(listed.config.reporters).toHaveLength(2)
    const off = { config: { reporters: [['default', {}]] as unknown[] } }
    perfgate({ reporter: false }).configureVitest({ vitest: off })
    expect(off.config.reporters).toHaveLength(1)
  })
})
