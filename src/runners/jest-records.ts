/**
 * The hand-over between perfgate/jest (in each test file's environment) and perfgate's Jest
 * reporter (in Jest's main process): one JSON file per test file, in a folder the reporter
 * names in this environment variable.
 */
import { randomUUID } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { PerfRecord } from '../gate/records.js'

export const jestRunDirVariable = 'PERFGATE_JEST_RUN_DIR'

/** What one test file hands over. */
export interface JestFileRecords {
  readonly testFile: string
  readonly records: readonly PerfRecord[]
  /** Its baseline file's obsolete entries after a full run, else null. */
  readonly obsolete: { readonly file: string; readonly keys: readonly string[] } | null
}

/** Writes one test file's records for the reporter; nothing when no perfgate reporter runs. */
export function handOverJestRecords(part: JestFileRecords, env: NodeJS.ProcessEnv = process.env): void {
  const dir = env[jestRunDirVariable]
  if (dir === undefined || dir === '') return
  if (part.records.length === 0 && part.obsolete === null) return
  writeFileSync(join(dir, `${process.pid}-${randomUUID()}.json`), JSON.stringify(part))
}
