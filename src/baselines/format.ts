import type { BaselineFileContent, BaselineRecord, BaselineRun } from './types.js'
import type { Environment } from '../machine/environment.js'
import type { MachineState } from '../machine/state.js'
import { PerfgateError } from '../common/errors.js'
import { invalidArgument } from '../common/validate.js'
import type { SampleSummary } from '../stats/index.js'

// The baseline file format: stable JSON out, validated JSON in.

/** What to do about a broken file; perfgate itself never overwrites one. */
const brokenFileAdvice = 'Fix or delete the file, or restore it from version control; perfgate will not overwrite it.'

/**
 * The file's text: `version` first, then keys sorted (by UTF-16 code unit) at every level,
 * two-space indent, arrays of numbers on one line and a trailing newline, so the same content is
 * always the same bytes and a rewritten record is a short diff.
 */
export function serializeBaselineFile(content: BaselineFileContent): string {
  return serializeBaselineEntries(content.entries)
}

/**
 * {@link serializeBaselineFile} for entries that may also hold records kept as they were read
 * (records that failed validation, set aside under `-u`): any JSON data is written the same way.
 */
export function serializeBaselineEntries(entries: Readonly<Record<string, Readonly<Record<string, unknown>>>>): string {
  return `{\n  "version": 1,\n  "entries": ${stableJson(entries, '  ', 'entries')}\n}\n`
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
    // A sample or the rounds on one line: a rewritten record changes one line, not 256.
    if (value.every((item: unknown) => typeof item !== 'object' || item === null)) return `[${items.join(', ')}]`
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
  // Public: a wrong argument is a TypeError naming it, not "Cannot read properties of null".
  if (typeof text !== 'string') invalidArgument('text', "a baseline file's text (a string)", text)
  if (typeof path !== 'string') invalidArgument('path', 'the file path to name in errors (a string)', path)
  return readBaselineFile(text, path, false).content
}

/** A record that failed validation, kept as it was read (see {@link readBaselineFile}). */
export interface UnreadableRecord {
  readonly key: string
  readonly envId: string
  /** The record's JSON as read: written back unchanged until it is replaced or removed. */
  readonly raw: unknown
  /** What is wrong, with its key path: `entries["k"]["env"].rounds must hold at least one number`. */
  readonly problem: string
}

/** A validation failure inside one record, caught where records may be set aside. */
class RecordProblem extends Error {
  readonly at: string
  readonly problem: string

  constructor(at: string, problem: string) {
    super(`${at} ${problem}`)
    this.at = at
    this.problem = problem
  }
}

/**
 * {@link parseBaselineFile}; with `setAsideInvalidRecords` (update mode `all`), a record that
 * fails validation does not fail the file: it is returned in `unreadable`, for `-u` to record
 * again. Text that is not JSON, a wrong shape above the records or a newer version still throws.
 */
