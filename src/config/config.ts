import { readFile } from 'node:fs/promises'
import { isAbsolute, relative, resolve as resolvePath, sep } from 'node:path'
import JSON5 from 'json5'
import { PerfgateError } from '../common/errors.js'
import { describeValue, shownName } from '../common/validate.js'

/** Every setting perfgate has, with its default. */
export interface PerfgateConfig {
  /** Where baselines live, relative to the project root. Default `'baselines'`. */
  baselineDir: string
  /** Smallest relative change that counts (0.10 = 10%). In (0, 10). */
  threshold: number
  /** Significance level of the regression test. In (0, 0.5). */
  alpha: number
  /**
   * Slowdowns that a baseline recorded from one process (or two) cannot tell from the
   * variation between processes, which rounds within one process cannot see (1.25 = 125%), for
   * functions and for `measure()` latencies. Baselines recorded from three runs or more
   * (`PERFGATE_RECORD=add`) use their runs' own spread.
   */
  processAllowance: { benchmark: number; latency: number }
  /** Statistic compared against the baseline. */
  statistic: 'median' | 'mean'
  /** What a baseline from another environment means: no comparison, a warning, or compare anyway. */
  environment: 'strict' | 'warn' | 'ignore'
  /** Whether an inconclusive verdict passes with a warning or fails. */
  onInconclusive: 'warn' | 'fail'
  ci: {
    /** What a missing baseline does in CI, where nothing is recorded. */
    missingBaseline: 'fail' | 'warn'
  }
  benchmark: {
    /** ms of sampling. */
    time: number
    /** ms of unmeasured warm-up (0 turns it off). */
    warmupTime: number
    /** Samples taken however long they take. */
    minSamples: number
    /** ms adaptive sampling may go on to when a verdict is borderline; at least `time`. */
    maxTime: number
    /** Rounds measured when recording a baseline, to learn its noise floor. */
    rounds: number
  }
  respondWithin: {
    samples: number
    warmup: number
    percentile: number | 'median' | 'mean' | 'max'
    concurrency: number
    /** ms for one request. */
    timeout: number
    allowFailures: number
    /** Confidence level of the bound checked against the budget; `null` checks the estimate itself. */
    confidence: number | null
  }
  successRate: {
    requests: number
    concurrency: number
    /** ms for one request. */
    timeout: number
    /** Confidence level of the Wilson lower bound; `null` checks the observed rate itself. */
    confidence: number | null
  }
  report: {
    /** Where report files go, relative to the project root. */
    dir: string
    formats: Array<'text' | 'md' | 'json' | 'html'>
  }
}

/** `T` with every property optional, all the way down; arrays are taken whole. */
export type DeepPartial<T> = {
  [K in keyof T]?: T[K] extends readonly unknown[] ? T[K] : T[K] extends object ? DeepPartial<T[K]> : T[K]
}

/** Settings as a config file, the plugin or a matcher gives them: any subset of {@link PerfgateConfig}. */
export type PerfgateUserConfig = DeepPartial<PerfgateConfig>

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child)
    Object.freeze(value)
  }
  return value
}

