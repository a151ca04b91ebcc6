import { relative } from 'node:path'
import { baselineFilePath } from '../baselines/path.js'
import { nodeBaselineFileSystem } from '../baselines/store.js'
import type { BaselineFile } from '../baselines/store.js'
import { baselineFile, forgetKeyingTests, projectConfig, projectRoot, session, warn } from './session.js'
import { resolveMeasureOnly, resolveUpdateMode } from '../baselines/update-mode.js'
import { printableName } from '../common/validate.js'

/** What happened to a baseline file's unused entries when its test file ended. */
export interface FileEndReport {
  readonly path: string
  readonly obsolete: readonly string[]
  readonly removed: readonly string[]
}

/**
 * Runs when a test file ends: after a full run, in which every test of the file ran and passed,
 * entries of its baseline file that no test asked for are reported as obsolete, and removed in
 * update mode `all`. A filtered or failing run cannot tell what is obsolete, so it says nothing.
 */
export async function finishTestFile(testFile: string, fullRun: boolean, snapshotState: unknown): Promise<FileEndReport | null> {
  forgetKeyingTests(testFile)
  // Measure-only mode asks no baseline file for anything: every entry would look obsolete.
  if (!fullRun || resolveMeasureOnly()) return null
  let file: BaselineFile
  let rootDir: string
  try {
    rootDir = projectRoot()
    const config = await projectConfig(rootDir)
    const path = baselineFilePath({ rootDir, baselineDir: config.baselineDir, testFile })
    // Only a file this run used, or one that exists, has anything to report.
    if (!session().files.has(path) && (await nodeBaselineFileSystem().read(path)) === null) return null
    file = await baselineFile(path, resolveUpdateMode(snapshotState))
  } catch {
    // An unreadable config or baseline file already failed the tests that use it.
    return null
  }
  const path = file.path
  const shown = relative(rootDir, path)
  const obsolete = file.obsoleteKeys()
  const removed = obsolete.length === 0 ? [] : file.removeObsolete()
  if (removed.length > 0) await file.save()
  // Under -u, records that failed validation and no test recorded again (another environment's, say) stay as they were.
  const unreadable = file.unreadableRecords()
  if (unreadable.length > 0) {
    warn(
      `perfgate: unreadable baseline records kept as they are in ${printableName(shown)}: ${unreadable.map((record) => printableName(record.problem)).join('; ')}. ` +
        'Record each again with -u in its environment, or delete it.',
    )
  }
  if (obsolete.length === 0) return { path, obsolete, removed }
  if (removed.length > 0) {
    warn(`perfgate: removed ${removed.length} obsolete baseline ${removed.length === 1 ? 'entry' : 'entries'} from ${printableName(shown)}: ${removed.map(printableName).join(', ')}`)
  } else if (process.env['PERFGATE_REPORTER'] !== '1') {
    // With perfgate's reporter in the run, it lists them once at the end, for every file.
    warn(
      `perfgate: ${obsolete.length} obsolete baseline ${obsolete.length === 1 ? 'entry' : 'entries'} in ${printableName(shown)} (no test asked for ${obsolete.length === 1 ? 'it' : 'them'}): ${obsolete.map(printableName).join(', ')}. ` +
        'A full run with -u removes them.',
    )
  }
  return { path, obsolete, removed }
}
