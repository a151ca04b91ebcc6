import { describe, expect, it } from 'vitest'
import type {} from 'perfgate/vitest'
import { markdownDoc, ordersCsv, parseTyped, renderMarkdown, revenueByRegion, units } from './workloads.js'

// Real npm libraries, benchmarked with toMatchBaseline at default settings.

describe('csv-parse', () => {
  const csv = ordersCsv(units(150))

  it('parses an orders export into objects and sums revenue', async () => {
    await expect(() => revenueByRegion(csv)).toMatchBaseline()
  })

  it('parses an orders export with type casting', async () => {
    await expect(() => parseTyped(csv)).toMatchBaseline()
  })
})

describe('marked', () => {
  const doc = markdownDoc(units(8))

  it('renders a handbook to HTML', async () => {
    await expect(() => renderMarkdown(doc)).toMatchBaseline()
  })
})