/** The defaults, deeply frozen. Use {@link resolveConfig} for a copy you may change. */
export const defaultConfig: Readonly<PerfgateConfig> = deepFreeze<PerfgateConfig>({
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

/** Config file names looked for at the project root, in order of preference. */
export const configFileNames = Object.freeze(['perfgate.config.json5', 'perfgate.config.json'] as const)

// ---------------------------------------------------------------------------------------------
// Schema: one rule per leaf setting, shaped like PerfgateConfig so the compiler checks that
// every setting has a rule.

/** One leaf setting: what it must be, worded as the error message says it. */
class Rule {
  constructor(
    readonly expected: string,
    readonly accepts: (value: unknown) => boolean,
  ) {}
}

type Schema<T> = {
  readonly [K in keyof T]-?: T[K] extends readonly unknown[] ? Rule : T[K] extends object ? Schema<T[K]> : Rule
}
interface SchemaObject {
  readonly [key: string]: Rule | SchemaObject
}

const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value)

function numberRule(expected: string, inRange: (value: number) => boolean): Rule {
  return new Rule(expected, (value) => isFiniteNumber(value) && inRange(value))
}

function integerFrom(min: number, max = Number.POSITIVE_INFINITY): Rule {
  const expected = max === Number.POSITIVE_INFINITY ? `an integer from ${min} and up` : `an integer from ${min} to ${max.toLocaleString('en-US')}`
  return new Rule(expected, (value) => Number.isInteger(value) && (value as number) >= min && (value as number) <= max)
}

/** The most measured requests one latency check takes, and one load run: each latency is kept (1e8 samples took 1.3 GB). */
export const maxSamples = 1_000_000
export const maxRequests = 10_000_000

function oneOf(...words: readonly string[]): Rule {
  const quoted = words.map((word) => JSON.stringify(word))
  const expected = `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`
  return new Rule(expected, (value) => typeof value === 'string' && words.includes(value))
}

const reportFormats = ['text', 'md', 'json', 'html'] as const

const nonEmptyString = new Rule('a non-empty string', (value) => typeof value === 'string' && value.length > 0)
const milliseconds = numberRule('a number of milliseconds greater than 0', (value) => value > 0)
const confidenceLevel = new Rule(
  'a number between 0 and 1 (exclusive), or null',
  (value) => value === null || (isFiniteNumber(value) && value > 0 && value < 1),
)

const configSchema: Schema<PerfgateConfig> = {
  baselineDir: nonEmptyString,
  threshold: numberRule('a number greater than 0 and less than 10 (0.1 means 10%)', (value) => value > 0 && value < 10),
  alpha: numberRule('a number greater than 0 and less than 0.5', (value) => value > 0 && value < 0.5),
  processAllowance: {
    benchmark: numberRule('a number from 0 and less than 10 (0.25 means 25%)', (value) => value >= 0 && value < 10),
    latency: numberRule('a number from 0 and less than 10 (1 means 100%)', (value) => value >= 0 && value < 10),
  },
  statistic: oneOf('median', 'mean'),
  environment: oneOf('strict', 'warn', 'ignore'),
  onInconclusive: oneOf('warn', 'fail'),
  ci: { missingBaseline: oneOf('fail', 'warn') },
  benchmark: {
    time: milliseconds,
    warmupTime: numberRule('a number of milliseconds from 0 and up', (value) => value >= 0),
    minSamples: integerFrom(1),
    maxTime: milliseconds,
    rounds: integerFrom(1),
  },
  respondWithin: {
    samples: integerFrom(1, maxSamples),
    warmup: integerFrom(0),
    percentile: new Rule(
      'a number greater than 0 and at most 100, or "median", "mean" or "max"',
      (value) =>
        (isFiniteNumber(value) && value > 0 && value <= 100) ||
        value === 'median' ||
        value === 'mean' ||
        value === 'max',
    ),
    concurrency: integerFrom(1),
    timeout: milliseconds,
    allowFailures: integerFrom(0),
    confidence: confidenceLevel,
  },
  successRate: {
    requests: integerFrom(1, maxRequests),
    concurrency: integerFrom(1),
    timeout: milliseconds,
    confidence: confidenceLevel,
  },
  report: {
    dir: nonEmptyString,
    formats: new Rule(
      'an array of distinct formats among "text", "md", "json" and "html"',
      (value) =>
        Array.isArray(value) &&
        value.every((format) => (reportFormats as readonly unknown[]).includes(format)) &&
        new Set(value).size === value.length,
    ),
  },
}
const rootSchema = configSchema as unknown as SchemaObject

// ---------------------------------------------------------------------------------------------
// Validation

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** An own property only, so nothing is ever read through a prototype. */
function ownValue(value: unknown, key: string): unknown {
  return isPlainObject(value) && Object.hasOwn(value, key) ? value[key] : undefined
}

function invalidValue(keyPath: string, source: string, expected: string, value: unknown): PerfgateError {
  const subject = keyPath === '' ? 'the configuration' : `\`${keyPath}\``
  return new PerfgateError(
    'PERFGATE_CONFIG_INVALID',
    `Expected ${subject} in ${source} to be ${expected}, got ${describeValue(value, { arrayContents: true })}`,
  )
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution)
    }
    previous = current
  }
  return previous[b.length] ?? 0
}

/** The known key a typo most likely meant, when one is close enough to be worth saying. */
function closestKey(key: string, knownKeys: readonly string[]): string | undefined {
  const maxDistance = key.length <= 3 ? 1 : 2
  let best: { key: string; distance: number } | undefined
  for (const known of knownKeys) {
    // The distance is at least the difference in length: a huge key is compared with nothing.
    if (Math.abs(key.length - known.length) > maxDistance) continue
    const distance = editDistance(key.toLowerCase(), known.toLowerCase())
    if (distance <= maxDistance && (best === undefined || distance < best.distance)) best = { key: known, distance }
  }
  return best?.key
}

function unknownKey(keyPath: string, key: string, knownKeys: readonly string[], source: string): PerfgateError {
  const suggestion = closestKey(key, knownKeys)
  const hint = suggestion === undefined ? '; known keys' : `; did you mean \`${suggestion}\`? Known keys`
  return new PerfgateError(
    'PERFGATE_CONFIG_INVALID',
    `Unknown key \`${keyPath}\` in ${source}${hint}: ${knownKeys.join(', ')}`,
  )
}

