/**
 * The end of a run, for both reporters: build the run report, write the files of
 * `report.formats` under `report.dir`, append the Markdown to the GitHub job summary, print the
 * annotations and the terminal table. A file that cannot be written is said at the end, with its
 * path and the reason; the test results are not touched, and the other files are still written.
 */
import { appendFile, mkdir, writeFile } from 'node:fs/promises'
import { join, relative, resolve } from 'node:path'
import type { PerfgateConfig } from '../config/config.js'
import { printableName } from '../common/validate.js'
import { buildRunReport, orphanedBaselineFiles, serializeRunReport } from './build.js'
import type { RunInput } from './build.js'
import { githubAnnotations } from './github.js'
import { renderHtml } from './html.js'
import { renderMarkdown, stepSummaryMarkdown } from './markdown.js'
import type { RunReport } from './model.js'
import { renderTerminal } from './terminal.js'

/** Where and how a run's end is reported. */
export interface FinishRunOptions {
  readonly config: PerfgateConfig
  /** Where the terminal table and the problems go (the runner's own output stream). */
  readonly out: NodeJS.WritableStream & { isTTY?: boolean; hasColors?: () => boolean }
  /** The runner annotates failed tests on GitHub itself (Vitest's github-actions reporter). */
  readonly runnerAnnotatesFailures: boolean
  readonly env?: NodeJS.ProcessEnv
}

/** What the end of a run wrote, and what it could not. */
export interface FinishedRun {
  readonly report: RunReport
  /** Files written, absolute. */
  readonly written: readonly string[]
  /** What could not be written, one line each. */
  readonly problems: readonly string[]
}

/** The files a run writes into `report.dir`, by format. */
export const reportFileNames = { json: 'perfgate-report.json', md: 'perfgate-report.md', html: 'perfgate-report.html' } as const

/** Builds the run report and writes every format; never throws for a file it cannot write. */
export async function finishRun(input: Omit<RunInput, 'orphanedFiles'>, options: FinishRunOptions): Promise<FinishedRun> {
  const env = options.env ?? process.env
  const { config, out } = options
  const orphanedFiles = await orphanedBaselineFiles(input.rootDir, config.baselineDir).catch(() => [])
  const report = buildRunReport({ ...input, orphanedFiles })
  const written: string[] = []
  const problems: string[] = []
  const formats = new Set(config.report.formats)
  if (report.records.length === 0 && report.stale?.obsoleteEntries.length === 0 && report.stale.orphanedFiles.length === 0) {
    return { report, written, problems }
  }

  const dir = resolve(input.rootDir, config.report.dir)
  const fullReport = formats.has('html') ? reportFileNames.html : formats.has('json') ? reportFileNames.json : undefined
  // Under GitHub's 65 536 characters for a comment, with room for a marker line or a heading.
  const markdownOptions = { maxLength: 65_000, ...(fullReport === undefined ? {} : { fullReport: join(config.report.dir, fullReport) }) }
  const markdown = formats.has('md') ? renderMarkdown(report, markdownOptions) : undefined
  const files: [string, () => string][] = []
  if (formats.has('json')) files.push([reportFileNames.json, () => serializeRunReport(report)])
  if (formats.has('md') && markdown !== undefined) files.push([reportFileNames.md, () => markdown])
  if (formats.has('html')) files.push([reportFileNames.html, () => renderHtml(report)])
  // A run without perf assertions (the unit project, an empty shard) leaves the last perf run's
  // files alone: it would replace them with a report of nothing but the project's orphaned
  // baseline files. Its notes are printed below. Obsolete entries are this run's own finding (a
  // test file whose perf tests were all removed): those are written.
  const hasFindings = report.records.length > 0 || (report.stale?.obsoleteEntries.length ?? 0) > 0
  if (files.length > 0 && hasFindings) {
    try {
      await mkdir(dir, { recursive: true })
      for (const [name, render] of files) {
        const path = join(dir, name)
        try {
          await writeFile(path, render())
          written.push(path)
        } catch (error) {
          problems.push(`could not write ${path}: ${describe(error)}`)
        }
      }
    } catch (error) {
      problems.push(`could not create the report directory ${dir} (report.dir): ${describe(error)}`)
    }
  }

  const summaryPath = env['GITHUB_STEP_SUMMARY']
  if (summaryPath !== undefined && summaryPath !== '' && hasFindings) {
    try {
      await appendFile(summaryPath, `${stepSummaryMarkdown(report, markdownOptions)}\n`)
    } catch (error) {
      problems.push(`could not append to the job summary ($GITHUB_STEP_SUMMARY, ${summaryPath}): ${describe(error)}`)
    }
  }
  if (env['GITHUB_ACTIONS'] === 'true') {
    const workspace = env['GITHUB_WORKSPACE']
    const annotations = githubAnnotations(report, {
      runnerAnnotatesFailures: options.runnerAnnotatesFailures,
      ...(workspace === undefined || workspace === '' ? {} : { workspaceDir: workspace }),
    })
    for (const line of annotations) out.write(`${line}\n`)
  }

  const lines: string[] = []
  if (formats.has('text')) {
    const color = typeof out.hasColors === 'function' ? out.hasColors() : false
    const columns = (out as { columns?: number }).columns
    const table = renderTerminal(report, { color, ...(columns === undefined ? {} : { width: columns }) })
    if (table !== '') lines.push(table)
  }
  const shownDir = printableName(relative(process.cwd(), dir) || '.')
  if (written.length > 0) lines.push(`perfgate: reports in ${shownDir}: ${written.map((path) => relative(dir, path)).join(', ')}`)
  else if (files.length > 0 && !hasFindings) lines.push(`perfgate: no perf assertion ran, so the reports in ${shownDir} (if any) were left as they were`)
  for (const problem of problems) lines.push(`perfgate: ${printableName(problem)}`)
  if (lines.length > 0) out.write(`\n${lines.join('\n')}\n`)
  return { report, written, problems }
}

function describe(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  const message = error instanceof Error ? error.message : String(error)
  // Node's messages start with their code already ("ENOTDIR: not a directory, …").
  return code === undefined || message.startsWith(`${code}:`) ? message : `${code}: ${message}`
}
