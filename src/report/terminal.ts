/**
 * The end-of-run summary in the terminal, printed after the runner's own: a table per record
 * kind, regressions first, then what was written and what is stale. Plain text unless asked
 * for colour; names are escaped so that none can drive the terminal.
 */
import { printableName } from '../common/validate.js'
import { failed } from './model.js'
import type { RunReport } from './model.js'
import { isEmptyReport, runNotes, runSummary } from './notes.js'
import type { Note } from './notes.js'
import { reportTables } from './tables.js'
import type { Table, Tone } from './tables.js'
import { displayWidth, truncateToWidth } from './text.js'

/** Options of `renderTerminal`. */
export interface TerminalOptions {
  /** Colour the verdicts with ANSI codes (when the stream is a TTY and colour is not disabled). */
  readonly color: boolean
  /**
   * The terminal's width in columns (`process.stdout.columns`): free-text columns (names,
   * targets, failure kinds) are cut, widest first, so that a table does not wrap. Unset (a log,
   * a pipe): they are cut at fixed widths ({@link terminalNameWidth}, {@link terminalCellWidth}).
   */
  readonly width?: number | undefined
}

/** Widest a name column grows before names are cut with `…`, where the terminal's width is unknown. */
export const terminalNameWidth = 48
/** Widest any other free-text cell grows (targets, failure kinds), where the terminal's width is unknown. */
export const terminalCellWidth = 40
/** Narrowest a free-text column is cut to for a narrow terminal; names keep more, they say which test it is. */
const narrowestColumn = 12
const narrowestName = 20
/** Items of a note listed before `… and N more`. */
const listedItems = 10

const gap = '  '
const indent = '   '

// SGR codes with their own resets, so a coloured cell never changes the next one.
const styles = {
  bold: ['\u001b[1m', '\u001b[22m'],
  dim: ['\u001b[2m', '\u001b[22m'],
  red: ['\u001b[31m', '\u001b[39m'],
  green: ['\u001b[32m', '\u001b[39m'],
  yellow: ['\u001b[33m', '\u001b[39m'],
  cyan: ['\u001b[36m', '\u001b[39m'],
} as const

type Style = keyof typeof styles

const toneStyle: Readonly<Record<Tone, Style | null>> = { fail: 'red', warn: 'yellow', good: 'green', new: 'cyan', plain: null }

function painter(color: boolean): (text: string, style: Style | null) => string {
  return (text, style) => {
    if (!color || style === null || text === '') return text
    const [open, close] = styles[style]
    return open + text + close
  }
}

/** Column widths cut, widest free-text column first, until the table fits `width` (or cannot shrink more). */
function fitWidths(table: Table, natural: readonly number[], width: number | undefined): number[] {
  const widths = [...natural]
  if (width === undefined) return widths
  let total = indent.length + widths.reduce((sum, column) => sum + column, 0) + gap.length * (widths.length - 1)
  while (total > width) {
    let widest = -1
    table.columns.forEach((column, index) => {
      const floor = Math.max(index === table.nameColumn ? narrowestName : narrowestColumn, displayWidth(column.header))
      if (column.shrink === true && (widths[index] ?? 0) > floor && (widest === -1 || (widths[index] ?? 0) > (widths[widest] ?? 0))) widest = index
    })
    if (widest === -1) break
    widths[widest] = (widths[widest] ?? 0) - 1
    total -= 1
  }
  return widths
}