/** Checks `value` against `schema` and returns a fresh copy holding only its known, defined keys. */
function validateObject(
  value: unknown,
  schema: SchemaObject,
  keyPath: string,
  source: string,
): Record<string, unknown> {
  if (!isPlainObject(value)) throw invalidValue(keyPath, source, 'an object', value)
  const copy: Record<string, unknown> = {}
  // Object.keys sees an own `__proto__` (json5 and JSON.parse create one); hasOwn on the schema
  // rejects it, so `copy[key]` below is only ever assigned a schema key.
  for (const key of Object.keys(value)) {
    // Only ever shown in messages: a key from the file is escaped and cut there.
    const childPath = keyPath === '' ? shownName(key) : `${keyPath}.${shownName(key)}`
    const rule = Object.hasOwn(schema, key) ? schema[key] : undefined
    if (rule === undefined) throw unknownKey(childPath, key, Object.keys(schema), source)
    const child = value[key]
    if (child === undefined) continue
    if (rule instanceof Rule) {
      if (!rule.accepts(child)) throw invalidValue(childPath, source, rule.expected, child)
      copy[key] = Array.isArray(child) ? [...(child as unknown[])] : child
    } else {
      copy[key] = validateObject(child, rule, childPath, source)
    }
  }
  return copy
}

/**
 * Validates an already-parsed object (the plugin's or a matcher's options) and returns a fresh copy.
 * Keys set to `undefined` count as not given. Throws a `PerfgateError` with code
 * `PERFGATE_CONFIG_INVALID` naming the key path and `source` on an unknown key or a bad value.
 * @example
 * validateUserConfig({ benchmark: { time: 500 } }, 'plugin options')
 */
export function validateUserConfig(value: unknown, source: string): PerfgateUserConfig {
  return validateObject(value, rootSchema, '', source) as PerfgateUserConfig
}

function parseError(error: unknown, source: string): PerfgateError {
  const lineNumber = ownValue(error, 'lineNumber')
  const columnNumber = ownValue(error, 'columnNumber')
  const where =
    typeof lineNumber === 'number' && typeof columnNumber === 'number'
      ? ` at line ${lineNumber}, column ${columnNumber}`
      : ''
  const reason =
    error instanceof Error ? error.message.replace(/^JSON5: /, '').replace(/ at \d+:\d+$/, '') : String(error)
  return new PerfgateError(
    'PERFGATE_CONFIG_PARSE',
    `Cannot parse ${source}${where}: ${reason}. Fix the syntax there (JSON5: comments and trailing commas are fine).`,
    { cause: error },
  )
}

/**
 * Parses config text with JSON5 (comments and trailing commas allowed) and validates it.
 * `source` names it in errors: a file path, or `'plugin options'`. Throws `PERFGATE_CONFIG_PARSE`
 * with the line and column on a syntax error, `PERFGATE_CONFIG_INVALID` on bad content.
 * @example
 * parseConfigText('{ threshold: 0.2, // looser for this project\n}', 'perfgate.config.json5')
 */
export function parseConfigText(text: string, source: string): PerfgateUserConfig {
  if (text.trim() === '') throw new PerfgateError('PERFGATE_CONFIG_PARSE', `${source} is empty: write {} for the defaults (every key is optional), or delete it`)
  let parsed: unknown
  try {
    parsed = JSON5.parse(text)
  } catch (error) {
    throw parseError(error, source)
  }
  return validateUserConfig(parsed, source)
}

function isMissingFile(error: unknown): boolean {
  const code = ownValue(error, 'code')
  return code === 'ENOENT' || code === 'ENOTDIR'
}

/**
 * Finds and reads the config file in `rootDir`: the one of {@link configFileNames} that exists;
 * both is an error (one would be ignored). Returns `{ path: null, config: {} }` when there is
 * none. Only reads; never writes the file.
 * @example
 * const { path, config } = await readConfigFile(process.cwd())
 */
export async function readConfigFile(rootDir: string): Promise<{ path: string | null; config: PerfgateUserConfig }> {
  const found: { readonly path: string; readonly text: string }[] = []
  for (const fileName of configFileNames) {
    const path = resolvePath(rootDir, fileName)
    try {
      found.push({ path, text: await readFile(path, 'utf8') })
    } catch (error) {
      if (isMissingFile(error)) continue
      const reason = error instanceof Error ? error.message : String(error)
      throw new PerfgateError('PERFGATE_CONFIG_PARSE', `Cannot read ${path}: ${reason}`, { cause: error })
    }
  }
  const [first, second] = found
  if (first === undefined) return { path: null, config: {} }
  // One of them would be ignored in silence, and edits to it would change nothing.
  if (second !== undefined) {
    throw new PerfgateError('PERFGATE_CONFIG_INVALID', `Both ${first.path} and ${second.path} exist: perfgate reads one config file. Merge them into one and delete the other.`)
  }
  const config = parseConfigText(first.text, first.path)
  checkBaselineDirInside(config, rootDir, first.path)
  return { path: first.path, config }
}

