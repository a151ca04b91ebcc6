import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { parseBaselineFile, serializeBaselineFile } from '../../src/baselines/format.js'
import { BaselineFile, memoryBaselineFileSystem, nodeBaselineFileSystem } from '../../src/baselines/store.js'
import type { BaselineFileContent, BaselineRecord, UpdateMode } from '../../src/baselines/types.js'
import type { Environment } from '../../src/machine/environment.js'
import { PerfgateError, PerfgateTypeError } from '../../src/common/errors.js'

const linux: Environment = {
  id: 'linux-x64-node20-8c-3f9a1c',
  os: 'linux',
  arch: 'x64',
  cpuModel: 'AMD EPYC 7763 64-Core Processor',
  cores: 8,
  nodeMajor: 20,
}
const mac: Environment = { id: 'darwin-arm64-node22-10c-b41e07', os: 'darwin', arch: 'arm64', cpuModel: 'Apple M1 Pro', cores: 10, nodeMajor: 22 }

/** A realistic record: 4096 calls of about 1.2 ms, compacted to ten sorted points. */
function baselineRecord(overrides: Partial<BaselineRecord> = {}): BaselineRecord {
  return {
    unit: 'ms',
    summary: {
      count: 4096,
      mean: 1.245,
      median: 1.215,
      sd: 0.0729,
      mad: 0.025,
      min: 1.18,
      max: 1.42,
      p50: 1.215,
      p75: 1.2625,
      p90: 1.321,
      p95: 1.3705,
      p99: 1.4101,
    },
    sample: [1.18, 1.19, 1.2, 1.21, 1.21, 1.22, 1.24, 1.27, 1.31, 1.42],
    sampleCount: 4096,
    rounds: [1.21, 1.22, 1.2],
    noise: 0.017,
    environment: linux,
    recordedAt: '2025-03-14T09:26:53.000Z',
    perfgateVersion: '0.1.0',
    gitCommit: '9fceb02d0ae598e95dc970b74767f19372d61af8',
    ...overrides,
  }
}

const file = '/project/baselines/test/parser.test.ts.json'
const key = 'parser > parses a line'
const otherKey = 'parser > parses a block'

function contentOf(entries: Record<string, Record<string, BaselineRecord>>): BaselineFileContent {
  return { version: 1, entries }
}

/** A memory file system holding one baseline file with these entries. */
function fileSystemWith(entries: Record<string, Record<string, BaselineRecord>>): ReturnType<typeof memoryBaselineFileSystem> {
  return memoryBaselineFileSystem({ [file]: serializeBaselineFile(contentOf(entries)) })
}

async function open(fs: ReturnType<typeof memoryBaselineFileSystem>, mode: UpdateMode): Promise<BaselineFile> {
  return BaselineFile.open(fs, file, mode)
}

/** Runs `fn`, expecting it to throw a PerfgateError, and returns that error. */
async function perfgateErrorOf(fn: () => unknown): Promise<PerfgateError> {
  try {
    await fn()
  } catch (error) {
    expect(error).toBeInstanceOf(PerfgateError)
    return error as PerfgateError
  }
  throw new Error('expected a PerfgateError, but nothing was thrown')
}

