/**
 * What a run's report says once, after its tables: baselines it wrote, improvements worth
 * keeping, baseline entries and files no test asked for. Plain text; renderers escape it.
 */
import type { BaselineCheckRecord } from '../gate/records.js'
import { failed, recordsOfKind } from './model.js'
import type { RunReport } from './model.js'

/** A sentence, and the files (or `file: keys`) it is about, listed after it. */
export interface Note {
  readonly text: string
  readonly items: readonly string[]
  readonly tone: 'warn' | 'good' | 'new' | 'plain'
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`
}

function filesOf(records: readonly BaselineCheckRecord[]): string[] {
  return [...new Set(records.map((record) => record.baselineFile))].sort()
}

/** The notes of a run, in the order they are printed. */
export function runNotes(report: RunReport): Note[] {
  const { baselines } = recordsOfKind(report)
  const notes: Note[] = []
  const recorded = baselines.filter((record) => record.written === 'recorded')
  if (recorded.length > 0) notes.push({ text: `recorded ${plural(recorded.length, 'baseline')} in`, items: filesOf(recorded), tone: 'new' })
  const rewritten = baselines.filter((record) => record.written === 'rewritten')
  if (rewritten.length > 0) notes.push({ text: `rewrote ${plural(rewritten.length, 'baseline')} in`, items: filesOf(rewritten), tone: 'plain' })
  const added = baselines.filter((record) => record.written === 'added')
  if (added.length > 0) notes.push({ text: `added a run to ${plural(added.length, 'baseline')} in`, items: filesOf(added), tone: 'plain' })
  const improved = baselines.filter((record) => record.verdict === 'improved' && record.written === null)
  if (improved.length > 0) notes.push({ text: `${improved.length} improved: run with -u to keep the faster baselines`, items: [], tone: 'good' })
  const stale = report.stale
  if (stale !== null) {
    const obsolete = stale.obsoleteEntries.filter((entry) => entry.keys.length > 0)
    if (obsolete.length > 0) {
      const count = obsolete.reduce((sum, entry) => sum + entry.keys.length, 0)
      const them = count === 1 ? 'it' : 'them'
      notes.push({
        text: `${plural(count, 'obsolete baseline entry', 'obsolete baseline entries')} (no test asked for ${them}; -u removes ${them}) in`,
        items: obsolete.map((entry) => `${entry.file}: ${entry.keys.join(', ')}`),
        tone: 'warn',
      })
    }
    const orphaned = stale.orphanedFiles.length
    if (orphaned > 0) {
      notes.push({
        text:
          orphaned === 1
            ? '1 orphaned baseline file (its test file is gone; delete it if the tests were removed):'
            : `${orphaned} orphaned baseline files (their test files are gone; delete them if the tests were removed):`,
        items: [...stale.orphanedFiles].sort(),
        tone: 'warn',
      })
    }
  }
  return notes
}

/** One line that sums the run up: `7 perf assertions: 3 failed, 1 inconclusive, 2 new`. */
export function runSummary(report: RunReport): string {
  const total = report.records.length
  if (total === 0) return 'no perf assertions ran'
  const parts: string[] = []
  const failures = report.records.filter(failed).length
  const { baselines, errors } = recordsOfKind(report)
  if (failures > 0) parts.push(`${failures} failed${errors.length === 0 ? '' : ` (${errors.length} stopped with an error)`}`)
  const count = (verdict: BaselineCheckRecord['verdict']): number => baselines.filter((record) => record.verdict === verdict && !failed(record)).length
  for (const verdict of ['regressed', 'inconclusive', 'missing', 'improved', 'new'] as const) {
    const passing = count(verdict)
    if (passing > 0) parts.push(`${passing} ${verdict}${verdict === 'regressed' ? ' (rewritten)' : ''}`)
  }
  if (failures === 0) parts.unshift('all passed')
  return `${plural(total, 'perf assertion')}: ${parts.join(', ')}`
}

/** Whether a report has nothing to say: no assertion and nothing stale. */
export function isEmptyReport(report: RunReport): boolean {
  return report.records.length === 0 && runNotes(report).length === 0
}
