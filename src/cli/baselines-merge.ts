/**
 * `perfgate baselines merge`: brings another environment's records (a CI runner's baseline
 * files, downloaded into a folder laid out as `baselineDir` is) into the project's baseline
 * files, per key and environment id. Every input and every file it would write is read and
 * validated first: an unreadable one stops the merge before anything is written.
 */
import { existsSync } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { parseBaselineFile } from '../baselines/format.js'
import { BaselineFile, nodeBaselineFileSystem } from '../baselines/store.js'
import type { BaselineFileContent } from '../baselines/types.js'
import { PerfgateError } from '../common/errors.js'
import { isOrphaned, listBaselineFiles, shownKey, shownPath, testFileOf } from './baseline-files.js'
import type { Project } from './baseline-files.js'
import { UsageError } from './common.js'
import type { CliIo } from './common.js'

/** One incoming baseline file and the project's file it goes into. */
interface Incoming {
  /** As the user named it (the folder given, joined with the file's path inside it). */
  readonly shown: string
  readonly target: string
  readonly content: BaselineFileContent
}

/**
 * Runs the merge; resolves to the exit code: 0 merged (or nothing to merge), 1 when a file could
 * not be written (the others were). Unreadable inputs and bad arguments throw (exit 2) before
 * anything is written.
 */
