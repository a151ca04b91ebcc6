/**
 * What every `perfgate` command shares: where it writes, its usage errors, and reading run
 * files so that a missing, empty, truncated or other-version file is an error naming it.
 */
import { statSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import type { ParseArgsConfig } from 'node:util'

type OptionsConfig = NonNullable<ParseArgsConfig['options']>
import { PerfgateError } from '../common/errors.js'
import { parseRunReport } from '../report/build.js'
import type { RunReport } from '../report/model.js'

/** Where a command writes, so tests can run it in-process. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown; isTTY?: boolean; hasColors?: () => boolean; columns?: number }
  readonly stderr: { write(text: string): unknown }
}

/** Bad usage: the command exits 2 with this message and its usage. */
export class UsageError extends Error {}

/** `parseArgs` whose complaints are usage errors. */
export function parseCommandArgs<const T extends OptionsConfig>(args: readonly string[], options: T): ReturnType<typeof parseArgs<{ options: T; allowPositionals: true; strict: true }>> {
  let parsed: ReturnType<typeof parseArgs<{ options: T; allowPositionals: true; strict: true; tokens: true }>>
  try {
    parsed = parseArgs({ args: [...args], allowPositionals: true, strict: true, options, tokens: true })
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  // parseArgs keeps the last of a repeated option: `--format md --format html` would drop one in silence.
  const seen = new Set<string>()
  for (const token of parsed.tokens) {
    if (token.kind !== 'option' || (options[token.name] as { multiple?: boolean } | undefined)?.multiple === true) continue
    if (seen.has(token.name)) throw new UsageError(`--${token.name} is given more than once`)
    seen.add(token.name)
  }
  return parsed
}

/** Whether two paths name one existing file (through a link too), or are the same path. */
export function sameFile(a: string, b: string): boolean {
  if (resolve(a) === resolve(b)) return true
  const identity = (file: string): string | null => {
    try {
      const info = statSync(file)
      return `${info.dev}:${info.ino}`
    } catch {
      // Missing, or under a file (ENOTDIR): no file to be the other one.
      return null
    }
  }
  const one = identity(a)
  return one !== null && one === identity(b)
}

/** A usage error when `out` is one of `inputs` (`what`: what the command does with them): writing it would lose that input. */
export function refuseOutAmongInputs(out: string | undefined, inputs: readonly string[], what: string): void {
  if (out !== undefined && inputs.some((file) => sameFile(file, out))) throw new UsageError(`--out ${out} is one of the run files ${what}; write to a new file`)
}

/** A number option: undefined when absent; a usage error naming it and what it expects otherwise. */
export function numberOption(name: string, value: string | undefined, accepts: (x: number) => boolean, expected: string): number | undefined {
  if (value === undefined) return undefined
  const parsed = Number(value)
  if (value.trim() === '' || !accepts(parsed)) throw new UsageError(`--${name} must be ${expected}, not "${value}"`)
  return parsed
}

/** A run file's text; a missing or unreadable file is an error naming it. */
export async function readRunFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new PerfgateError('PERFGATE_REPORT_INVALID', `${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory, not a run file' : `cannot be read (${code ?? (error as Error).message})`}`)
  }
}

/** Reads and checks run files (perfgate-report.json), in order. */
export async function readRunReports(files: readonly string[]): Promise<RunReport[]> {
  const reports: RunReport[] = []
  for (const file of files) reports.push(parseRunReport(await readRunFile(file), file))
  return reports
}

/**
 * Writes a command's `--out` file, making its folder first; a file that cannot be written is
 * `PERFGATE_REPORT_WRITE` naming it (exit 2), never a crash that would read as exit 1.
 */
export async function writeOutFile(out: string, text: string): Promise<void> {
  try {
    await mkdir(dirname(out), { recursive: true })
    await writeFile(out, text)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new PerfgateError('PERFGATE_REPORT_WRITE', `${out}: cannot be written (${code ?? (error as Error).message})`, { cause: error })
  }
}