function renderTable(table: Table, paint: ReturnType<typeof painter>, width: number | undefined): string[] {
  // Cells are escaped and cut first; widths are measured on what is printed, never on ANSI codes.
  // Only free-text columns are cut, and at fixed widths only where the terminal's is unknown (a
  // log, a pipe); with a known width they keep what fits (below). Budgets and figures never are.
  const cap = (column: number): number =>
    table.columns[column]?.shrink !== true || width !== undefined ? Number.POSITIVE_INFINITY : column === table.nameColumn ? terminalNameWidth : terminalCellWidth
  const cell = (text: string, column: number): string => truncateToWidth(printableName(text), cap(column))
  const natural = table.rows.map((row) => row.cells.map(cell))
  const widths = fitWidths(
    table,
    table.columns.map((column, index) => Math.max(displayWidth(column.header), ...natural.map((row) => displayWidth(row[index] ?? '')))),
    width,
  )
  const rows = natural.map((row) => row.map((text, index) => truncateToWidth(text, widths[index] ?? 0)))
  // Padding stays outside the colour, so that trailing spaces can be trimmed.
  const line = (cells: readonly string[], style: (text: string, index: number) => string): string =>
    (
      indent +
      cells
        .map((text, index) => {
          const padding = ' '.repeat(Math.max(0, (widths[index] ?? 0) - displayWidth(text)))
          return table.columns[index]?.align === 'right' ? padding + style(text, index) : style(text, index) + padding
        })
        .join(gap)
    ).trimEnd()
  const lines = [
    ` ${paint(table.title, 'bold')}`,
    line(
      table.columns.map((column) => column.header),
      (text) => paint(text, 'dim'),
    ),
  ]
  table.rows.forEach((row, rowIndex) => {
    lines.push(line(rows[rowIndex] ?? [], (text, index) => (index === table.verdictColumn ? paint(text, toneStyle[row.tone]) : text)))
  })
  return lines
}

function renderNote(note: Note, paint: ReturnType<typeof painter>): string[] {
  const items = note.items.map((item) => truncateToWidth(printableName(item), 120))
  const text = paint(printableName(note.text), toneStyle[note.tone])
  const inline = items.join(', ')
  if (items.length === 0) return [` ${text}`]
  if (items.length <= 3 && displayWidth(inline) <= 80) return [` ${text} ${inline}`]
  const shown = items.slice(0, listedItems).map((item) => `${indent}${item}`)
  if (items.length > listedItems) shown.push(`${indent}… and ${items.length - listedItems} more`)
  return [` ${text}`, ...shown]
}

/**
 * The end-of-run summary for a terminal; an empty string when the run had no perf assertion
 * and nothing is stale.
 * @example process.stdout.write(renderTerminal(report, { color: process.stdout.isTTY }))
 */
export function renderTerminal(report: RunReport, options: TerminalOptions): string {
  if (isEmptyReport(report)) return ''
  const tone = report.records.length === 0 ? 'plain' : report.records.some(failed) ? 'fail' : 'good'
  return terminalDocument({ title: 'perfgate', summary: runSummary(report), tone, context: report.environment.id }, reportTables(report), runNotes(report), options)
}

/** The first line of a terminal document: `perfgate  <summary>  (<context>)`, the summary coloured by its tone. */
export interface TerminalHeading {
  readonly title: string
  readonly summary: string
  readonly tone: Tone
  readonly context: string
}

/**
 * A heading line, tables and notes laid out as `renderTerminal` lays out a run; `perfgate
 * compare` prints its own tables with it.
 */
export function terminalDocument(heading: TerminalHeading, tables: readonly Table[], notes: readonly Note[], options: TerminalOptions): string {
  const paint = painter(options.color)
  const lines = [
    '',
    ` ${paint(printableName(heading.title), 'bold')}  ${paint(printableName(heading.summary), toneStyle[heading.tone])}  ${paint(`(${printableName(heading.context)})`, 'dim')}`,
  ]
  for (const table of tables) lines.push('', ...renderTable(table, paint, options.width))
  if (notes.length > 0) lines.push('')
  for (const note of notes) lines.push(...renderNote(note, paint))
  return `${lines.join('\n')}\n`
}

/**
 * Tables of the reporters' shape under a one-line heading, with lines of notes after them (the
 * A/B comparison of `perfgate ab` and `perfgate compare`).
 */
export function renderTerminalTables(heading: string, tables: readonly Table[], notes: readonly string[], options: TerminalOptions): string {
  const paint = painter(options.color)
  const failures = tables.some((table) => table.rows.some((row) => row.failed))
  const lines = ['', ` ${paint('perfgate', 'bold')}  ${paint(printableName(heading), failures ? 'red' : 'green')}`]
  for (const table of tables) lines.push('', ...renderTable(table, paint, options.width))
  if (notes.length > 0) lines.push('', ...notes.map((note) => ` ${printableName(note)}`))
  return `${lines.join('\n')}\n`
}