describe('update modes', () => {
  it("never writes in 'none' mode, even for a missing record or an obsolete key", async () => {
    const fs = fileSystemWith({ [otherKey]: { [linux.id]: baselineRecord() } })
    const before = fs.files.get(file)
    const baselines = await open(fs, 'none')
    expect(baselines.canWrite(key, linux.id)).toBe(false)
    expect(baselines.set(key, linux.id, baselineRecord())).toBe(false)
    expect(baselines.get(key, linux.id)).toBeUndefined()
    expect(baselines.removeObsolete()).toEqual([])
    expect(await baselines.save()).toBe(false)
    expect(fs.writes).toBe(0)
    expect(fs.files.get(file)).toBe(before)
  })

  it("writes only missing records in 'new' mode and never replaces one", async () => {
    const fs = fileSystemWith({ [key]: { [linux.id]: baselineRecord() } })
    const baselines = await open(fs, 'new')
    expect(baselines.canWrite(key, linux.id)).toBe(false)
    expect(baselines.set(key, linux.id, baselineRecord({ noise: 0.5 }))).toBe(false)
    expect(baselines.get(key, linux.id)?.noise).toBe(0.017)

    expect(baselines.canWrite(otherKey, linux.id)).toBe(true)
    expect(baselines.set(otherKey, linux.id, baselineRecord({ gitCommit: null }))).toBe(true)
    expect(await baselines.save()).toBe(true)

    const reopened = await open(fs, 'none')
    expect(reopened.get(key, linux.id)?.noise).toBe(0.017)
    expect(reopened.get(otherKey, linux.id)?.gitCommit).toBeNull()
  })

  it("creates a missing file in 'new' mode once a record is stored", async () => {
    const fs = memoryBaselineFileSystem()
    const baselines = await open(fs, 'new')
    baselines.set(key, linux.id, baselineRecord())
    expect(await baselines.save()).toBe(true)
    expect(parseBaselineFile(fs.files.get(file)!, file).entries[key]?.[linux.id]).toEqual(baselineRecord())
  })

  it("replaces records and removes obsolete keys in 'all' mode", async () => {
    const fs = fileSystemWith({ [key]: { [linux.id]: baselineRecord() }, [otherKey]: { [linux.id]: baselineRecord() } })
    const baselines = await open(fs, 'all')
    expect(baselines.canWrite(key, linux.id)).toBe(true)
    expect(baselines.set(key, linux.id, baselineRecord({ noise: 0.03 }))).toBe(true)
    expect(baselines.removeObsolete()).toEqual([otherKey])
    expect(await baselines.save()).toBe(true)

    const saved = parseBaselineFile(fs.files.get(file)!, file)
    expect(Object.keys(saved.entries)).toEqual([key])
    expect(saved.entries[key]?.[linux.id]?.noise).toBe(0.03)
  })

  it('removes the file when its last entry was removed', async () => {
    const fs = fileSystemWith({ [otherKey]: { [linux.id]: baselineRecord() } })
    const baselines = await open(fs, 'all')
    expect(baselines.removeObsolete()).toEqual([otherKey])
    expect(await baselines.save()).toBe(true)
    expect(fs.files.has(file)).toBe(false)
    expect(fs.writes).toBe(0)
  })

  it('does not create a file that would hold no entries', async () => {
    const fs = memoryBaselineFileSystem()
    const baselines = await open(fs, 'all')
    expect(baselines.get(key, linux.id)).toBeUndefined()
    expect(baselines.removeObsolete()).toEqual([])
    expect(await baselines.save()).toBe(false)
    expect(fs.files.size).toBe(0)
  })

  it('rejects an unknown update mode as misuse', async () => {
    await expect(BaselineFile.open(memoryBaselineFileSystem(), file, 'ci' as UpdateMode)).rejects.toThrow(PerfgateTypeError)
  })

  it('stores nothing and reports it when a record could not be read back', async () => {
    const baselines = await open(memoryBaselineFileSystem(), 'all')
    const summary = { ...baselineRecord().summary, mean: Number.NaN }
    const error = await perfgateErrorOf(() => baselines.set(key, linux.id, baselineRecord({ summary })))
    expect(error.code).toBe('PERFGATE_BASELINE_INVALID')
    expect(error.message).toContain(`entries["${key}"]["${linux.id}"].summary.mean`)
    expect(baselines.get(key, linux.id)).toBeUndefined()
  })

  it('refuses a record stored under an environment id that is not its own', async () => {
    const baselines = await open(memoryBaselineFileSystem(), 'all')
    const error = await perfgateErrorOf(() => baselines.set(key, mac.id, baselineRecord()))
    expect(error.message).toContain(`["${mac.id}"].environment.id in ${file}: it must equal the environment id it is stored under`)
  })
})

describe('obsolete keys', () => {
  it('reports keys that no test asked for, and spares those read, listed, stored or marked', async () => {
    const keys = ['a', 'b', 'c', 'd', 'e']
    const fs = fileSystemWith(Object.fromEntries(keys.map((k) => [k, { [linux.id]: baselineRecord() }])))
    const baselines = await open(fs, 'new')
    expect(baselines.obsoleteKeys()).toEqual(keys)
    baselines.get('a', mac.id) // asking counts even when this environment has no record
    baselines.recordsOf('b')
    baselines.set('c', linux.id, baselineRecord()) // refused in 'new' mode, but still asked for
    baselines.markChecked('d')
    expect(baselines.obsoleteKeys()).toEqual(['e'])
  })

  it.each(['new', 'none'] as const)("keeps obsolete keys in '%s' mode", async (mode) => {
    const fs = fileSystemWith({ [otherKey]: { [linux.id]: baselineRecord() } })
    const before = fs.files.get(file)
    const baselines = await open(fs, mode)
    expect(baselines.removeObsolete()).toEqual([])
    expect(baselines.obsoleteKeys()).toEqual([otherKey])
    expect(await baselines.save()).toBe(false)
    expect(fs.files.get(file)).toBe(before)
  })

  it('spares every key of a skipped test, named and counted, but not other tests', async () => {
    const keys = ['slow > parses', 'slow > parses > cold', 'slow > parses 2', 'slow > parses fast', 'slow > parser']
    const fs = fileSystemWith(Object.fromEntries(keys.map((k) => [k, { [linux.id]: baselineRecord() }])))
    const baselines = await open(fs, 'all')
    baselines.markTestChecked('slow > parses')
    expect(baselines.removeObsolete()).toEqual(['slow > parser', 'slow > parses fast'])
  })
})

