/**
 * The run as GitHub-flavoured Markdown, for `perfgate-report.md`, a pull-request comment and the
 * job summary: the terminal's tables, the evidence behind each row in `<details>` blocks, and
 * the notes. It fits a comment: past `maxLength` it keeps whole rows by priority and says how
 * many it left out.
 */
import { integerAtLeast } from '../common/validate.js'
import { escapeMarkdown } from './escape.js'
import type { RunReport } from './model.js'
import { isEmptyReport, runNotes, runSummary } from './notes.js'
import type { Note } from './notes.js'
import { reportTables } from './tables.js'
import type { Row, Table } from './tables.js'

/** Options of `renderMarkdown`. */
export interface MarkdownOptions {
  /** Longest output, in UTF-16 code units (GitHub's comment limit is 65 536 characters); at least 1 024. */
  readonly maxLength?: number
  /** Where the whole report is, named in the truncation note. */
  readonly fullReport?: string
}

/** GitHub's limit on a pull-request or issue comment. */
export const defaultMarkdownLength = 65_536

/**
 * Priorities for truncation, lower kept first: failed rows, their evidence, the other rows,
 * the files a note lists, the other rows' evidence.
 */
const tier = { failedRow: 0, failedDetails: 1, row: 2, noteItem: 3, details: 4 } as const

/** A piece of the document: a head and tail around items that may be left out, whole. */
interface Block {
  readonly head: string
  readonly items: readonly { readonly text: string; readonly tier: number }[]
  readonly tail: string
  /** Printed even when none of its items fit (a note's sentence), then as `empty`. */
  readonly always: boolean
  readonly empty?: string
}

function tableRow(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |\n`
}

function verdictMarkdown(row: Row, text: string): string {
  if (row.failed) return `❌ **${text}**`
  return row.tone === 'warn' ? `⚠️ ${text}` : text
}

function tableBlocks(table: Table): Block[] {
  const head =
    `### ${table.title}\n\n` +
    tableRow(table.columns.map((column) => escapeMarkdown(column.header))) +
    tableRow(table.columns.map((column) => (column.align === 'right' ? '--:' : ':--')))
  const cellsOf = (row: Row): string[] =>
    row.cells.map((cell, index) => {
      const text = escapeMarkdown(cell)
      if (index === table.nameColumn) return `${text}<br><sub>${escapeMarkdown(row.where)}</sub>`
      return index === table.verdictColumn ? verdictMarkdown(row, text) : text
    })
  const rows: Block = {
    head,
    items: table.rows.map((row) => ({ text: tableRow(cellsOf(row)), tier: row.failed ? tier.failedRow : tier.row })),
    tail: '\n',
    always: false,
  }
  const details: Block = {
    head: `<details><summary>${table.title}: evidence</summary>\n\n`,
    items: table.rows
      .filter((row) => row.details.length > 0)
      .map((row) => ({
        text:
          `- **${escapeMarkdown(row.cells[table.nameColumn] ?? '')}** — ${escapeMarkdown(row.cells[table.verdictColumn] ?? '')} · ${escapeMarkdown(row.where)}\n` +
          row.details.map((line) => `  - ${escapeMarkdown(line)}\n`).join(''),
        tier: row.failed ? tier.failedDetails : tier.details,
      })),
    tail: '\n</details>\n\n',
    always: false,
  }
  return [rows, details]
}

function noteBlocks(notes: readonly Note[]): Block[] {
  return notes.map((note) => {
    const sentence = escapeMarkdown(note.text.charAt(0).toUpperCase() + note.text.slice(1))
    if (note.items.length === 0) return { head: `${sentence}.\n\n`, items: [], tail: '', always: true }
    const lead = sentence.replace(/:$/, '')
    return {
      head: `${lead}:\n\n`,
      items: note.items.map((item) => ({ text: `- ${escapeMarkdown(item)}\n`, tier: tier.noteItem })),
      tail: '\n',
      always: true,
      empty: `${lead} … (listed in the full report).\n\n`,
    }
  })
}

function blockText(block: Block, kept: number): string {
  if (kept === 0 && block.items.length > 0) return block.always ? (block.empty ?? block.head + block.tail) : ''
  return block.head + block.items.slice(0, kept).map((item) => item.text).join('') + block.tail
}

/**
 * The blocks laid out in order, each keeping a prefix of its items. Items are taken tier by
 * tier (every table's failed rows before any other row), one block after another in turn so
 * that one long table does not crowd out the others; a block stops at its first item that
 * does not fit, so a table never has a hole.
 */
