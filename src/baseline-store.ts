import { randomBytes } from 'node:crypto'
import { mkdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { BaselineFileContent, BaselineRecord, UpdateMode } from './baseline-types.js'
import type { Environment } from './environment.js'
import { PerfgateError } from './errors.js'
import type { SampleSummary } from './stats.js'
import { invalidArgument } from './validate.js'

// ---------------------------------------------------------------------------
// File systems
// ---------------------------------------------------------------------------

/** The file operations a baseline file needs, so the store's logic runs in memory in tests. */
export interface BaselineFileSystem {
  /** The file's text, or null when it does not exist. */
  read(path: string): Promise<string | null>
  /** Replaces the file's content, creating its directory when needed. */
  write(path: string, content: string): Promise<void>
  /** Deletes the file; a missing file is not an error. */
  remove(path: string): Promise<void>
}

/** The real file system; `write` is atomic (a temporary file in the same directory, then a rename). */
export function nodeBaselineFileSystem(): BaselineFileSystem {
  return {
    async read(file) {
      try {
        return await readFile(file, 'utf8')
      } catch (error) {
        if (isNotFound(error)) return null
        throw error
      }
    },
    async write(file, content) {
      await mkdir(path.dirname(file), { recursive: true })
      // Same directory, so the rename never crosses devices; pid + random so that no two writers share it.
      const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`)
      try {
        await writeFile(temporary, content, { encoding: 'utf8', flag: 'wx' })
        await rename(temporary, file)
      } catch (error) {
        await rm(temporary, { force: true })
        throw error
      }
    },
    async remove(file) {
      try {
        await unlink(file)
      } catch (error) {
        if (!isNotFound(error)) throw error
      }
    },
  }
}

function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ENOENT'
}

/** A file system in a Map, for tests; `writes` counts calls to `write`. */
export function memoryBaselineFileSystem(initial: Record<string, string> = {}): BaselineFileSystem & {
  files: Map<string, string>
  writes: number
} {
  const memory = {
    files: new Map(Object.entries(initial)),
    writes: 0,
    read: async (file: string): Promise<string | null> => memory.files.get(file) ?? null,
    write: async (file: string, content: string): Promise<void> => {
      memory.writes += 1
      memory.files.set(file, content)
    },
    remove: async (file: string): Promise<void> => {
      memory.files.delete(file)
    },
  }
  return memory
}

// ---------------------------------------------------------------------------
// One baseline file
// ---------------------------------------------------------------------------

/**
 * The baselines of one test file, after Vitest's `SnapshotState`: opened once, read and updated
 * in memory under an update mode, saved at the end. Every key starts unchecked; whatever no test
 * asked for by the end is obsolete.
 */
export class BaselineFile {
  readonly path: string
  readonly updateMode: UpdateMode
  private readonly fs: BaselineFileSystem
  private readonly entries: Map<string, Map<string, BaselineRecord>>
  private readonly checked = new Set<string>()
  /** The text on disk as last read or written; null when there is no file. */
  private diskText: string | null
  private dirty = false

  private constructor(fs: BaselineFileSystem, file: string, updateMode: UpdateMode, diskText: string | null, content: BaselineFileContent) {
    this.fs = fs
    this.path = file
    this.updateMode = updateMode
    this.diskText = diskText
    this.entries = new Map()
    for (const key of Object.keys(content.entries)) {
      const records = content.entries[key]!
      this.entries.set(key, new Map(Object.keys(records).map((envId) => [envId, records[envId]!])))
    }
  }

  /**
   * Reads and validates the file (a missing file is an empty one). Throws `PERFGATE_BASELINE_PARSE`
   * or `PERFGATE_BASELINE_INVALID` for a broken file, so a file that fails to open is never saved over.
   */
  static async open(fs: BaselineFileSystem, file: string, updateMode: UpdateMode): Promise<BaselineFile> {
    if (updateMode !== 'all' && updateMode !== 'new' && updateMode !== 'none') {
      invalidArgument('updateMode', "'all', 'new' or 'none'", updateMode)
    }
    const text = await fs.read(file)
    const content: BaselineFileContent = text === null ? { version: 1, entries: {} } : parseBaselineFile(text, file)
    return new BaselineFile(fs, file, updateMode, text, content)
  }

  /** The record of key in environment envId, or undefined. Marks key as checked. */
  get(key: string, envId: string): BaselineRecord | undefined {
    this.checked.add(key)
    return this.entries.get(key)?.get(envId)
  }

  /** All environment records of key (for comparing across environments). Marks key as checked. */
  recordsOf(key: string): Readonly<Record<string, BaselineRecord>> {
    this.checked.add(key)
    const records: Record<string, BaselineRecord> = Object.create(null)
    for (const [envId, record] of this.entries.get(key) ?? []) records[envId] = record
    return records
  }

  /** Whether this update mode lets `set` write a record that is new (`'new'`/`'all'`) or replaces one (`'all'` only). */
  canWrite(key: string, envId: string): boolean {
    if (this.updateMode === 'all') return true
    if (this.updateMode === 'none') return false
    return this.entries.get(key)?.get(envId) === undefined
  }

  /**
   * Stores a record (only when `canWrite`), marks key checked; returns whether it was stored.
   * Does not touch the disk. Throws `PERFGATE_BASELINE_INVALID` for a record that could not be read back.
   */
  set(key: string, envId: string, record: BaselineRecord): boolean {
    this.checked.add(key)
    if (!this.canWrite(key, envId)) return false
    const stored = readRecord(record, entryPath(key, envId), envId, (where, problem) => {
      throw new PerfgateError('PERFGATE_BASELINE_INVALID', `Cannot store the baseline ${where} in ${this.path}: it ${problem}.`)
    })
    let records = this.entries.get(key)
    if (records === undefined) this.entries.set(key, (records = new Map()))
    records.set(envId, stored)
    this.dirty = true
    return true
  }

  /** Marks key as asked for, so it is not obsolete (for example when its test was skipped). */
  markChecked(key: string): void {
    this.checked.add(key)
  }

  /**
   * Marks every key of one test as checked: `testName` itself, `testName > …` and `testName <n>`.
   * For skipped tests, whose baselines must survive a `-u` run. It may also spare a key of another
   * test whose name starts the same way, which only ever keeps a baseline, never loses one.
   */
  markTestChecked(testName: string): void {
    for (const key of this.entries.keys()) {
      if (!key.startsWith(testName)) continue
      const rest = key.slice(testName.length)
      if (rest === '' || rest.startsWith(' > ') || /^ \d+$/.test(rest)) this.checked.add(key)
    }
  }

  /** Keys in the file that no test asked for so far, sorted. */
  obsoleteKeys(): string[] {
    return [...this.entries.keys()].filter((key) => !this.checked.has(key)).sort()
  }

  /**
   * Removes the obsolete keys from memory — only in `'all'` mode (returns [] otherwise); returns the
   * removed keys. Call it only after every test of the file ran or was marked checked.
   */
  removeObsolete(): string[] {
    if (this.updateMode !== 'all') return []
    const obsolete = this.obsoleteKeys()
    for (const key of obsolete) this.entries.delete(key)
    if (obsolete.length > 0) this.dirty = true
    return obsolete
  }

  /** The file's content as it stands in memory. */
  content(): BaselineFileContent {
    const entries: Record<string, Record<string, BaselineRecord>> = Object.create(null)
    for (const [key, records] of this.entries) {
      const byEnvironment: Record<string, BaselineRecord> = Object.create(null)
      for (const [envId, record] of records) byEnvironment[envId] = record
      entries[key] = byEnvironment
    }
    return { version: 1, entries }
  }

  /**
   * Writes the file when something was stored or removed and its serialized content differs from
   * what is on disk; never in `'none'` mode. An empty file that did not exist is not created, and
   * a file whose last entry was removed is removed. Returns whether it wrote (or removed).
   */
  async save(): Promise<boolean> {
    // Only changes write: a file that differs only in formatting (say CRLF from a Windows checkout) is left alone.
    if (this.updateMode === 'none' || !this.dirty) return false
    if (this.entries.size === 0) {
      const existed = this.diskText !== null
      if (existed) await this.fs.remove(this.path)
      this.diskText = null
      this.dirty = false
      return existed
    }
    const text = serializeBaselineFile(this.content())
    const changed = text !== this.diskText
    if (changed) await this.fs.write(this.path, text)
    this.diskText = text
    this.dirty = false
    return changed
  }
}

// ---------------------------------------------------------------------------
// Format: stable JSON out, validated JSON in
// ---------------------------------------------------------------------------

/** What to do about a broken file; perfgate itself never overwrites one. */
const brokenFileAdvice = 'Fix or delete the file, or restore it from version control; perfgate will not overwrite it.'

/**
 * The file's text: `version` first, then keys sorted (by UTF-16 code unit) at every level,
 * two-space indent and a trailing newline, so the same content is always the same bytes.
 */
export function serializeBaselineFile(content: BaselineFileContent): string {
  return `{\n  "version": ${stableJson(content.version, '  ', 'version')},\n  "entries": ${stableJson(content.entries, '  ', 'entries')}\n}\n`
}

function stableJson(value: unknown, indent: string, at: string): string {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value)
  if (typeof value === 'number') {
    // JSON would write NaN and Infinity as null, which no longer reads back as a number.
    if (!Number.isFinite(value)) throw new PerfgateError('PERFGATE_BASELINE_INVALID', `Cannot write ${at} = ${value} to a baseline file: not a finite number.`)
    return JSON.stringify(value)
  }
  const inner = `${indent}  `
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]'
    const items = value.map((item: unknown, index) => stableJson(item, inner, `${at}[${index}]`))
    return `[\n${inner}${items.join(`,\n${inner}`)}\n${indent}]`
  }
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>
    const keys = Object.keys(record).sort()
    if (keys.length === 0) return '{}'
    const members = keys.map((key) => `${JSON.stringify(key)}: ${stableJson(record[key], inner, `${at}[${JSON.stringify(key)}]`)}`)
    return `{\n${inner}${members.join(`,\n${inner}`)}\n${indent}}`
  }
  throw new PerfgateError('PERFGATE_BASELINE_INVALID', `Cannot write ${at} to a baseline file: ${typeof value} is not JSON data.`)
}

/**
 * Parses and validates a baseline file's text; `path` names the file in errors. Throws
 * `PERFGATE_BASELINE_PARSE` (with line and column) for text that is not JSON, and
 * `PERFGATE_BASELINE_INVALID` (with the key path) for JSON of the wrong shape or a newer version.
 * Every map in the result has a null prototype, so keys such as `__proto__` are plain data.
 */
export function parseBaselineFile(text: string, path: string): BaselineFileContent {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text
  let data: unknown
  try {
    data = JSON.parse(source)
  } catch (error) {
    // V8 may quote a few lines of the file; one line reads better in a test report.
    const message = (error instanceof Error ? error.message : String(error)).replace(/\r?\n/g, '\\n')
    const { line, column } = syntaxErrorLocation(message, source)
    throw new PerfgateError(
      'PERFGATE_BASELINE_PARSE',
      `Cannot parse the baseline file ${path} at line ${line}, column ${column}: ${message}. ${brokenFileAdvice}`,
      { cause: error },
    )
  }
  const fail: Fail = (at, problem) => {
    throw new PerfgateError('PERFGATE_BASELINE_INVALID', `Invalid baseline file ${path}: ${at} ${problem}. ${brokenFileAdvice}`)
  }
  if (!isPlainObject(data)) return fail('the file', `must hold a JSON object (found ${describe(data)})`)
  const version = data['version']
  if (typeof version === 'number' && Number.isInteger(version) && version > 1) {
    throw new PerfgateError(
      'PERFGATE_BASELINE_INVALID',
      `The baseline file ${path} was written by a newer perfgate (format version ${version}; this one reads version 1). ` +
        'Upgrade perfgate to use it; perfgate will not overwrite it.',
    )
  }
  const top = objectWithFields(data, '', { version: true, entries: true }, fail)
  if (top['version'] !== 1) fail('version', `must be 1 (found ${describe(version)})`)
  const entries: Record<string, Record<string, BaselineRecord>> = Object.create(null)
  const rawEntries = top['entries']
  if (!isPlainObject(rawEntries)) return fail('entries', `must be an object (found ${describe(rawEntries)})`)
  for (const key of Object.keys(rawEntries)) {
    const rawRecords = rawEntries[key]
    const at = `entries[${JSON.stringify(key)}]`
    if (!isPlainObject(rawRecords)) return fail(at, `must be an object of records by environment id (found ${describe(rawRecords)})`)
    const records: Record<string, BaselineRecord> = Object.create(null)
    for (const envId of Object.keys(rawRecords)) records[envId] = readRecord(rawRecords[envId], entryPath(key, envId), envId, fail)
    entries[key] = records
  }
  return { version: 1, entries }
}

/** Line and column (both from 1) of a JSON syntax error, from V8's message or, failing that, by scanning. */
function syntaxErrorLocation(message: string, text: string): { line: number; column: number } {
  // Newer V8: "… in JSON at position 18 (line 3 column 1)"; Node 20: "… in JSON at position 18".
  const lineColumn = /\bline (\d+) column (\d+)/.exec(message)
  if (lineColumn !== null) return { line: Number(lineColumn[1]), column: Number(lineColumn[2]) }
  const position = /\bat position (\d+)/.exec(message)
  if (position !== null) return lineColumnAt(text, Number(position[1]))
  if (/Unexpected end of JSON input/.test(message)) return lineColumnAt(text, text.length)
  // "Unexpected token '}', "{"a": }" is not valid JSON" carries no position.
  return lineColumnAt(text, firstJsonErrorOffset(text))
}

function lineColumnAt(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.min(offset, text.length))
  const lineStart = before.lastIndexOf('\n') + 1
  return { line: before.split('\n').length, column: before.length - lineStart + 1 }
}

/** Offset of the first character that makes `text` invalid JSON (RFC 8259), by a small recursive scan. */
function firstJsonErrorOffset(text: string): number {
  let i = 0
  const skipSpace = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i += 1
  }
  const string = (): boolean => {
    for (i += 1; i < text.length; ) {
      const char = text[i]!
      if (char < ' ') return false
      if (char === '"') {
        i += 1
        return true
      }
      if (char !== '\\') {
        i += 1
        continue
      }
      i += 1
      const escape = text[i] ?? ''
      if (escape === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) i += 5
      else if (escape !== '' && '"\\/bfnrt'.includes(escape)) i += 1
      else return false
    }
    return false
  }
  const sequence = (close: string, member: () => boolean): boolean => {
    i += 1
    skipSpace()
    for (let first = true; ; first = false) {
      if (first && text[i] === close) break
      if (!member()) return false
      skipSpace()
      if (text[i] === close) break
      if (text[i] !== ',') return false
      i += 1
    }
    i += 1
    return true
  }
  const property = (): boolean => {
    skipSpace()
    if (text[i] !== '"' || !string()) return false
    skipSpace()
    if (text[i] !== ':') return false
    i += 1
    return value()
  }
  const value = (): boolean => {
    skipSpace()
    const char = text[i]
    if (char === '{') return sequence('}', property)
    if (char === '[') return sequence(']', value)
    if (char === '"') return string()
    const literal = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y
    literal.lastIndex = i
    if (literal.exec(text) === null) return false
    i = literal.lastIndex
    return true
  }
  try {
    if (value()) skipSpace()
  } catch {
    return 0 // nested too deep for the stack: no better place to point at
  }
  return Math.min(i, text.length)
}

// ---------------------------------------------------------------------------
// Record shape
// ---------------------------------------------------------------------------

/** Reports a shape problem at a key path (`entries["a"]["env"].sample[3]`); never returns. */
type Fail = (at: string, problem: string) => never

// Records with every field, so the compiler keeps these lists in step with the types.
const recordFields: Record<keyof BaselineRecord, true> = {
  unit: true, summary: true, sample: true, sampleCount: true, rounds: true, noise: true,
  environment: true, recordedAt: true, perfgateVersion: true, gitCommit: true,
}
const summaryFields: Record<keyof SampleSummary, true> = {
  count: true, mean: true, median: true, sd: true, mad: true, min: true, max: true,
  p50: true, p75: true, p90: true, p95: true, p99: true,
}
const environmentFields: Record<keyof Environment, true> = { id: true, os: true, arch: true, cpuModel: true, cores: true, nodeMajor: true }

function entryPath(key: string, envId: string): string {
  return `entries[${JSON.stringify(key)}][${JSON.stringify(envId)}]`
}

/** A validated copy of one record, built from its known fields only. */
function readRecord(value: unknown, at: string, envId: string, fail: Fail): BaselineRecord {
  const raw = objectWithFields(value, at, recordFields, fail)
  if (raw['unit'] !== 'ms') fail(`${at}.unit`, `must be "ms" (found ${describe(raw['unit'])})`)
  const rawSummary = objectWithFields(raw['summary'], `${at}.summary`, summaryFields, fail)
  const summary = Object.fromEntries(
    Object.keys(summaryFields).map((field) => [field, finite(rawSummary[field], `${at}.summary.${field}`, fail)]),
  ) as Record<keyof SampleSummary, number>
  integer(summary.count, `${at}.summary.count`, 1, fail)
  const sample = numbers(raw['sample'], `${at}.sample`, fail)
  if (sample.length === 0) fail(`${at}.sample`, 'must hold at least one number')
  const unsorted = sample.findIndex((x, index) => index > 0 && x < sample[index - 1]!)
  if (unsorted !== -1) fail(`${at}.sample[${unsorted}]`, 'is smaller than the number before it: the sample must be sorted ascending')
  const rawEnvironment = objectWithFields(raw['environment'], `${at}.environment`, environmentFields, fail)
  const environment: Environment = {
    id: text(rawEnvironment['id'], `${at}.environment.id`, fail),
    os: text(rawEnvironment['os'], `${at}.environment.os`, fail),
    arch: text(rawEnvironment['arch'], `${at}.environment.arch`, fail),
    cpuModel: text(rawEnvironment['cpuModel'], `${at}.environment.cpuModel`, fail),
    cores: integer(rawEnvironment['cores'], `${at}.environment.cores`, 0, fail),
    nodeMajor: integer(rawEnvironment['nodeMajor'], `${at}.environment.nodeMajor`, 0, fail),
  }
  if (environment.id !== envId) fail(`${at}.environment.id`, `must equal the environment id it is stored under (found ${describe(environment.id)})`)
  const recordedAt = text(raw['recordedAt'], `${at}.recordedAt`, fail)
  if (Number.isNaN(Date.parse(recordedAt))) fail(`${at}.recordedAt`, `must be an ISO date and time (found ${describe(recordedAt)})`)
  const noise = finite(raw['noise'], `${at}.noise`, fail)
  if (noise < 0) fail(`${at}.noise`, `must not be negative (found ${noise})`)
  const gitCommit = raw['gitCommit']
  if (gitCommit !== null && typeof gitCommit !== 'string') fail(`${at}.gitCommit`, `must be a string or null (found ${describe(gitCommit)})`)
  return {
    unit: 'ms',
    summary,
    sample,
    sampleCount: integer(raw['sampleCount'], `${at}.sampleCount`, 1, fail),
    rounds: numbers(raw['rounds'], `${at}.rounds`, fail),
    noise,
    environment,
    recordedAt,
    perfgateVersion: text(raw['perfgateVersion'], `${at}.perfgateVersion`, fail),
    gitCommit,
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** An object with exactly these fields: a missing one is an error, and so is an unknown one (it would be lost on the next save). */
function objectWithFields(value: unknown, at: string, fields: Record<string, true>, fail: Fail): Record<string, unknown> {
  if (!isPlainObject(value)) return fail(at, `must be an object (found ${describe(value)})`)
  for (const field of Object.keys(fields)) {
    if (!Object.hasOwn(value, field)) fail(fieldPath(at, field), 'is missing')
  }
  for (const field of Object.keys(value)) {
    if (!Object.hasOwn(fields, field)) fail(fieldPath(at, field), 'is not a known field')
  }
  return value
}

/** `at.field`, or `at["odd field"]`; `at` is empty at the top level. */
function fieldPath(at: string, field: string): string {
  if (!/^[A-Za-z_$][\w$]*$/.test(field)) return `${at}[${JSON.stringify(field)}]`
  return at === '' ? field : `${at}.${field}`
}

function finite(value: unknown, at: string, fail: Fail): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) return fail(at, `must be a finite number (found ${describe(value)})`)
  return value
}

function integer(value: unknown, at: string, min: number, fail: Fail): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) return fail(at, `must be an integer from ${min} up (found ${describe(value)})`)
  return value
}

function text(value: unknown, at: string, fail: Fail): string {
  if (typeof value !== 'string' || value === '') return fail(at, `must be a non-empty string (found ${describe(value)})`)
  return value
}

function numbers(value: unknown, at: string, fail: Fail): number[] {
  if (!Array.isArray(value)) return fail(at, `must be an array of numbers (found ${describe(value)})`)
  return value.map((item: unknown, index) => finite(item, `${at}[${index}]`, fail))
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)
  if (value === null) return 'null'
  if (value === undefined) return 'nothing'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object') return 'an object'
  return String(value)
}