describe('stable output', () => {
  const reversed = contentOf({
    [otherKey]: { [mac.id]: baselineRecord({ environment: mac }), [linux.id]: baselineRecord() },
    [key]: { [linux.id]: baselineRecord() },
  })
  const ordered = contentOf({
    [key]: { [linux.id]: baselineRecord() },
    [otherKey]: { [linux.id]: baselineRecord(), [mac.id]: baselineRecord({ environment: mac }) },
  })

  it('writes the same content as the same bytes, whatever the insertion order', () => {
    expect(serializeBaselineFile(reversed)).toBe(serializeBaselineFile(ordered))
  })

  it('puts version first, sorts keys at every level, indents by two spaces and ends with a newline', () => {
    const sortedDeep = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(sortedDeep)
      if (typeof value !== 'object' || value === null) return value
      return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, sortedDeep(v)]))
    }
    // JSON.stringify's layout, but for arrays of numbers, which stand on one line.
    const reference = `${JSON.stringify({ version: 1, entries: sortedDeep(reversed.entries) }, null, 2)}\n`.replace(
      /\[\n\s*([^[\]{}]*?)\n\s*\]/g,
      (_, items: string) => `[${items.split(/,\n\s*/).join(', ')}]`,
    )
    const text = serializeBaselineFile(reversed)
    expect(text).toBe(reference)
    expect(text).toContain('\n        "sample": [1.18, 1.19, 1.2, 1.21, 1.21, 1.22, 1.24, 1.27, 1.31, 1.42],\n')
    expect(text).toContain('\n        "rounds": [1.21, 1.22, 1.2],\n')
    expect(text.startsWith('{\n  "version": 1,\n  "entries": {\n')).toBe(true)
    expect(text.indexOf('"arch"')).toBeLessThan(text.indexOf('"cores"'))
    expect(text.indexOf('"p99"')).toBeLessThan(text.indexOf('"sd"'))
  })

  it('does not write again when a save changes nothing', async () => {
    const fs = memoryBaselineFileSystem()
    const first = await open(fs, 'all')
    first.set(key, linux.id, baselineRecord())
    expect(await first.save()).toBe(true)
    expect(await first.save()).toBe(false)
    expect(fs.writes).toBe(1)

    const second = await open(fs, 'all')
    expect(second.set(key, linux.id, baselineRecord())).toBe(true)
    expect(second.removeObsolete()).toEqual([])
    expect(await second.save()).toBe(false)
    expect(fs.writes).toBe(1)
  })

  it('leaves a file that differs only in formatting alone when nothing changed', async () => {
    const crlf = serializeBaselineFile(ordered).replace(/\n/g, '\r\n')
    const fs = memoryBaselineFileSystem({ [file]: crlf })
    const baselines = await open(fs, 'all')
    expect(baselines.get(key, linux.id)).toEqual(baselineRecord())
    baselines.recordsOf(otherKey)
    expect(await baselines.save()).toBe(false)
    expect(fs.files.get(file)).toBe(crlf)
  })
})

describe('environments side by side', () => {
  it('keeps one record per environment under one key', async () => {
    const fs = fileSystemWith({ [key]: { [linux.id]: baselineRecord() } })
    const laptop = await open(fs, 'new')
    expect(laptop.get(key, mac.id)).toBeUndefined()
    expect(laptop.set(key, mac.id, baselineRecord({ environment: mac, noise: 0.04 }))).toBe(true)
    await laptop.save()

    const ci = await open(fs, 'none')
    expect(ci.get(key, linux.id)).toEqual(baselineRecord())
    expect(ci.get(key, mac.id)).toEqual(baselineRecord({ environment: mac, noise: 0.04 }))
    expect(Object.keys(ci.recordsOf(key)).sort()).toEqual([mac.id, linux.id].sort())
  })

  it('lists no records for a key that has none', async () => {
    const baselines = await open(memoryBaselineFileSystem(), 'none')
    expect(Object.keys(baselines.recordsOf(key))).toEqual([])
  })
})

