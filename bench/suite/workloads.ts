/**
 * The work the quality suite measures, shared by its test files and its HTTP server.
 *
 * QUALITY_SCALE (default 1) multiplies every workload: each is a number of equal units of work
 * (rows, sections, arrays, items, iterations), so 1.25 and 1.5 make the same code do 1.25× and
 * 1.5× the work. The driver (bench/quality-suite.ts) plants the functions' slowdowns this way,
 * and the endpoints' with ENDPOINT_PLANT=work (by default it grows their latency instead).
 */
import { parse } from 'csv-parse/sync'
import { marked } from 'marked'
import { seededRandom } from '../../src/stats/index.js'

/** The planted slowdown: how many times the normal work every workload does. */
export const qualityScale: number = readScale(process.env['QUALITY_SCALE'])

function readScale(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 1
  const value = Number(raw)
  if (!Number.isFinite(value) || value <= 0) throw new Error(`QUALITY_SCALE must be a positive number, got ${JSON.stringify(raw)}`)
  return value
}

/** `base` units of work at scale 1, scaled (at least one unit). */
export function units(base: number, scale: number = qualityScale): number {
  return Math.max(1, Math.round(base * scale))
}


const regions = ['north', 'south', 'east', 'west', 'central']
const products = ['widget', 'gadget', 'sprocket', 'gizmo', 'doohickey', 'flange', 'bracket']
const firstNames = ['Émile', 'Zoë', 'Ana', 'Ångström', 'Björn', 'Chloé', 'Dmitri', 'Øyvind', 'Łukasz', 'Mia', 'Noël', 'Ines', 'Yusuf', 'Jürgen']
const lastNames = ['Müller', 'Ortiz', 'Nguyễn', 'Šimek', 'Okafor', 'Lefèvre', 'Østergaard', 'Kowalczyk', 'Smith', 'Dubois', 'Ñúñez', 'Åberg']

/** An orders export: a header and `rows` lines of quoted and plain fields. */
export function ordersCsv(rows: number): string {
  const random = seededRandom(7)
  const lines = ['id,date,customer,region,product,quantity,unit_price,note']
  for (let i = 0; i < rows; i++) {
    const customer = `${firstNames[i % firstNames.length]} ${lastNames[(i * 7) % lastNames.length]}`
    const quantity = 1 + Math.floor(random() * 20)
    const price = (1 + random() * 99).toFixed(2)
    const note = i % 3 === 0 ? `"rush, gift wrap ""${i}"""` : 'standard'
    lines.push(`${i},2026-0${1 + (i % 9)}-1${i % 10},${customer},${regions[i % regions.length]},${products[i % products.length]},${quantity},${price},${note}`)
  }
  return `${lines.join('\n')}\n`
}

interface OrderRow {
  readonly region: string
  readonly quantity: string
  readonly unit_price: string
}

/** csv-parse with a header row: objects of strings. Returns the revenue per region. */
export function revenueByRegion(csv: string): Record<string, number> {
  const rows = parse(csv, { columns: true, skip_empty_lines: true }) as OrderRow[]
  const totals: Record<string, number> = {}
  for (const row of rows) totals[row.region] = (totals[row.region] ?? 0) + Number(row.quantity) * Number(row.unit_price)
  return totals
}

/** csv-parse without a header, casting numbers and dates. Returns the number of rows. */
export function parseTyped(csv: string): number {
  const rows = parse(csv, { from_line: 2, cast: true }) as unknown[][]
  return rows.length
}

/** A README-like markdown document of `sections` sections (headings, lists, code, a table, links). */
export function markdownDoc(sections: number): string {
  const parts: string[] = ['# Project handbook\n']
  for (let i = 0; i < sections; i++) {
    parts.push(
      `## Section ${i}: working with *module ${i}*\n\n` +
        `Some **important** text about \`module${i}\`, with [a link](https://example.invalid/${i}) and _emphasis_. ` +
        'It goes on for a while so that the inline lexer has something to do, mentioning `code`, ' +
        '~~struck~~ words and an autolink <https://example.invalid/docs>.\n\n' +
        `- first point about ${i}\n- second point\n  - nested point\n- third point with \`inline code\`\n\n` +
        '```ts\n' +
        `export function handler${i}(input: string): string {\n  return input.trim()\n}\n` +
        '```\n\n' +
        '| option | default | meaning |\n|---|---|---|\n' +
        `| size | ${i} | how big |\n| mode | fast | how it runs |\n\n` +
        `> A quote in section ${i}.\n`,
    )
  }
  return parts.join('\n')
}

/** marked: markdown to HTML. Returns the HTML's length. */
export function renderMarkdown(doc: string): number {
  return (marked.parse(doc, { async: false }) as string).length
}

/** `count` arrays of `size` customer names each (the same names in every array). */
export function nameLists(count: number, size: number): string[][] {
  const random = seededRandom(11)
  const names = Array.from({ length: size }, () => {
    const first = firstNames[Math.floor(random() * firstNames.length)] as string
    const last = lastNames[Math.floor(random() * lastNames.length)] as string
    return `${last}, ${first} ${Math.floor(random() * 1000)}`
  })
  return Array.from({ length: count }, () => [...names])
}

/** Sorts a copy of every list with `localeCompare`. Returns the first name of the last list. */
export function sortNames(lists: readonly (readonly string[])[]): string {
  let first = ''
  for (const list of lists) first = [...list].sort((a, b) => a.localeCompare(b))[0] ?? ''
  return first
}

/** An order document with `items` line items. */
export function orderDocument(items: number): unknown {
  return {
    id: 'order-1',
    customer: { name: 'Zoë Müller', email: 'zoe@example.invalid', tags: ['vip', 'eu'] },
    items: Array.from({ length: items }, (_, i) => ({
      sku: `SKU-${i}`,
      name: `${products[i % products.length]} ${i}`,
      quantity: 1 + (i % 5),
      price: 9.99 + i,
      attributes: { color: i % 2 === 0 ? 'red' : 'blue', size: ['S', 'M', 'L'][i % 3] },
    })),
  }
}

/** JSON round trip. Returns the length of the text. */
export function jsonRoundTrip(doc: unknown): number {
  const text = JSON.stringify(doc)
  JSON.parse(text)
  return text.length
}

/** A tight arithmetic loop: the sum of the square roots of 0..n-1. */
export function sumOfSquareRoots(n: number): number {
  let sum = 0
  for (let i = 0; i < n; i++) sum += Math.sqrt(i)
  return sum
}

/** A product catalog page of `count` items, as the /catalog endpoint serializes it. */
export function catalogPage(count: number): unknown {
  const random = seededRandom(13)
  return {
    page: 1,
    total: count,
    items: Array.from({ length: count }, (_, i) => ({
      id: i,
      title: `${products[i % products.length]} model ${i}`,
      description: `A ${products[i % products.length]} for ${regions[i % regions.length]} customers, ${i % 4} years of warranty.`,
      price: Math.round(random() * 10000) / 100,
      stock: Math.floor(random() * 500),
      tags: [regions[i % regions.length], products[(i + 3) % products.length], i % 2 === 0 ? 'sale' : 'new'],
    })),
  }
}