export function readBaselineFile(
  text: string,
  path: string,
  setAsideInvalidRecords: boolean,
): { readonly content: BaselineFileContent; readonly unreadable: readonly UnreadableRecord[] } {
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
  const unreadable: UnreadableRecord[] = []
  const rawEntries = top['entries']
  if (!isPlainObject(rawEntries)) return fail('entries', `must be an object (found ${describe(rawEntries)})`)
  const recordFail: Fail = (at, problem) => {
    throw new RecordProblem(at, problem)
  }
  for (const key of Object.keys(rawEntries)) {
    const rawRecords = rawEntries[key]
    const at = `entries[${JSON.stringify(key)}]`
    if (!isPlainObject(rawRecords)) return fail(at, `must be an object of records by environment id (found ${describe(rawRecords)})`)
    const records: Record<string, BaselineRecord> = Object.create(null)
    for (const envId of Object.keys(rawRecords)) {
      try {
        records[envId] = readRecord(rawRecords[envId], entryPath(key, envId), envId, recordFail)
      } catch (error) {
        if (!(error instanceof RecordProblem)) throw error
        if (!setAsideInvalidRecords) {
          throw new PerfgateError(
            'PERFGATE_BASELINE_INVALID',
            `Invalid baseline file ${path}: ${error.at} ${error.problem}. Fix or delete this record, or record it again: ` +
              `run its test with -u in that environment (${envId}), which replaces only this record. Perfgate will not overwrite the file otherwise.`,
          )
        }
        unreadable.push({ key, envId, raw: rawRecords[envId], problem: error.message })
      }
    }
    // A key whose every record was set aside holds none here; `unreadable` keeps it.
    if (Object.keys(records).length > 0) entries[key] = records
  }
  return { content: { version: 1, entries }, unreadable }
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
export type Fail = (at: string, problem: string) => never

// Records with every field, so the compiler keeps these lists in step with the types.
// true: required; false: optional.
const recordFields: Record<keyof BaselineRecord, boolean> = {
  unit: true, summary: true, sample: true, sampleCount: true, rounds: true, noise: true,
  environment: true, recordedAt: true, perfgateVersion: true, gitCommit: true, machine: false, runs: false,
}
const machineFields: Record<keyof MachineState, boolean> = { busy: true, probe: true }
const runFields: Record<keyof BaselineRun, boolean> = { median: true, rounds: true, machine: true, recordedAt: true }
const summaryFields: Record<keyof SampleSummary, true> = {
  count: true, mean: true, median: true, sd: true, mad: true, min: true, max: true,
  p50: true, p75: true, p90: true, p95: true, p99: true,
}
const environmentFields: Record<keyof Environment, true> = { id: true, os: true, arch: true, cpuModel: true, cores: true, nodeMajor: true }

/** Where a record sits in the file, for messages: `entries["key"]["env"]`. */
export function entryPath(key: string, envId: string): string {
  return `entries[${JSON.stringify(key)}][${JSON.stringify(envId)}]`
}

/** A validated copy of one record (as parsed, or before it is stored), built from its known fields only. */
export function readRecord(value: unknown, at: string, envId: string, fail: Fail): BaselineRecord {
  const raw = objectWithFields(value, at, recordFields, fail)
  if (raw['unit'] !== 'ms') fail(`${at}.unit`, `must be "ms" (found ${describe(raw['unit'])})`)
  const rawSummary = objectWithFields(raw['summary'], `${at}.summary`, summaryFields, fail)
  const summary = Object.fromEntries(
    Object.keys(summaryFields).map((field) => [field, finite(rawSummary[field], `${at}.summary.${field}`, fail)]),
  ) as Record<keyof SampleSummary, number>
  integer(summary.count, `${at}.summary.count`, 1, fail)
  for (const field of ['mean', 'median', 'min', 'max', 'p50', 'p75', 'p90', 'p95', 'p99'] as const) {
    if (!(summary[field] > 0)) fail(`${at}.summary.${field}`, `must be a positive number of ms (found ${summary[field]})`)
  }
  for (const field of ['sd', 'mad'] as const) {
    if (summary[field] < 0) fail(`${at}.summary.${field}`, `must not be negative (found ${summary[field]})`)
  }
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
  const rounds = numbers(raw['rounds'], `${at}.rounds`, fail)
  if (rounds.length === 0) fail(`${at}.rounds`, 'must hold at least one number')
  const notPositive = [...sample, ...rounds].find((x) => !(x > 0))
  if (notPositive !== undefined) fail(`${at}`, `holds a sample or round of ${notPositive} ms: times must be positive`)
  const record: BaselineRecord = {
    unit: 'ms',
    summary,
    sample,
    sampleCount: integer(raw['sampleCount'], `${at}.sampleCount`, 1, fail),
    rounds,
    noise,
    environment,
    recordedAt,
    perfgateVersion: text(raw['perfgateVersion'], `${at}.perfgateVersion`, fail),
    gitCommit,
  }
  const withMachine = raw['machine'] === undefined ? record : { ...record, machine: readMachine(raw['machine'], `${at}.machine`, fail) }
  if (raw['runs'] === undefined) return withMachine
  if (!Array.isArray(raw['runs']) || raw['runs'].length < 2) fail(`${at}.runs`, `must be an array of at least two runs (found ${describe(raw['runs'])})`)
  const runs = (raw['runs'] as unknown[]).map((run, index) => readRun(run, `${at}.runs[${index}]`, fail))
  // The rounds are stored run after run; adding a run drops the oldest run's rounds by this count.
  const runRounds = runs.reduce((sum, run) => sum + run.rounds, 0)
  if (runRounds !== rounds.length) fail(`${at}.runs`, `count ${runRounds} rounds in all, but rounds holds ${rounds.length}: they must agree`)
  return { ...withMachine, runs }
}

function readMachine(value: unknown, at: string, fail: Fail): MachineState {
  const raw = objectWithFields(value, at, machineFields, fail)
  const busy = raw['busy'] === null ? null : finite(raw['busy'], `${at}.busy`, fail)
  if (busy !== null && (busy < 0 || busy > 1)) fail(`${at}.busy`, `must be null or a number from 0 to 1 (found ${busy})`)
  const probe = raw['probe'] === null ? null : finite(raw['probe'], `${at}.probe`, fail)
  // A zero probe would make any slowdown look explained by a slower machine.
  if (probe !== null && !(probe > 0)) fail(`${at}.probe`, `must be null or a positive number of ms (found ${probe})`)
  return { busy, probe }
}

function readRun(value: unknown, at: string, fail: Fail): BaselineRun {
  const raw = objectWithFields(value, at, runFields, fail)
  const median = finite(raw['median'], `${at}.median`, fail)
  if (!(median > 0)) fail(`${at}.median`, `must be positive (found ${median})`)
  const recordedAt = text(raw['recordedAt'], `${at}.recordedAt`, fail)
  if (Number.isNaN(Date.parse(recordedAt))) fail(`${at}.recordedAt`, `must be an ISO date and time (found ${describe(recordedAt)})`)
  return { median, rounds: integer(raw['rounds'], `${at}.rounds`, 1, fail), machine: readMachine(raw['machine'], `${at}.machine`, fail), recordedAt }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** An object with exactly these fields: a missing one is an error, and so is an unknown one (it would be lost on the next save). */
function objectWithFields(value: unknown, at: string, fields: Record<string, boolean>, fail: Fail): Record<string, unknown> {
  if (!isPlainObject(value)) return fail(at, `must be an object (found ${describe(value)})`)
  for (const field of Object.keys(fields)) {
    if (fields[field] === true && !Object.hasOwn(value, field)) fail(fieldPath(at, field), 'is missing')
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