describe('broken files', () => {
  const valid = serializeBaselineFile(contentOf({ [key]: { [linux.id]: baselineRecord() } }))

  it('parseBaselineFile throws a TypeError naming the argument that is not a string', () => {
    expect(() => parseBaselineFile(null as never, file)).toThrow(/Expected `text` to be a baseline file's text \(a string\), got null/)
    expect(() => parseBaselineFile(valid, 42 as never)).toThrow(TypeError)
  })

  /**
   * Opens `text` as the baseline file (in 'all' mode unless told), expects it to fail, and checks
   * that the file is untouched. A record that fails validation fails the file in 'new' and 'none'.
   */
  async function openError(text: string, mode: UpdateMode = 'all'): Promise<PerfgateError> {
    const fs = memoryBaselineFileSystem({ [file]: text })
    const error = await perfgateErrorOf(() => open(fs, mode))
    expect(fs.files.get(file)).toBe(text)
    expect(fs.writes).toBe(0)
    return error
  }

  it('names the file, line and column of a syntax error, says what to do, and keeps the original error', async () => {
    const text = valid.replace('"version": 1,\n', '"version": 1,\n<<<<<<< HEAD\n')
    const error = await openError(text)
    expect(error.code).toBe('PERFGATE_BASELINE_PARSE')
    expect(error.message).toContain(file)
    expect(error.message).toContain('line 3, column 1')
    expect(error.message).toContain('Fix or delete the file, or restore it from version control; perfgate will not overwrite it.')
    expect(error.cause).toBeInstanceOf(SyntaxError)
  })

  it('points at the end of a truncated file', async () => {
    const error = await openError('{\n  "version": 1,\n  "entries": {\n    "a": {')
    expect(error.code).toBe('PERFGATE_BASELINE_PARSE')
    expect(error.message).toContain('line 4, column 11')
  })

  it('finds the position itself when the engine names only the unexpected token', async () => {
    // Node 20 reports `Unexpected token '}', "…" is not valid JSON` here, with no position.
    const error = await openError('{\n  "version": 1,\n  "entries": }\n}\n')
    expect(error.message).toContain('line 3, column 14')
  })

  it("uses the engine's line and column when it reports them (newer Node)", async () => {
    const parse = vi.spyOn(JSON, 'parse').mockImplementationOnce(() => {
      throw new SyntaxError("Expected ',' or '}' after property value in JSON at position 40 (line 7 column 3)")
    })
    try {
      const error = await openError(valid)
      expect(error.message).toContain('line 7, column 3')
    } finally {
      parse.mockRestore()
    }
  })

  it.each(['new', 'none'] as const)("names the key path of a value of the wrong type, and how -u records it again ('%s')", async (mode) => {
    const text = valid.replace('1.2,', '"1.2",')
    const error = await openError(text, mode)
    expect(error.code).toBe('PERFGATE_BASELINE_INVALID')
    expect(error.message).toContain(file)
    expect(error.message).toContain(`entries["${key}"]["${linux.id}"].sample[2] must be a finite number (found "1.2")`)
    expect(error.message).toContain(`run its test with -u in that environment (${linux.id}), which replaces only this record`)
  })

  it.each([
    ['an unsorted sample', (t: string) => t.replace('1.18,', '1.5,'), '.sample[1] is smaller than the number before it'],
    ['a missing field', (t: string) => t.replace(/\s*"noise": 0.017,/, ''), '.noise is missing'],
    ['an unknown field', (t: string) => t.replace('"noise": 0.017,', '"noise": 0.017, "note": "x",'), '.note is not a known field'],
    ['another unit', (t: string) => t.replace('"unit": "ms"', '"unit": "s"'), '.unit must be "ms" (found "s")'],
    ['records that are not an object', () => `{"version": 1, "entries": {"k": [1]}}`, 'entries["k"] must be an object'],
    ['a file that is not an object', () => '[]', 'the file must hold a JSON object'],
    ['a missing version', () => '{"entries": {}}', 'version is missing'],
    ['version 0', () => '{"version": 0, "entries": {}}', 'version must be 1 (found 0)'],
  ])('rejects %s with the key path', async (_name, edit, expected) => {
    const error = await openError(edit(valid), 'new')
    expect(error.code).toBe('PERFGATE_BASELINE_INVALID')
    expect(error.message).toContain(expected)
  })

  it('refuses a file written by a newer perfgate', async () => {
    const error = await openError('{"version": 2, "entries": {"k": {"env": {"shape": "new"}}}}')
    expect(error.code).toBe('PERFGATE_BASELINE_INVALID')
    expect(error.message).toContain('written by a newer perfgate (format version 2')
  })
})

describe('records that fail validation, under -u', () => {
  // Passes JSON.parse, fails validation: a round of 0 ms (every comparison with it would be meaningless).
  const zeroRound = (record: BaselineRecord): BaselineRecord => ({ ...record, rounds: [0, ...record.rounds.slice(1)] })

  it("are set aside in 'all' mode: the file opens, the record is reported, and storing it again replaces only it", async () => {
    const fs = fileSystemWith({ [key]: { [linux.id]: baselineRecord() }, [otherKey]: { [linux.id]: zeroRound(baselineRecord()) } })
    const baselines = await open(fs, 'all')
    expect(baselines.obsoleteKeys()).toEqual([otherKey, key].sort())
    expect(baselines.get(otherKey, linux.id)).toBeUndefined()
    expect(baselines.unreadableRecord(otherKey, linux.id)).toBe(`entries["${otherKey}"]["${linux.id}"] holds a sample or round of 0 ms: times must be positive`)
    expect(baselines.unreadableRecord(key, linux.id)).toBeUndefined()

    expect(baselines.set(otherKey, linux.id, baselineRecord({ noise: 0.02 }))).toBe(true)
    expect(baselines.unreadableRecords()).toEqual([])
    expect(await baselines.save()).toBe(true)
    const saved = parseBaselineFile(fs.files.get(file)!, file)
    expect(saved.entries[otherKey]?.[linux.id]?.noise).toBe(0.02)
    expect(saved.entries[key]?.[linux.id]).toEqual(baselineRecord())
  })

  it('keep another environment’s broken record byte for byte when the file is saved', async () => {
    const broken = zeroRound(baselineRecord({ environment: mac }))
    const fs = fileSystemWith({ [key]: { [linux.id]: baselineRecord(), [mac.id]: broken } })
    const baselines = await open(fs, 'all')
    baselines.set(key, linux.id, baselineRecord({ noise: 0.03 }))
    expect(await baselines.save()).toBe(true)
    const text = fs.files.get(file)!
    expect(JSON.parse(text).entries[key][mac.id]).toEqual(JSON.parse(JSON.stringify(broken)))
    expect(() => parseBaselineFile(text, file)).toThrow(`entries["${key}"]["${mac.id}"] holds a sample or round of 0 ms`)
    expect(baselines.unreadableRecords().map((record) => record.envId)).toEqual([mac.id])
  })

  it("still fail the file in 'new' and 'none' modes, and a file that is not JSON in every mode", async () => {
    const text = serializeBaselineFile(contentOf({ [key]: { [linux.id]: zeroRound(baselineRecord()) } }))
    for (const mode of ['new', 'none'] as const) {
      const fs = memoryBaselineFileSystem({ [file]: text })
      const error = await perfgateErrorOf(() => open(fs, mode))
      expect(error.message).toContain(`Invalid baseline file ${file}: entries["${key}"]["${linux.id}"] holds a sample or round of 0 ms`)
    }
    const fs = memoryBaselineFileSystem({ [file]: text.slice(0, -5) })
    expect((await perfgateErrorOf(() => open(fs, 'all'))).code).toBe('PERFGATE_BASELINE_PARSE')
  })

  it('go with their key when -u removes it as obsolete', async () => {
    const fs = fileSystemWith({ [key]: { [linux.id]: baselineRecord() }, [otherKey]: { [linux.id]: zeroRound(baselineRecord()) } })
    const baselines = await open(fs, 'all')
    baselines.get(key, linux.id)
    expect(baselines.removeObsolete()).toEqual([otherKey])
    expect(await baselines.save()).toBe(true)
    expect(Object.keys(parseBaselineFile(fs.files.get(file)!, file).entries)).toEqual([key])
  })
})

describe('keys such as __proto__ and constructor', () => {
  const dangerous = ['__proto__', 'constructor', 'prototype', 'hasOwnProperty']

  it('reads them as plain data without polluting anything, and writes them back byte for byte', async () => {
    const records = (env: string): string => `{ ${JSON.stringify(env)}: ${JSON.stringify({ ...baselineRecord(), environment: { ...linux, id: env } })} }`
    const text = `{"version": 1, "entries": {${dangerous.map((k) => `${JSON.stringify(k)}: ${records(k)}`).join(', ')}}}`
    const fs = memoryBaselineFileSystem({ [file]: text })
    const baselines = await open(fs, 'all')
    for (const name of dangerous) {
      expect(baselines.get(name, name)?.environment.id).toBe(name)
      expect(Object.keys(baselines.recordsOf(name))).toEqual([name])
    }
    expect(({} as Record<string, unknown>)['sample']).toBeUndefined()
    expect(Object.prototype).not.toHaveProperty('sample')

    const content = parseBaselineFile(text, file)
    expect(Object.keys(content.entries).sort()).toEqual([...dangerous].sort())
    const canonical = serializeBaselineFile(content)
    expect(serializeBaselineFile(parseBaselineFile(canonical, file))).toBe(canonical)
    expect(Object.keys(JSON.parse(canonical).entries).sort()).toEqual([...dangerous].sort())
  })

  it('finds nothing under such a key in an empty file', async () => {
    const baselines = await open(memoryBaselineFileSystem(), 'none')
    for (const name of dangerous) {
      expect(baselines.get(name, name)).toBeUndefined()
      expect(Object.keys(baselines.recordsOf(name))).toEqual([])
    }
  })

  it('stores and reads back a test named "constructor" or "__proto__"', async () => {
    const fs = memoryBaselineFileSystem()
    const baselines = await open(fs, 'new')
    expect(baselines.set('constructor', linux.id, baselineRecord())).toBe(true)
    expect(baselines.set('__proto__', linux.id, baselineRecord())).toBe(true)
    await baselines.save()
    const reopened = await open(fs, 'none')
    expect(reopened.get('constructor', linux.id)).toEqual(baselineRecord())
    expect(reopened.get('__proto__', linux.id)).toEqual(baselineRecord())
  })

  it('rejects __proto__ as a field of the file or of a record', async () => {
    for (const text of [
      '{"version": 1, "entries": {}, "__proto__": {"polluted": true}}',
      `{"version": 1, "entries": {"k": {"${linux.id}": ${JSON.stringify(baselineRecord()).replace('{', '{"__proto__": {"polluted": true}, ')}}}}`,
    ]) {
      const error = await perfgateErrorOf(() => parseBaselineFile(text, file))
      expect(error.code).toBe('PERFGATE_BASELINE_INVALID')
      expect(error.message).toMatch(/: (entries\["k"\]\[".+"\]\.)?__proto__ is not a known field/)
    }
    expect(Object.prototype).not.toHaveProperty('polluted')
  })
})

describe('node file system', () => {
  let dir = ''
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'perfgate-baselines-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('reads a missing file as null and removes a missing file without error', async () => {
    const fs = nodeBaselineFileSystem()
    expect(await fs.read(path.join(dir, 'missing.json'))).toBeNull()
    await expect(fs.remove(path.join(dir, 'missing.json'))).resolves.toBeUndefined()
  })

  it('names the path when it is a directory, for reading, writing and removing', async () => {
    const fs = nodeBaselineFileSystem()
    for (const action of [() => fs.read(dir), () => BaselineFile.open(fs, dir, 'none'), () => fs.write(dir, '{}\n'), () => fs.remove(dir)]) {
      const error = await perfgateErrorOf(action)
      expect(error.code).toBe('PERFGATE_BASELINE_IO')
      expect(error.message).toContain(`the baseline file ${dir}: it is a directory, not a file`)
    }
    expect(await readdir(dir)).toEqual([])
  })

  it.runIf(process.platform !== 'win32')('refuses to replace or remove a read-only baseline file, naming it, and leaves it and its mode alone', async () => {
    const fs = nodeBaselineFileSystem()
    const target = path.join(dir, 'a.test.ts.json')
    const baselines = await BaselineFile.open(fs, target, 'new')
    baselines.set(key, linux.id, baselineRecord())
    await baselines.save()
    const text = await readFile(target, 'utf8')
    await chmod(target, 0o444)

    const updating = await BaselineFile.open(fs, target, 'all')
    updating.set(key, linux.id, baselineRecord({ noise: 0.05 }))
    const error = await perfgateErrorOf(() => updating.save())
    expect(error.code).toBe('PERFGATE_BASELINE_READONLY')
    expect(error.message).toContain(`The baseline file ${target} is read-only; perfgate does not replace it.`)
    expect(updating.removeObsolete()).toEqual([])
    const removing = await BaselineFile.open(fs, target, 'all')
    expect(removing.removeObsolete()).toEqual([key])
    expect((await perfgateErrorOf(() => removing.save())).code).toBe('PERFGATE_BASELINE_READONLY')

    expect(await readFile(target, 'utf8')).toBe(text)
    expect((await stat(target)).mode & 0o777).toBe(0o444)
    expect((await readdir(dir)).sort()).toEqual(['a.test.ts.json'])
  })

  it.runIf(process.platform !== 'win32')('keeps the mode of a file it replaces', async () => {
    const fs = nodeBaselineFileSystem()
    const target = path.join(dir, 'a.test.ts.json')
    await fs.write(target, 'first\n')
    await chmod(target, 0o640)
    await fs.write(target, 'second\n')
    expect(await readFile(target, 'utf8')).toBe('second\n')
    expect((await stat(target)).mode & 0o777).toBe(0o640)
  })

  it('removes the temporary files a killed writer left beside the file, and no one else’s', async () => {
    const fs = nodeBaselineFileSystem()
    const target = path.join(dir, 'a.test.ts.json')
    const left = ['.a.test.ts.json.2147483646.0123456789ab.tmp', '.a.test.ts.json.2147483645.ba9876543210.tmp']
    // A live process's fresh one (this process's parent), another file's, and a look-alike that is not ours.
    const kept = [`.a.test.ts.json.${process.ppid}.00000000aaaa.tmp`, '.b.test.ts.json.2147483646.0123456789ab.tmp', '.a.test.ts.json.notes.tmp']
    for (const name of [...left, ...kept]) await writeFile(path.join(dir, name), 'partial')
    await fs.write(target, 'whole\n')
    expect((await readdir(dir)).sort()).toEqual(['a.test.ts.json', ...kept].sort())
  })

  it('creates directories, replaces the file through a rename and leaves no temporary file', async () => {
    const fs = nodeBaselineFileSystem()
    const target = path.join(dir, 'baselines', 'test', 'a.test.ts.json')
    await fs.write(target, 'first\n')
    await fs.write(target, 'second\n')
    expect(await readFile(target, 'utf8')).toBe('second\n')
    expect(await readdir(path.dirname(target))).toEqual(['a.test.ts.json'])
    await fs.remove(target)
    expect(await fs.read(target)).toBeNull()
  })

  it('leaves the old file whole and cleans up when the rename fails', async () => {
    const fs = nodeBaselineFileSystem()
    const target = path.join(dir, 'occupied.json')
    await mkdir(target) // a directory where the file should go makes the rename fail
    await writeFile(path.join(target, 'keep'), 'kept')
    await expect(fs.write(target, 'new\n')).rejects.toThrow()
    expect(await readdir(dir)).toEqual(['occupied.json'])
    expect(await readFile(path.join(target, 'keep'), 'utf8')).toBe('kept')
  })

  it('saves and reopens a baseline file on disk', async () => {
    const fs = nodeBaselineFileSystem()
    const target = path.join(dir, 'baselines', 'parser.test.ts.json')
    const baselines = await BaselineFile.open(fs, target, 'new')
    baselines.set(key, linux.id, baselineRecord())
    expect(await baselines.save()).toBe(true)
    const reopened = await BaselineFile.open(fs, target, 'none')
    expect(reopened.get(key, linux.id)).toEqual(baselineRecord())
    expect(await readFile(target, 'utf8')).toBe(serializeBaselineFile(reopened.content()))
  })
})

