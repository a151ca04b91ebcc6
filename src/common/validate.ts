import { PerfgateTypeError } from './errors.js'

// One message style for every misuse, after p-limit: "Expected `name` to be …, got …".

/** Characters of a string (or of an array's JSON) a message quotes before it cuts. */
const quotedLength = 60
/** Levels of nested arrays and objects a message shows. */
const quotedDepth = 3

/** A string as a message quotes it: JSON-quoted, cut after {@link quotedLength} characters. */
function quoteString(text: string, room: number): string {
  return text.length <= room ? JSON.stringify(text) : `${JSON.stringify(text.slice(0, Math.max(room, 1)))}…`
}

/**
 * JSON-like text of a value, cut after about `room` characters and below {@link quotedDepth}
 * levels. It walks no more of a value than it shows, so a huge or 100 000-deep array (as a config
 * file may hold) neither fills the message nor overflows the stack, as JSON.stringify would.
 */
function preview(value: unknown, room: number, depth: number): string {
  if (typeof value === 'string') return quoteString(value, room)
  if (typeof value !== 'object' || value === null) return String(value)
  const isArray = Array.isArray(value)
  const [open, close] = isArray ? ['[', ']'] : ['{', '}']
  const entries = isArray ? (value as unknown[]) : Object.keys(value)
  if (entries.length === 0) return `${open}${close}`
  if (depth >= quotedDepth) return `${open}…${close}`
  let text = open
  for (let index = 0; index < entries.length; index++) {
    const left = Math.max(room - text.length, 8)
    let entry: string
    if (isArray) {
      entry = preview((value as unknown[])[index], left, depth + 1)
    } else {
      const key = entries[index] as string
      entry = `${quoteString(key, left)}:${preview((value as Record<string, unknown>)[key], left, depth + 1)}`
    }
    // The first entry is shown (cut inside if need be); a later one only when it fits whole.
    if (index > 0 && text.length + 1 + entry.length > room) return `${text},…${close}`
    text += index > 0 ? `,${entry}` : entry
  }
  return `${text}${close}`
}

/**
 * The "got …" part of a message; `arrayContents` shows what an array held (for config files).
 * Long strings and arrays are cut, with their length: a message never echoes a value whole.
 */
export function describeValue(value: unknown, options: { readonly arrayContents?: boolean } = {}): string {
  if (typeof value === 'string') return value.length <= quotedLength ? JSON.stringify(value) : `${quoteString(value, quotedLength)} (${value.length} characters)`
  if (typeof value === 'function') return 'a function'
  if (value === null) return 'null'
  if (Array.isArray(value)) {
    if (options.arrayContents !== true) return 'an array'
    const shown = preview(value, quotedLength, 0)
    return shown.endsWith(',…]') ? `an array ${shown} (${value.length} items)` : `an array ${shown}`
  }
  if (typeof value === 'object') return 'an object'
  return String(value)
}

/**
 * A name from user input (a config key) as a message shows it: control characters escaped
 * (see {@link printableName}) and cut after {@link quotedLength} characters, with its length.
 */
export function shownName(name: string): string {
  const shown = printableName(name.length <= quotedLength ? name : name.slice(0, quotedLength))
  return name.length <= quotedLength ? shown : `${shown}… (${name.length} characters)`
}

/** Throws a TypeError naming `name`, saying what was expected and what was received. */
export function invalidArgument(name: string, expected: string, value: unknown): never {
  throw new PerfgateTypeError(`Expected \`${name}\` to be ${expected}, got ${describeValue(value)}`)
}

/** A finite number > 0. */
export function positiveNumber(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    invalidArgument(name, 'a positive finite number', value)
  }
  return value
}

/** A finite number ≥ 0. */
export function nonNegativeNumber(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) invalidArgument(name, 'a finite number from 0 and up', value)
  return value
}

/** An integer ≥ `min`. */
export function integerAtLeast(name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    invalidArgument(name, `an integer from ${min} and up`, value)
  }
  return value
}

/** An integer from `min` to `max`. */
export function integerBetween(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    invalidArgument(name, `an integer from ${min} to ${max.toLocaleString('en-US')}`, value)
  }
  return value
}

/** A number in the open interval (0, 1), as for a confidence level. */
export function openUnitInterval(name: string, value: unknown): number {
  if (typeof value !== 'number' || !(value > 0 && value < 1)) {
    invalidArgument(name, 'a number between 0 and 1 (exclusive)', value)
  }
  return value
}

/** A number in the closed interval [0, 1], as for a rate. */
export function closedUnitInterval(name: string, value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    invalidArgument(name, 'a number from 0 to 1', value)
  }
  return value
}

/** A plain options object (or undefined) whose keys are all known. */
export function optionsObject<K extends string>(
  name: string,
  value: unknown,
  allowed: readonly K[],
): Partial<Record<K, unknown>> {
  if (value === undefined) return {}
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    invalidArgument(name, 'an options object', value)
  }
  for (const key of Object.keys(value)) {
    if (!(allowed as readonly string[]).includes(key)) {
      throw new PerfgateTypeError(
        `Unknown option \`${key}\` in \`${name}\`; known options: ${allowed.join(', ')}`,
      )
    }
  }
  return value as Partial<Record<K, unknown>>
}

/** A thenable: what `await` would wait for. */
export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function'
}

/**
 * A name (a test name, a baseline key, a path) as it may be printed: control characters (C0,
 * DEL and C1, which carry terminal escapes such as title changes and `\r` line erases) are
 * shown as `\u001b`-style escapes, so a name can never drive the terminal.
 * @example printableName('a\rb') // => 'a\\u000db'
 */
export function printableName(name: string): string {
  // eslint-disable-next-line no-control-regex
  return name.replace(/[\u0000-\u001f\u007f-\u009f]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
}
