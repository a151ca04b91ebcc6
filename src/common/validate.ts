import { PerfgateTypeError } from './errors.js'

// One message style for every misuse, after p-limit: "Expected `name` to be …, got …".

/** The "got …" part of a message; `arrayContents` shows what an array held (for config files). */
export function describeValue(value: unknown, options: { readonly arrayContents?: boolean } = {}): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'function') return 'a function'
  if (value === null) return 'null'
  if (Array.isArray(value)) return options.arrayContents === true ? `an array ${JSON.stringify(value)}` : 'an array'
  if (typeof value === 'object') return 'an object'
  return String(value)
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
