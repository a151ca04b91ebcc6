/**
 * What the `perfgate baselines` commands share: the project (its root, config and baseline
 * directory), the baseline files in it as they stand on disk, and the run report they are
 * checked against.
 */
import { existsSync, realpathSync } from 'node:fs'
import { readdir, stat } from 'node:fs/promises'
import path from 'node:path'
import { readBaselineFile } from '../baselines/format.js'
import type { UnreadableRecord } from '../baselines/format.js'
import { nodeBaselineFileSystem } from '../baselines/store.js'
import type { BaselineFileContent } from '../baselines/types.js'
import { PerfgateError } from '../common/errors.js'
import { printableName } from '../common/validate.js'
import { loadConfig } from '../config/config.js'
import type { PerfgateConfig } from '../config/config.js'
import type { RunReport } from '../report/model.js'
import { readRunReports, UsageError } from './common.js'

/** The project a command works on. */
export interface Project {
  /** Absolute project root. */
  readonly rootDir: string
  /** Absolute baseline directory (`baselineDir` of perfgate.config.json5, resolved). */
  readonly baseDir: string
  readonly config: PerfgateConfig
}

/** Where test files outside the root keep their baselines, inside `baselineDir` (see baselines/path.ts). */
const externalDir = '__external__'

/** The project at `--root` (default: the working directory); a root that is not a directory is a usage error. */
export async function openProject(rootOption: string | undefined): Promise<Project> {
  const rootDir = path.resolve(rootOption ?? '.')
  const info = await stat(rootDir).catch(() => null)
  if (info === null) throw new UsageError(`--root ${rootDir}: no such directory`)
  if (!info.isDirectory()) throw new UsageError(`--root ${rootDir}: not a directory`)
  const config = await loadConfig(rootDir)
  return { rootDir, baseDir: path.resolve(rootDir, config.baselineDir), config }
}

/** A path as the commands print it: relative to the project root. */
export function shownPath(project: Project, file: string): string {
  return path.relative(project.rootDir, file) || '.'
}

/** A key or other user text as printed: quoted, control characters made visible. */
export function shownKey(key: string): string {
  return printableName(JSON.stringify(key))
}

/**
 * Every baseline file under `dir`: `*.json` files, sorted, skipping `node_modules` and folders
 * whose name starts with a dot. When the baseline directory is the project root itself, only
 * `<name>.<ext>.json` counts (a test file has an extension), so package.json and tsconfig.json
 * are not taken for baseline files.
 */
export async function listBaselineFiles(dir: string, isProjectRoot = false): Promise<string[]> {
  const files: string[] = []
  const walk = async (folder: string): Promise<void> => {
    const entries = await readdir(folder, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return []
      throw new PerfgateError('PERFGATE_BASELINE_IO', `Cannot list the baseline folder ${folder}: ${error.message}`, { cause: error })
    })
    for (const entry of entries) {
      const full = path.join(folder, entry.name)
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && !entry.name.startsWith('.')) await walk(full)
      } else if (entry.isFile() && entry.name.endsWith('.json') && (!isProjectRoot || /\..+\.json$/.test(entry.name))) {
        files.push(full)
      }
    }
  }
  await walk(dir)
  return files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
}

/** One baseline file as it stands on disk. */
export type BaselineFileState =
  | {
      readonly readable: true
      readonly path: string
      readonly text: string
      readonly mtimeMs: number
      readonly content: BaselineFileContent
      /** Records that fail validation: the file parses, but the CLI does not write it. */
      readonly unreadableRecords: readonly UnreadableRecord[]
    }
  | { readonly readable: false; readonly path: string; readonly problem: string }

/**
 * Reads and validates one baseline file; `shown` names it in messages. A file that cannot be
 * read or parsed is `readable: false` with the reason (file, line and column for a parse error).
 */
export async function readBaselineFileState(file: string, shown: string): Promise<BaselineFileState> {
  try {
    const text = await nodeBaselineFileSystem().read(file)
    if (text === null) return { readable: false, path: file, problem: `${shown}: no such file` }
    const { mtimeMs } = await stat(file)
    const { content, unreadable } = readBaselineFile(text, shown, true)
    return { readable: true, path: file, text, mtimeMs, content, unreadableRecords: unreadable }
  } catch (error) {
    if (error instanceof PerfgateError) return { readable: false, path: file, problem: error.message }
    throw error
  }
}

/**
 * The test file a baseline file belongs to (`<baselineDir>/<path>.json` → `<root>/<path>`), or
 * null for the files of test files outside the root (`__external__/`), which cannot be traced back.
 */
export function testFileOf(project: Project, baselineFile: string): string | null {
  const inside = path.relative(project.baseDir, baselineFile)
  if (inside.startsWith(`${externalDir}${path.sep}`) || !inside.endsWith('.json')) return null
  return path.resolve(project.rootDir, inside.slice(0, -'.json'.length))
}

/** A baseline file whose test file no longer exists. */
export function isOrphaned(project: Project, baselineFile: string): boolean {
  const testFile = testFileOf(project, baselineFile)
  return testFile !== null && !existsSync(testFile)
}

/** A run report and where it was read from. */
export interface FoundReport {
  readonly report: RunReport
  /** As given, or relative to the root when found in `report.dir`. */
  readonly shown: string
  /** Whether it was made in another project root (another checkout, a CI runner). */
  readonly otherRoot: boolean
}

/**
 * The run report: `--report` when given (missing or unreadable: an error naming it), else
 * `<report.dir>/perfgate-report.json` when it exists, else null.
 */
export async function findRunReport(project: Project, reportOption: string | undefined): Promise<FoundReport | null> {
  let file = reportOption
  let shown = reportOption
  if (file === undefined) {
    file = path.resolve(project.rootDir, project.config.report.dir, 'perfgate-report.json')
    if (!existsSync(file)) return null
    shown = shownPath(project, file)
  }
  const [report] = await readRunReports([file])
  return { report: report!, shown: shown ?? file, otherRoot: realPath(report!.rootDir) !== realPath(project.rootDir) }
}

/** The report's default location, for messages. */
export function defaultReportPath(project: Project): string {
  return path.join(project.config.report.dir, 'perfgate-report.json')
}

function realPath(dir: string): string {
  try {
    return realpathSync(dir)
  } catch {
    return path.resolve(dir)
  }
}

/** A report path (relative to the report's root) as a file of this project. */
export function fromReport(project: Project, file: string): string {
  return path.resolve(project.rootDir, file)
}
