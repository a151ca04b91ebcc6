/**
 * `perfgate baselines prune`: removes baseline files whose test file is gone and the entries a
 * full run's report found obsolete, through the store (its lock, atomic writes and read-only
 * protection). A file it cannot fully read is never touched.
 */
import { BaselineFile, nodeBaselineFileSystem } from '../baselines/store.js'
import { PerfgateError } from '../common/errors.js'
import { defaultReportPath, findRunReport, fromReport, isOrphaned, listBaselineFiles, readBaselineFileState, shownKey, shownPath, testFileOf } from './baseline-files.js'
import type { BaselineFileState, Project } from './baseline-files.js'
import type { CliIo } from './common.js'

/**
 * Runs the prune; resolves to the exit code: 0 when everything stale was removed (or would be,
 * with `dryRun`), 1 when something was left (an unreadable file, a file changed since the report,
 * a file that could not be written), 2 when the report cannot be trusted for it.
 */
export async function pruneBaselines(project: Project, reportOption: string | undefined, dryRun: boolean, io: CliIo): Promise<number> {
  const found = await findRunReport(project, reportOption)
  if (found !== null && found.report.stale === null) {
    io.stderr.write(
      `perfgate: not pruning: the run report ${found.shown} is not from a full run (it has no "stale" list), so it cannot tell which entries are obsolete. ` +
        'Run the whole suite with perfgate\'s reporter, then prune.\n',
    )
    return 2
  }
  if (found?.otherRoot === true) {
    io.stderr.write(
      `perfgate: not pruning: the run report ${found.shown} was made in ${found.report.rootDir}, not in ${project.rootDir}. ` +
        'Prune with the report of a run of this project (or pass its root with --root).\n',
    )
    return 2
  }

  const files = await listBaselineFiles(project.baseDir, project.baseDir === project.rootDir)
  const states = new Map<string, BaselineFileState>()
  for (const file of files) states.set(file, await readBaselineFileState(file, shownPath(project, file)))
  const reportTime = found === null ? null : Date.parse(found.report.createdAt)
  const obsolete = new Map<string, string[]>()
  for (const { file, keys } of found?.report.stale?.obsoleteEntries ?? []) obsolete.set(fromReport(project, file), [...keys])

  const out: string[] = []
  const would = dryRun ? 'would remove' : 'removed'
  let removedFiles = 0
  let removedEntries = 0
  let left = 0
  const leave = (line: string): void => {
    out.push(line)
    left += 1
  }
  for (const [file, state] of states) {
    const shown = shownPath(project, file)
    if (!state.readable || state.unreadableRecords.length > 0) {
      const problem = state.readable ? state.unreadableRecords.map((record) => record.problem).join('; ') : state.problem
      leave(`not touched ${shown}: perfgate cannot read all of it (${problem})`)
      continue
    }
    try {
      if (isOrphaned(project, file)) {
        if (!dryRun && !(await removeUnchanged(file, state.text))) {
          leave(`not touched ${shown}: it changed while pruning; run prune again`)
          continue
        }
        out.push(`${would} ${shown}: its test file ${shownPath(project, testFileOf(project, file)!)} no longer exists`)
        removedFiles += 1
        continue
      }
      const listed = (obsolete.get(file) ?? []).filter((key) => key in state.content.entries)
      if (listed.length === 0) continue
      // Whole milliseconds: the report's time has no finer ones, and a file written in its last millisecond is older.
      if (reportTime !== null && Math.floor(state.mtimeMs) > reportTime) {
        leave(`not touched ${shown}: it changed after the run report ${found!.shown} was made; run the whole suite again, then prune`)
        continue
      }
      const emptied = Object.keys(state.content.entries).length === listed.length
      if (!dryRun) await removeEntries(file, listed)
      out.push(`${would} ${listed.length} obsolete ${listed.length === 1 ? 'entry' : 'entries'} from ${shown}${emptied ? ' (no entries left: the file goes too)' : ''}: ${listed.map(shownKey).join(', ')}`)
      removedEntries += listed.length
      if (emptied) removedFiles += 1
    } catch (error) {
      if (!(error instanceof PerfgateError)) throw error
      leave(`not pruned ${shown}: ${error.message}`)
    }
  }

  if (found === null) {
    out.push(
      `Obsolete entries not pruned: there is no run report at ${defaultReportPath(project)} to say which entries no test asks for. ` +
        'Run the whole suite with perfgate\'s reporter, or pass --report <perfgate-report.json>.',
    )
  }
  const summary = `${removedFiles} ${removedFiles === 1 ? 'file' : 'files'} and ${removedEntries} ${removedEntries === 1 ? 'entry' : 'entries'}`
  if (removedFiles + removedEntries === 0) out.push(left === 0 ? 'Nothing to prune.' : 'Nothing pruned.')
  else out.push(dryRun ? `Dry run: would remove ${summary}; nothing was written.` : `Removed ${summary}.`)
  io.stdout.write(`${out.join('\n')}\n`)
  return left === 0 ? 0 : 1
}

/** Removes a file under the store's lock, only when it still holds `text`; returns whether it did. */
async function removeUnchanged(file: string, text: string): Promise<boolean> {
  const fs = nodeBaselineFileSystem()
  const release = await fs.lock(file)
  try {
    if ((await fs.read(file)) !== text) return false
    await fs.remove(file)
    return true
  } finally {
    await release()
  }
}

/** Removes keys from a baseline file through the store (lock, re-read and merge, atomic write; the file goes when it empties). */
async function removeEntries(file: string, keys: readonly string[]): Promise<void> {
  const baselines = await BaselineFile.open(nodeBaselineFileSystem(), file, 'all')
  if (baselines.unreadableRecords().length > 0) {
    throw new PerfgateError('PERFGATE_BASELINE_INVALID', `it changed while pruning and now holds a record perfgate cannot read: ${baselines.unreadableRecords()[0]!.problem}`)
  }
  const removing = new Set(keys)
  for (const key of Object.keys(baselines.content().entries)) if (!removing.has(key)) baselines.markChecked(key)
  baselines.removeObsolete()
  await baselines.save()
}