export async function mergeBaselines(project: Project, sources: readonly string[], dryRun: boolean, io: CliIo): Promise<number> {
  if (sources.length === 0) throw new UsageError('merge needs the folder (or files) holding the other environment\'s baseline files')
  const committed = await listBaselineFiles(project.baseDir, project.baseDir === project.rootDir)
  const out: string[] = []

  // 1. Read and validate everything; nothing is written before all of it reads.
  const incoming: Incoming[] = []
  for (const source of sources) {
    for (const { file, shown, target } of await incomingFiles(project, source, committed)) {
      const content = parseBaselineFile(await readInput(file, shown), shown)
      // A file for a test this project does not have is most likely a folder laid out differently.
      if (!existsSync(target) && isOrphaned(project, target)) {
        out.push(`skipped ${shown}: this project has no test file ${shownPath(project, testFileOf(project, target)!)} for it`)
        continue
      }
      incoming.push({ shown, target, content })
    }
  }
  if (incoming.length === 0) {
    throw new PerfgateError(
      'PERFGATE_BASELINE_INVALID',
      `none of the files in ${sources.join(', ')} belongs to a test file of ${project.rootDir}. Give the folder that holds the other environment's baseline files laid out as ${shownPath(project, project.baseDir)}/ is (test/a.test.ts.json for test/a.test.ts).`,
    )
  }
  const fs = nodeBaselineFileSystem()
  const targets = [...new Set(incoming.map((file) => file.target))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  for (const target of targets) {
    const text = await fs.read(target)
    // Throws, naming the file and the position or key, for a file perfgate cannot read whole.
    if (text !== null) parseBaselineFile(text, shownPath(project, target))
  }

  // 2. Merge, file by file, through the store: its lock, re-read and atomic write.
  let added = 0
  let replaced = 0
  let kept = 0
  let failed = 0
  for (const target of targets) {
    const shown = shownPath(project, target)
    const from = incoming.filter((file) => file.target === target)
    try {
      const baselines = await BaselineFile.open(fs, target, 'all')
      if (baselines.unreadableRecords().length > 0) throw new PerfgateError('PERFGATE_BASELINE_INVALID', `it changed during the merge: ${baselines.unreadableRecords()[0]!.problem}`)
      const isNew = !existsSync(target)
      const lines: string[] = []
      for (const { content } of from) {
        for (const key of Object.keys(content.entries).sort()) {
          const records = content.entries[key]!
          for (const envId of Object.keys(records).sort()) {
            const theirs = records[envId]!
            const ours = baselines.get(key, envId)
            const name = `${shownKey(key)} for ${envId}`
            if (ours === undefined) {
              baselines.set(key, envId, theirs)
              lines.push(`  added ${name}`)
              added += 1
            } else if (Date.parse(theirs.recordedAt) > Date.parse(ours.recordedAt)) {
              baselines.set(key, envId, theirs)
              lines.push(`  replaced ${name} (recorded ${theirs.recordedAt}; the project's was recorded ${ours.recordedAt})`)
              replaced += 1
            } else if (Date.parse(theirs.recordedAt) < Date.parse(ours.recordedAt)) {
              lines.push(`  kept ${name}: the project's record (${ours.recordedAt}) is newer than the incoming one (${theirs.recordedAt})`)
              kept += 1
            }
            // Recorded at the same time: the same recording; nothing to say.
          }
        }
      }
      if (lines.length === 0) continue
      if (!dryRun) await baselines.save()
      out.push(`${shown}${isNew ? ' (new file)' : ''}, from ${from.map((file) => file.shown).join(', ')}`, ...lines)
    } catch (error) {
      if (!(error instanceof PerfgateError)) throw error
      out.push(`not merged into ${shown}: ${error.message}`)
      failed += 1
    }
  }
  const summary = `${added} ${added === 1 ? 'record' : 'records'} added, ${replaced} replaced and ${kept} kept (the project's newer)`
  out.push(added + replaced === 0 ? 'Nothing to merge: the project already has every incoming record (or a newer one).' : dryRun ? `Dry run: ${summary}; nothing was written.` : `Merged: ${summary}. Review the diff and commit ${shownPath(project, project.baseDir)}/.`)
  io.stdout.write(`${out.join('\n')}\n`)
  return failed === 0 ? 0 : 1
}

/**
 * The baseline files of one argument and where each goes. A folder is laid out as `baselineDir`
 * is: `<folder>/test/a.test.ts.json` goes to `<baselineDir>/test/a.test.ts.json`. A single file
 * goes to the project's baseline file whose path ends the same way, the longest such ending.
 */
async function incomingFiles(project: Project, source: string, committed: readonly string[]): Promise<{ file: string; shown: string; target: string }[]> {
  const absolute = path.resolve(source)
  const info = await stat(absolute).catch(() => null)
  if (info === null) throw new UsageError(`${source}: no such file or directory`)
  if (info.isDirectory()) {
    if (overlaps(absolute, project.baseDir)) {
      throw new UsageError(`${source} overlaps the project's baseline folder ${shownPath(project, project.baseDir)}; download the other environment's files to a folder outside it`)
    }
    const files = await listBaselineFiles(absolute)
    if (files.length === 0) throw new UsageError(`${source}: no baseline files (*.json) in it`)
    return files.map((file) => {
      const inside = path.relative(absolute, file)
      return { file, shown: path.join(source, inside), target: path.join(project.baseDir, inside) }
    })
  }
  if (overlaps(absolute, project.baseDir)) throw new UsageError(`${source} is one of the project's own baseline files`)
  return [{ file: absolute, shown: source, target: matchingFile(absolute, source, committed) }]
}

/** The project's baseline file whose path ends as `file`'s does, over the most parts. */
function matchingFile(file: string, shown: string, committed: readonly string[]): string {
  const parts = file.split(path.sep)
  let best: string[] = []
  let bestLength = 0
  for (const candidate of committed) {
    const theirs = candidate.split(path.sep)
    let length = 0
    while (length < parts.length && length < theirs.length && parts[parts.length - 1 - length] === theirs[theirs.length - 1 - length]) length += 1
    if (length === 0 || length < bestLength) continue
    if (length > bestLength) best = []
    best.push(candidate)
    bestLength = length
  }
  if (best.length === 0) throw new UsageError(`${shown}: no baseline file of the project is named ${path.basename(file)}; to add new files, give the folder laid out as baselineDir is`)
  if (best.length > 1) throw new UsageError(`${shown} could go into ${best.length} of the project's baseline files (${best.join(', ')}); give the folder laid out as baselineDir is`)
  return best[0]!
}

/** Whether one of the two folders (or a file and a folder) is, or lies inside, the other. */
function overlaps(a: string, b: string): boolean {
  const inside = (child: string, parent: string): boolean => {
    const relative = path.relative(parent, child)
    return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative))
  }
  return inside(a, b) || inside(b, a)
}

async function readInput(file: string, shown: string): Promise<string> {
  try {
    return await readFile(file, 'utf8')
  } catch (error) {
    throw new PerfgateError('PERFGATE_BASELINE_IO', `Cannot read ${shown}: ${(error as Error).message}`, { cause: error })
  }
}