function fitBlocks(prefix: string, blocks: readonly Block[], maxLength: number, truncationNote: (left: number) => string): string {
  const total = blocks.reduce((sum, block) => sum + block.items.length, 0)
  const whole = prefix + blocks.map((block) => blockText(block, block.items.length)).join('')
  if (whole.length <= maxLength) return whole
  const kept = blocks.map(() => 0)
  const closed = blocks.map(() => false)
  // The note is reserved at its longest: it can only say fewer rows.
  let used = prefix.length + truncationNote(total).length + blocks.reduce((sum, block) => sum + blockText(block, 0).length, 0)
  const take = (block: Block, index: number, current: number): boolean => {
    const count = kept[index] ?? 0
    const next = block.items[count]
    if (closed[index] || next === undefined || next.tier !== current) return false
    // The first item brings its block's head and tail in (for a note, instead of its short form).
    const cost = next.text.length + (count === 0 ? block.head.length + block.tail.length - blockText(block, 0).length : 0)
    if (used + cost > maxLength) {
      closed[index] = true
      return false
    }
    used += cost
    kept[index] = count + 1
    return true
  }
  const tiers = [...new Set(blocks.flatMap((block) => block.items.map((item) => item.tier)))].sort((a, b) => a - b)
  for (const current of tiers) {
    let progressed = true
    while (progressed) {
      progressed = false
      blocks.forEach((block, index) => {
        if (take(block, index, current)) progressed = true
      })
    }
  }
  const left = total - kept.reduce((sum, count) => sum + count, 0)
  return prefix + blocks.map((block, index) => blockText(block, kept[index] ?? 0)).join('') + truncationNote(left)
}

function document(report: RunReport, title: string, options: MarkdownOptions): string {
  const runner = `${report.runner.name}${report.runner.version === null ? '' : ` ${report.runner.version}`}`
  const context = [runner, report.environment.id, ...(report.git.commit === null ? [] : [`commit ${report.git.commit.slice(0, 12)}`]), report.createdAt]
  return markdownDocument(`${title}\n\n<sub>${escapeMarkdown(context.join(' · '))}</sub>`, reportTables(report), runNotes(report), options)
}

/**
 * A heading (Markdown already), tables with their evidence, and notes, laid out and cut to
 * `maxLength` as `renderMarkdown` does for a run; `perfgate compare` writes its own tables with it.
 */
export function markdownDocument(heading: string, tables: readonly Table[], notes: readonly Note[], options: MarkdownOptions = {}): string {
  const maxLength = integerAtLeast('options.maxLength', options.maxLength ?? defaultMarkdownLength, 1024)
  const fullReport = options.fullReport ?? 'perfgate-report.json or the HTML report'
  const blocks = [...tables.flatMap(tableBlocks), ...noteBlocks(notes)]
  const truncationNote = (left: number): string => `_… truncated: ${left} more row${left === 1 ? '' : 's'}; see ${escapeMarkdown(fullReport)}._\n`
  return fitBlocks(`${heading}\n\n`, blocks, maxLength, truncationNote).trimEnd() + '\n'
}

/**
 * The run as GitHub-flavoured Markdown: a summary line, a table per record kind (regressions
 * first) each followed by its evidence in a `<details>` block, then what was written and what
 * is stale. Every name is escaped for Markdown and HTML.
 * @example writeFileSync('perfgate-report.md', renderMarkdown(report))
 */
export function renderMarkdown(report: RunReport, options: MarkdownOptions = {}): string {
  return document(report, `**perfgate** · ${escapeMarkdown(runSummary(report))}`, options)
}

/**
 * What to append to `$GITHUB_STEP_SUMMARY`: the Markdown report under a `## perfgate` heading,
 * or an empty string when the run had nothing to say.
 */
export function stepSummaryMarkdown(report: RunReport, options: MarkdownOptions = {}): string {
  if (isEmptyReport(report)) return ''
  return document(report, `## perfgate\n\n${escapeMarkdown(runSummary(report))}`, options)
}

/**
 * Tables of the reporters' shape as Markdown under a heading, each with its evidence, then
 * notes as a list (`perfgate ab`, `perfgate compare`); cut to `maxLength` as the run's Markdown is.
 */
export function renderMarkdownTables(heading: string, tables: readonly Table[], notes: readonly string[], options: Pick<MarkdownOptions, 'maxLength'> = {}): string {
  const maxLength = integerAtLeast('options.maxLength', options.maxLength ?? defaultMarkdownLength, 1024)
  const noteBlock: Block[] = notes.length === 0 ? [] : [{ head: '', items: notes.map((note) => ({ text: `- ${escapeMarkdown(note)}\n`, tier: tier.noteItem })), tail: '\n', always: true }]
  const truncationNote = (left: number): string => `_… truncated: ${left} more row${left === 1 ? '' : 's'}._\n`
  return fitBlocks(`${heading}\n\n`, [...tables.flatMap(tableBlocks), ...noteBlock], maxLength, truncationNote).trimEnd() + '\n'
}