/**
 * Throws `PERFGATE_CONFIG_INVALID`, naming the key and `source`, when a layer's `baselineDir`
 * leads outside the project root: baselines belong to the project and are committed with it,
 * and a configuration must not make perfgate write elsewhere.
 * @example
 * checkBaselineDirInside({ baselineDir: '../shared' }, '/app', '/app/perfgate.config.json5') // throws
 */
export function checkBaselineDirInside(config: PerfgateUserConfig, rootDir: string, source: string): void {
  const dir = config.baselineDir
  if (dir === undefined) return
  const root = resolvePath(rootDir)
  const fromRoot = relative(root, resolvePath(root, dir))
  if (fromRoot === '..' || fromRoot.startsWith(`..${sep}`) || isAbsolute(fromRoot)) {
    throw new PerfgateError(
      'PERFGATE_CONFIG_INVALID',
      `Expected \`baselineDir\` in ${source} to be a folder inside the project root ${root}, got ${JSON.stringify(dir)}: ` +
        'perfgate writes baselines only inside the project, where they are committed with it.',
    )
  }
}

// ---------------------------------------------------------------------------------------------
// Merging

/** Copies the layer's settings onto `target`, walking the schema so only known keys are read. */
function mergeLayer(target: Record<string, unknown>, layer: unknown, schema: SchemaObject): void {
  for (const key of Object.keys(schema)) {
    const rule = schema[key]
    const value = ownValue(layer, key)
    if (value === undefined || rule === undefined) continue
    const current = target[key]
    if (!(rule instanceof Rule) && isPlainObject(value) && isPlainObject(current)) {
      mergeLayer(current, value, rule)
    } else {
      // A wrong value is copied as it is, for the final validation to report.
      target[key] = Array.isArray(value) ? [...(value as unknown[])] : value
    }
  }
}

/**
 * Merges layers over the defaults, later ones winning: defaults < file < plugin < matcher.
 * Nested objects merge key by key, arrays replace, `undefined` means not given. Returns a fresh,
 * fully resolved config. `benchmark.maxTime`, when no layer sets it, grows to `benchmark.time`;
 * set explicitly below it, it is an error naming both keys.
 * @example
 * const config = resolveConfig(fileConfig, pluginOptions, { threshold: 0.2 })
 */
export function resolveConfig(...layers: Array<PerfgateUserConfig | undefined>): PerfgateConfig {
  const merged = structuredClone(defaultConfig) as PerfgateConfig
  layers.forEach((layer, index) => {
    if (layer === undefined) return
    if (!isPlainObject(layer)) throw invalidValue('', `configuration layer ${index + 1}`, 'an object', layer)
    mergeLayer(merged as unknown as Record<string, unknown>, layer, rootSchema)
  })
  // The layers are normally validated already; this catches one that was not.
  validateUserConfig(merged, 'the merged configuration')

  const { benchmark } = merged
  const maxTimeGiven = layers.some((layer) => ownValue(ownValue(layer, 'benchmark'), 'maxTime') !== undefined)
  if (!maxTimeGiven) {
    benchmark.maxTime = Math.max(benchmark.maxTime, benchmark.time)
  } else if (benchmark.maxTime < benchmark.time) {
    throw new PerfgateError(
      'PERFGATE_CONFIG_INVALID',
      `Expected \`benchmark.maxTime\` (${benchmark.maxTime}) to be at least \`benchmark.time\` (${benchmark.time}); ` +
        'raise `benchmark.maxTime` or lower `benchmark.time` in the config file, plugin or matcher options',
    )
  }
  return merged
}

/**
 * The configuration of a project: its config file (if any) resolved over the defaults, under the
 * `above` layers (plugin options). Throws what {@link readConfigFile} and {@link resolveConfig}
 * throw, naming the file. Only reads.
 * @example
 * const config = await loadConfig(process.cwd(), pluginOptions)
 */
export async function loadConfig(rootDir: string, ...above: Array<PerfgateUserConfig | undefined>): Promise<PerfgateConfig> {
  const { config } = await readConfigFile(rootDir)
  return resolveConfig(config, ...above)
}