describe('two writers of one file', () => {
  it('keep each other’s entries: the second save merges what the first wrote', async () => {
    const fs = memoryBaselineFileSystem()
    const first = await open(fs, 'new')
    const second = await open(fs, 'new')
    first.set(key, linux.id, baselineRecord())
    second.set(otherKey, linux.id, baselineRecord())
    await Promise.all([first.save(), second.save()])
    const saved = parseBaselineFile(fs.files.get(file)!, file)
    expect(Object.keys(saved.entries).sort()).toEqual([otherKey, key].sort())
  })

  it('do not remove another writer’s entry as obsolete, and still remove their own', async () => {
    const fs = fileSystemWith({ [key]: { [linux.id]: baselineRecord() }, gone: { [linux.id]: baselineRecord() } })
    const updating = await open(fs, 'all')
    const other = await open(fs, 'new')
    other.set(otherKey, linux.id, baselineRecord())
    await other.save()
    updating.get(key, linux.id)
    updating.set(key, linux.id, baselineRecord({ noise: 0.02 }))
    await updating.save()
    expect(updating.removeObsolete()).toEqual(['gone'])
    await updating.save()
    const saved = parseBaselineFile(fs.files.get(file)!, file)
    expect(Object.keys(saved.entries).sort()).toEqual([otherKey, key].sort())
  })
})

