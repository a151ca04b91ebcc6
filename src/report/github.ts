/**
 * GitHub Actions annotations: workflow commands (`::error file=…,line=…::message`) that put a
 * problem on the line of the test that found it, in the pull request's diff.
 */
import { printableName } from '../common/validate.js'
import { escapeWorkflowData, escapeWorkflowProperty } from './escape.js'
import { relativePath } from './format.js'
import type { RunReport } from './model.js'
import { reportTables } from './tables.js'
import type { Row, Table } from './tables.js'

/** Options of `githubAnnotations`. */
export interface AnnotationOptions {
  /**
   * The runner's own reporter already annotates failed tests (Vitest's `github-actions`
   * reporter does, on GitHub Actions): then failures get no second annotation from perfgate,
   * only warnings do.
   */
  readonly runnerAnnotatesFailures: boolean
  /**
   * What annotation paths are relative to: GitHub places them from the repository root
   * (`GITHUB_WORKSPACE`). Defaults to the report's `rootDir`.
   */
  readonly workspaceDir?: string
}

function command(level: 'error' | 'warning', file: string, line: number | null, message: string): string {
  const properties = [`file=${escapeWorkflowProperty(file)}`, ...(line === null ? [] : [`line=${line}`]), 'title=perfgate']
  return `::${level} ${properties.join(',')}::${escapeWorkflowData(message)}`
}

/** The annotation's text: what failed or is in doubt, with its figures, then the evidence, one line each. */
function message(table: Table, row: Row): string {
  const name = row.cells[table.nameColumn] ?? ''
  const record = row.record
  let headline: string
  if (record.kind === 'baseline') headline = `${record.verdict === 'missing' ? 'missing baseline' : record.verdict}: ${name}`
  else if (record.kind === 'error') headline = `${record.matcher} stopped with an error: ${name}`
  else if (record.kind === 'latency') headline = `latency budget failed: ${name} — ${record.target}: ${row.cells[5] ?? ''}; ${row.cells[6] ?? ''} requests`
  else headline = `success rate failed: ${name} — ${record.target}: ${row.cells[4] ?? ''}; ${row.cells[3] ?? ''}`
  return [headline, ...row.details].map(printableName).join('\n')
}

/** Whether a passing row still deserves a warning: an inconclusive verdict, a missing baseline let through. */
function inDoubt(row: Row): boolean {
  return row.record.kind === 'baseline' && (row.record.verdict === 'inconclusive' || row.record.verdict === 'missing')
}

/**
 * Workflow commands for GitHub Actions, one per problem: an `::error` for each failed assertion
 * (unless the runner annotates failed tests itself) and a `::warning` for each inconclusive
 * verdict or missing baseline that passed. Paths are relative to `workspaceDir`; `line=` is
 * left out when the runner did not give the test's line.
 * @example for (const line of githubAnnotations(report, { runnerAnnotatesFailures: true })) console.log(line)
 */
export function githubAnnotations(report: RunReport, options: AnnotationOptions): string[] {
  const root = options.workspaceDir ?? report.rootDir
  const annotations: string[] = []
  for (const table of reportTables(report)) {
    for (const row of table.rows) {
      const level = row.failed ? (options.runnerAnnotatesFailures ? null : 'error') : inDoubt(row) ? 'warning' : null
      if (level === null) continue
      annotations.push(command(level, relativePath(root, row.record.testFile), row.record.line, message(table, row)))
    }
  }
  return annotations
}
