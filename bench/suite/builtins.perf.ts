import { describe, expect, it } from 'vitest'
import type {} from 'perfgate/vitest'
import { jsonRoundTrip, nameLists, orderDocument, sortNames, sumOfSquareRoots, units } from './workloads.js'

// Everyday code on built-ins, benchmarked with toMatchBaseline at default settings.

describe('built-ins', () => {
  it('sorts customer names with localeCompare', async () => {
    const lists = nameLists(units(8), 100)
    await expect(() => sortNames(lists)).toMatchBaseline()
  })

  it('round-trips an order document through JSON', async () => {
    const doc = orderDocument(units(200))
    await expect(() => jsonRoundTrip(doc)).toMatchBaseline()
  })

  it('sums square roots in a tight loop', async () => {
    const n = units(40_000)
    await expect(() => sumOfSquareRoots(n)).toMatchBaseline()
  })
})