describe('two processes writing one file on disk', () => {
  let dir = ''
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'perfgate-writers-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('lose nothing: 2 processes × 40 entries, each saved as it is stored', async () => {
    const target = path.join(dir, 'baselines', 'a.test.ts.json')
    const storeModule = new URL('../../src/baselines/store.ts', import.meta.url).pathname
    const script = (name: string): string => `
      const { BaselineFile, nodeBaselineFileSystem } = await import(${JSON.stringify(storeModule)})
      const record = ${JSON.stringify(baselineRecord())}
      for (let i = 0; i < 40; i++) {
        const file = await BaselineFile.open(nodeBaselineFileSystem(), ${JSON.stringify(target)}, 'new')
        file.set('${name} ' + i, record.environment.id, record)
        await file.save()
      }`
    const { spawn } = await import('node:child_process')
    const run = (name: string): Promise<number | null> =>
      new Promise((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script(name)], { stdio: 'inherit' })
        child.on('close', resolve)
      })
    expect(await Promise.all([run('left'), run('right')])).toEqual([0, 0])
    const saved = parseBaselineFile(await readFile(target, 'utf8'), target)
    expect(Object.keys(saved.entries)).toHaveLength(80)
    expect((await readdir(path.dirname(target))).filter((name) => name.endsWith('.lock') || name.endsWith('.tmp'))).toEqual([])
  }, 60_000)

  it("stops waiting for a live writer's lock at the test's deadline, naming the lock, and writes nothing", async () => {
    const target = path.join(dir, 'c.json')
    await mkdir(dir, { recursive: true })
    // Held by a process that runs (this one's parent), and fresh: not left behind.
    await writeFile(`${target}.lock`, String(process.ppid))
    const file = await BaselineFile.open(nodeBaselineFileSystem(), target, 'new')
    file.set(key, linux.id, baselineRecord())
    const error = await file.save(performance.now() + 300).then(
      () => undefined,
      (thrown: unknown) => thrown,
    )
    expect(error).toMatchObject({ code: 'PERFGATE_BASELINE_LOCKED' })
    expect((error as Error).message).toMatch(new RegExp(`\\.lock was held by process ${process.ppid} for the \\d+\\.\\d s the test had left`))
    expect((await readdir(dir)).sort()).toEqual(['c.json.lock'])
  })

  it('puts an entry back when storing it fails, so the next save of the file does not write it after all', async () => {
    const target = path.join(dir, 'd.json')
    await mkdir(dir, { recursive: true })
    const fs = nodeBaselineFileSystem()
    const file = await BaselineFile.open(fs, target, 'new')
    await writeFile(`${target}.lock`, String(process.ppid))
    await expect(file.store(key, linux.id, baselineRecord(), { until: performance.now() + 200 })).rejects.toMatchObject({ code: 'PERFGATE_BASELINE_LOCKED' })
    // Not there for a later comparison in this process, and a later save (the lock gone) writes nothing.
    expect(file.get(key, linux.id)).toBeUndefined()
    await rm(`${target}.lock`)
    expect(await file.save()).toBe(false)
    expect((await readdir(dir)).sort()).toEqual([])
    // Once the lock is free, storing works.
    expect(await file.store(key, linux.id, baselineRecord())).toBe(true)
    expect(Object.keys(parseBaselineFile(await readFile(target, 'utf8'), target).entries)).toEqual([key])
  })

  it('takes over a lock left by a process that no longer runs', async () => {
    const target = path.join(dir, 'b.json')
    await mkdir(dir, { recursive: true })
    await writeFile(`${target}.lock`, '2147483646')
    const fs = nodeBaselineFileSystem()
    const file = await BaselineFile.open(fs, target, 'new')
    file.set(key, linux.id, baselineRecord())
    expect(await file.save()).toBe(true)
    expect((await readdir(dir)).sort()).toEqual(['b.json'])
  })
})
