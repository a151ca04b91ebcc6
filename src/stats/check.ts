/** Argument checks shared by the statistical functions: each throws a TypeError that names the argument. */

export function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value)
}

export function assertSample(name: string, x: readonly number[], ascending = false): void {
  if (!Array.isArray(x) || x.length === 0) {
    throw new TypeError(`Expected \`${name}\` to be a non-empty array of numbers, got ${Array.isArray(x) ? 'an empty array' : show(x)}`)
  }
  for (let i = 0; i < x.length; i++) {
    const v = x[i]
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new TypeError(`Expected \`${name}\` to contain only finite numbers, got ${show(v)} at index ${i}`)
    }
    if (ascending && i > 0 && v < x[i - 1]!) {
      throw new TypeError(`Expected \`${name}\` to be sorted in ascending order, got ${x[i - 1]} before ${v} at index ${i}`)
    }
  }
}

export function assertNumberIn(name: string, value: number, min: number, max: number, exclusive = false): void {
  const ok = typeof value === 'number' && (exclusive ? value > min && value < max : value >= min && value <= max)
  if (!ok) {
    const range = exclusive ? `between ${min} and ${max} (exclusive)` : `from ${min} to ${max}`
    throw new TypeError(`Expected \`${name}\` to be a number ${range}, got ${show(value)}`)
  }
}

export function assertInteger(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max !== Number.MAX_SAFE_INTEGER ? ` from ${min} to ${max}` : min > Number.MIN_SAFE_INTEGER ? ` >= ${min}` : ''
    throw new TypeError(`Expected \`${name}\` to be an integer${range}, got ${show(value)}`)
  }
}
