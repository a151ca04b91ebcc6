/**
 * `perfgate baselines check`: what is wrong with the baseline files, per file — unreadable files
 * and records, files whose test file is gone, and, from a run report, obsolete and missing entries.
 */
import path from 'node:path'
import type { BaselineCheckRecord } from '../gate/records.js'
import { defaultReportPath, findRunReport, fromReport, isOrphaned, listBaselineFiles, readBaselineFileState, shownKey, shownPath, testFileOf } from './baseline-files.js'
import type { BaselineFileState, FoundReport, Project } from './baseline-files.js'
import type { CliIo } from './common.js'

/** What check found in one baseline file (or one that a report names but that does not exist). */
interface Findings {
  readonly lines: string[]
  problems: number
}

/** Runs the check; resolves to the exit code: 1 when it found a problem, 0 when it found none. */
export async function checkBaselines(project: Project, reportOption: string | undefined, io: CliIo): Promise<number> {
  const files = await listBaselineFiles(project.baseDir, project.baseDir === project.rootDir)
  const states = new Map<string, BaselineFileState>()
  for (const file of files) states.set(file, await readBaselineFileState(file, shownPath(project, file)))
  const found = await findRunReport(project, reportOption)

  const findings = new Map<string, Findings>()
  const add = (file: string, line: string): void => {
    let entry = findings.get(file)
    if (entry === undefined) findings.set(file, (entry = { lines: [], problems: 0 }))
    entry.lines.push(`  ${line}`)
    entry.problems += 1
  }
  for (const [file, state] of states) {
    if (!state.readable) add(file, `unreadable: ${state.problem}`)
    else for (const record of state.unreadableRecords) add(file, `unreadable record: ${record.problem}`)
    if (isOrphaned(project, file)) add(file, `orphaned: its test file ${shownPath(project, testFileOf(project, file)!)} no longer exists`)
  }
  if (found !== null) {
    for (const { file, keys } of found.report.stale?.obsoleteEntries ?? []) {
      const absolute = fromReport(project, file)
      const state = states.get(absolute)
      if (state === undefined) continue // removed since the run
      // Keys removed since the run are no longer obsolete; in an unreadable file, keep the report's word.
      const stillThere = state.readable ? keys.filter((key) => key in state.content.entries || state.unreadableRecords.some((record) => record.key === key)) : keys
      for (const key of stillThere) add(absolute, `obsolete: ${shownKey(key)} (no test asked for it)`)
    }
    for (const { absolute, record } of missingEntries(project, found)) {
      const state = states.get(absolute)
      // Recorded since the run: no longer missing.
      if (state?.readable === true && state.content.entries[record.key]?.[record.environmentId] !== undefined) continue
      add(absolute, `missing: ${shownKey(record.key)} for ${record.environmentId} (its test found no baseline to compare with)`)
    }
  }

  const shownDir = `${shownPath(project, project.baseDir)}${path.sep}`
  const problems = [...findings.values()].reduce((sum, entry) => sum + entry.problems, 0)
  const out: string[] = []
  if (files.length === 0) out.push(`No baseline files in ${shownDir} (baselineDir).`)
  for (const file of [...findings.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    out.push(shownPath(project, file), ...findings.get(file)!.lines)
  }
  if (out.length > 0) out.push('')
  out.push(...reportNotes(project, found))
  out.push(
    problems === 0
      ? `No problems found in ${files.length} baseline ${files.length === 1 ? 'file' : 'files'} in ${shownDir}.`
      : `${problems} ${problems === 1 ? 'problem' : 'problems'} in ${findings.size} ${findings.size === 1 ? 'file' : 'files'} (of ${files.length} in ${shownDir}).`,
  )
  if (problems > 0) out.push(...advice([...findings.values()].flatMap((entry) => entry.lines)))
  io.stdout.write(`${out.join('\n')}\n`)
  return problems === 0 ? 0 : 1
}

/** The report's `missing` verdicts, once per file, key and environment. */
function missingEntries(project: Project, found: FoundReport): { absolute: string; record: BaselineCheckRecord }[] {
  const seen = new Set<string>()
  const missing: { absolute: string; record: BaselineCheckRecord }[] = []
  for (const record of found.report.records) {
    if (record.kind !== 'baseline' || record.verdict !== 'missing') continue
    const absolute = fromReport(project, record.baselineFile)
    const id = JSON.stringify([absolute, record.key, record.environmentId])
    if (seen.has(id)) continue
    seen.add(id)
    missing.push({ absolute, record })
  }
  return missing
}

/** What the report let check see, and what it could not check without one. */
function reportNotes(project: Project, found: FoundReport | null): string[] {
  if (found === null) {
    return [
      `Not checked: obsolete entries (no test asks for them) and missing ones (a test found none) need the report of a full run, and there is none at ${defaultReportPath(project)}. ` +
        'Run the whole suite with perfgate\'s reporter, or pass --report <perfgate-report.json>.',
    ]
  }
  const { report, shown } = found
  const notes = [`Obsolete and missing entries: from the run report ${shown} (${report.runner.name}, ${report.createdAt}).`]
  if (found.otherRoot) notes.push(`That run was made in ${report.rootDir}, not in ${project.rootDir}: its files are matched by their paths relative to the root.`)
  const baselineRecords = report.records.filter((record) => record.kind === 'baseline')
  if (baselineRecords.length > 0 && baselineRecords.every((record) => record.kind === 'baseline' && record.verdict === 'measured')) {
    // `perfgate ab` leaves such a report behind: its runs read no baseline file.
    notes.push('Not checked: obsolete and missing entries. That run was in measure-only mode (PERFGATE_MODE=measure, as `perfgate ab` runs), which reads no baseline file: run the suite normally, then check again.')
  } else if (report.stale === null) {
    notes.push('Not checked: obsolete entries. The report is not from a full run (it has no "stale"): run the whole suite, then check again.')
  } else {
    notes.push('The report lists obsolete entries only for test files whose every test ran and passed; other files were not checked for them.')
  }
  return notes
}

/** One line of advice per kind of problem found. */
function advice(lines: readonly string[]): string[] {
  const has = (kind: string): boolean => lines.some((line) => line.startsWith(`  ${kind}`))
  const out: string[] = []
  if (has('unreadable')) out.push('Unreadable: fix or delete the file or record, or restore it from version control; perfgate never writes over it.')
  if (has('orphaned') || has('obsolete')) out.push('Orphaned files and obsolete entries: `perfgate baselines prune` removes them.')
  if (has('missing')) out.push('Missing: a run that may write records them (a local run, or PERFGATE_UPDATE=new in CI; see "Recording CI baselines" in the README).')
  return out
}
