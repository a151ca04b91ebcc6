/**
 * The functions whose slowdowns `bench/quality.ts` asks the regression gate to catch.
 *
 * Each is deterministic and takes a scale factor `s` that multiplies its work: the count of
 * units of work is `round(base × s)`, with the bases chosen so that every scale used
 * (1, 1.1, 1.25, 1.5) gives an exact multiple, so time per call grows linearly with `s`.
 */

/** A kind of function measured by the quality benchmark. */
export interface QualityKind {
  /** Short key, used in KINDS and as the baseline key. */
  readonly name: string
  /** What one call does at scale 1. */
  readonly description: string
  /** The function at a scale factor of its work (1 = baseline). */
  readonly build: (scale: number) => () => unknown
}

// Results are written here so that the JIT cannot drop the work as dead code.
const sink = { value: 0 as unknown }

const units = (base: number, scale: number): number => Math.max(1, Math.round(base * scale))

const cpu: QualityKind = {
  name: 'cpu',
  description: 'numeric loop: Σ √i·(i & 7) over 20 000 × s integers',
  build: (scale) => {
    const n = units(20_000, scale)
    return () => {
      let acc = 0
      for (let i = 1; i <= n; i++) acc += Math.sqrt(i) * (i & 7)
      sink.value = acc
      return acc
    }
  },
}

const alloc: QualityKind = {
  name: 'alloc',
  description: 'allocation: builds 2 000 × s small objects with a string and an array each, then drops them',
  build: (scale) => {
    const n = units(2_000, scale)
    return () => {
      const items: { id: number; label: string; tags: number[] }[] = []
      for (let i = 0; i < n; i++) items.push({ id: i, label: `item-${i}`, tags: [i & 3, i & 5] })
      sink.value = items
      return items.length
    }
  },
}

const async: QualityKind = {
  name: 'async',
  description: 'async: 20 × s units of (one setImmediate turn, three resolved awaits, a 100-step loop)',
  build: (scale) => {
    const n = units(20, scale)
    return async () => {
      let acc = 0
      for (let k = 0; k < n; k++) {
        await new Promise<void>((resolve) => setImmediate(resolve))
        for (let j = 0; j < 3; j++) acc += await Promise.resolve(k + j)
        for (let i = 0; i < 100; i++) acc += Math.imul(i, k) & 0xff
      }
      sink.value = acc
      return acc
    }
  },
}

const json: QualityKind = {
  name: 'json',
  description: 'JSON round trip: stringify + parse of 40 × s records',
  build: (scale) => {
    const n = units(40, scale)
    const doc = Array.from({ length: n }, (_, i) => ({
      id: i,
      name: `user-${i}`,
      active: i % 3 === 0,
      score: i * 1.5,
      tags: ['alpha', 'beta', String(i)],
      address: { city: `city-${i % 7}`, zip: 10_000 + i },
    }))
    return () => {
      const copy = JSON.parse(JSON.stringify(doc)) as unknown[]
      sink.value = copy
      return copy.length
    }
  },
}

/** Every kind, in the order a process measures them. */
export const qualityKinds: readonly QualityKind[] = [cpu, alloc, async, json]

/** The kinds named in a comma list (all when empty); throws on an unknown name. */
export function selectKinds(list: string | undefined): QualityKind[] {
  if (list === undefined || list.trim() === '') return [...qualityKinds]
  return list.split(',').map((raw) => {
    const name = raw.trim()
    const kind = qualityKinds.find((k) => k.name === name)
    if (kind === undefined) throw new Error(`Unknown kind "${name}" in KINDS; expected some of ${qualityKinds.map((k) => k.name).join(', ')}`)
    return kind
  })
}
