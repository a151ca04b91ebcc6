/**
 * Setup file of the quality suite: after each test file, appends the perf records this worker
 * kept and has not written yet (`keptRecords()` from perfgate) as JSON lines to a file in
 * QUALITY_RECORDS_DIR, one file per worker process and thread. The driver reads them.
 */
import { appendFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { threadId } from 'node:worker_threads'
import { afterAll } from 'vitest'
import { keptRecords } from 'perfgate'

// The count already written, kept beside perfgate's own session (on globalThis), so that a
// worker running several files writes each record once.
const writtenKey = Symbol.for('perfgate.quality-suite.written')

afterAll(() => {
  const dir = process.env['QUALITY_RECORDS_DIR']
  if (dir === undefined || dir === '') return
  const holder = globalThis as { [writtenKey]?: number }
  const records = keptRecords()
  const from = holder[writtenKey] ?? 0
  if (records.length <= from) return
  mkdirSync(dir, { recursive: true })
  const lines = records.slice(from).map((record) => `${JSON.stringify(record)}\n`).join('')
  appendFileSync(join(dir, `records-${process.pid}-${threadId}.jsonl`), lines)
  holder[writtenKey] = records.length
})
