import { randomBytes } from 'node:crypto'
import type { Stats } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { chmod, mkdir, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { BaselineFileContent, BaselineRecord, UpdateMode } from './types.js'
import { PerfgateError } from '../common/errors.js'
import { invalidArgument } from '../common/validate.js'
import { entryPath, readBaselineFile, readRecord, serializeBaselineEntries } from './format.js'
import type { UnreadableRecord } from './format.js'
import { setTimeout, wallClockNow } from '../common/timers.js'

// ---------------------------------------------------------------------------
// File systems
// ---------------------------------------------------------------------------

/** The file operations a baseline file needs, so the store's logic runs in memory in tests. */
export interface BaselineFileSystem {
  /** The file's text, or null when it does not exist. */
  read(path: string): Promise<string | null>
  /** Replaces the file's content, creating its directory when needed. */
  write(path: string, content: string): Promise<void>
  /** Deletes the file; a missing file is not an error. */
  remove(path: string): Promise<void>
  /**
   * Holds the file for one writer at a time, across processes; resolves to the release. Saving
   * re-reads and merges under it, so two test processes never drop each other's entries.
   * `until` (a `performance.now()` time, the test's deadline) ends the wait sooner than usual.
   */
  lock(path: string, until?: number): Promise<() => Promise<void>>
}

/** How long a writer waits for another's lock before giving up, and when a lock counts as left behind. */
const lockWaitMs = 30_000
const lockStaleMs = 10_000

/** True when no process with this id is running (a writer killed while holding the lock). */
function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return false
  } catch (error) {
    return (error as { code?: unknown }).code === 'ESRCH'
  }
}

/** The real file system; `write` is atomic (a temporary file in the same directory, then a rename). */
export function nodeBaselineFileSystem(): BaselineFileSystem {
  return {
    async read(file) {
      try {
        return await readFile(file, 'utf8')
      } catch (error) {
        if (isNotFound(error)) return null
        throw ioError('read', file, error)
      }
    },
    async write(file, content) {
      const directory = path.dirname(file)
      // Same directory, so the rename never crosses devices; pid + random so that no two writers share it.
      const temporary = path.join(directory, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`)
      try {
        await mkdir(directory, { recursive: true })
        const mode = await writableMode(file, 'write')
        await removeLeftTemporaries(file)
        await writeFile(temporary, content, { encoding: 'utf8', flag: 'wx' })
        // The rename gives the file the temporary's mode: keep the one it had.
        if (mode !== null) await chmod(temporary, mode)
        await rename(temporary, file)
      } catch (error) {
        await rm(temporary, { force: true })
        if (error instanceof PerfgateError) throw error
        throw ioError('write', file, error)
      }
    },
    async remove(file) {
      try {
        await writableMode(file, 'remove')
        await unlink(file)
      } catch (error) {
        if (error instanceof PerfgateError) throw error
        if (!isNotFound(error)) throw ioError('remove', file, error)
      }
    },
    async lock(file, until) {
      // A lock file beside the baseline file, created exclusively; it holds the writer's pid.
      await mkdir(path.dirname(file), { recursive: true })
      const lockFile = `${file}.lock`
      const started = performance.now()
      const giveUpAt = Math.min(started + lockWaitMs, until ?? Number.POSITIVE_INFINITY)
      for (let attempt = 0; ; attempt++) {
        try {
          await writeFile(lockFile, String(process.pid), { encoding: 'utf8', flag: 'wx' })
          return () => rm(lockFile, { force: true })
        } catch (error) {
          if ((error as { code?: unknown }).code !== 'EEXIST') throw ioError('lock', file, error)
        }
        const holder = Number(await readFile(lockFile, 'utf8').catch(() => ''))
        const age = await stat(lockFile).then((info) => wallClockNow() - info.mtimeMs, () => 0)
        // Left behind by a writer that was killed: take it over.
        if ((Number.isInteger(holder) && holder > 0 && holder !== process.pid && processGone(holder)) || age > lockStaleMs) {
          await rm(lockFile, { force: true })
          continue
        }
        if (performance.now() >= giveUpAt) {
          const waitedMs = performance.now() - started
          const why = waitedMs >= lockWaitMs ? `has been held by process ${holder || '?'} for over ${lockWaitMs / 1000} s` : `was held by process ${holder || '?'} for the ${(waitedMs / 1000).toFixed(1)} s the test had left`
          throw new PerfgateError(
            'PERFGATE_BASELINE_LOCKED',
            `Could not write ${file}: ${lockFile} ${why} (a lock counts as left behind when its process is gone or after ${lockStaleMs / 1000} s). Delete it if no perfgate run is writing.`,
          )
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(100, 5 * 2 ** Math.min(attempt, 5)) * (0.5 + Math.random())))
      }
    },
  }
}

function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ENOENT'
}

/** A file system error as a PerfgateError that names the baseline file (Node's EISDIR, for one, does not). */
function ioError(action: 'read' | 'write' | 'remove' | 'lock', file: string, error: unknown): PerfgateError {
  const code = (error as { code?: unknown } | null)?.code
  const reason =
    code === 'EISDIR' ? 'it is a directory, not a file' : code === 'ENOTDIR' ? 'a part of its path is a file, not a directory' : error instanceof Error ? error.message : String(error)
  const doing = action === 'lock' ? 'take the lock beside' : action
  return new PerfgateError('PERFGATE_BASELINE_IO', `Cannot ${doing} the baseline file ${file}: ${reason}.`, { cause: error })
}

/**
 * The permission bits of an existing baseline file, or null when there is none. A file without
 * any write permission (`chmod a-w`, a read-only checkout) is an error: it is not replaced, as a
 * rename would do regardless of its mode.
 */
async function writableMode(file: string, action: 'write' | 'remove'): Promise<number | null> {
  let info: Stats
  try {
    info = await stat(file)
  } catch (error) {
    if (isNotFound(error)) return null
    throw error
  }
  if (info.isDirectory()) throw ioError(action, file, Object.assign(new Error('EISDIR'), { code: 'EISDIR' }))
  const mode = info.mode
  if ((mode & 0o222) === 0) {
    throw new PerfgateError(
      'PERFGATE_BASELINE_READONLY',
      `The baseline file ${file} is read-only; perfgate does not replace it. Make it writable (chmod u+w) to let this run update it, ` +
        'or run without updating (CI=true or PERFGATE_UPDATE=none).',
    )
  }
  return mode & 0o7777
}

/**
 * Deletes the temporary files of `file` that a writer killed between writing and renaming left
 * behind: those of a process that no longer runs, or older than a stale lock. Called under the
 * lock, so no live perfgate writer of this file has one in flight.
 */
async function removeLeftTemporaries(file: string): Promise<void> {
  const directory = path.dirname(file)
  const prefix = `.${path.basename(file)}.`
  const names = await readdir(directory).catch(() => [] as string[])
  for (const name of names) {
    if (!name.startsWith(prefix)) continue
    const match = /^(\d+)\.[0-9a-f]{12}\.tmp$/.exec(name.slice(prefix.length))
    if (match === null) continue
    const pid = Number(match[1])
    if (pid === process.pid) continue
    const temporary = path.join(directory, name)
    const age = await stat(temporary).then((info) => wallClockNow() - info.mtimeMs, () => 0)
    if (processGone(pid) || age > lockStaleMs) await rm(temporary, { force: true })
  }
}

/** A file system in a Map, for tests; `writes` counts calls to `write`. */
export function memoryBaselineFileSystem(initial: Record<string, string> = {}): BaselineFileSystem & {
  files: Map<string, string>
  writes: number
} {
  const memory = {
    files: new Map(Object.entries(initial)),
    writes: 0,
    read: async (file: string): Promise<string | null> => memory.files.get(file) ?? null,
    write: async (file: string, content: string): Promise<void> => {
      memory.writes += 1
      memory.files.set(file, content)
    },
    remove: async (file: string): Promise<void> => {
      memory.files.delete(file)
    },
    locks: new Map<string, Promise<void>>(),
    lock: async (file: string): Promise<() => Promise<void>> => {
      // One writer at a time per path, in order of asking.
      const before = memory.locks.get(file) ?? Promise.resolve()
      let release!: () => void
      const held = new Promise<void>((resolve) => (release = resolve))
      memory.locks.set(file, before.then(() => held))
      await before
      return async () => release()
    },
  }
  return memory
}

// ---------------------------------------------------------------------------
// One baseline file
// ---------------------------------------------------------------------------

/**
 * The baselines of one test file, after Vitest's `SnapshotState`: opened once, read and updated
 * in memory under an update mode, saved at the end. Every key starts unchecked; whatever no test
 * asked for by the end is obsolete.
 *
 * A record that fails validation fails the whole file in modes `new` and `none`. In mode `all`
 * (`-u`) it is set aside: kept in the file byte for byte as JSON data, reported by
 * `unreadableRecord`, and replaced when its test records it again.
 */
export class BaselineFile {
  readonly path: string
  readonly updateMode: UpdateMode
  private readonly fs: BaselineFileSystem
  private readonly entries: Map<string, Map<string, BaselineRecord>>
  private readonly checked = new Set<string>()
  /** The text on disk as last read or written; null when there is no file. */
  private diskText: string | null
  private dirty = false
  /** What this instance stored (key → envId) and removed since it last saved, to merge into what others wrote. */
  private readonly stored = new Map<string, Set<string>>()
  private readonly removed = new Set<string>()
  /** Runs added (`PERFGATE_RECORD=add`), key → envId → how to add this run to a record: applied again to what another writer saved meanwhile. */
  private readonly addedRuns = new Map<string, Map<string, (record: BaselineRecord) => BaselineRecord>>()
  /** Records that failed validation, set aside in mode `all`: key → envId → the record as read. */
  private unreadable = new Map<string, Map<string, UnreadableRecord>>()

  private constructor(
    fs: BaselineFileSystem,
    file: string,
    updateMode: UpdateMode,
    diskText: string | null,
    content: BaselineFileContent,
    unreadable: readonly UnreadableRecord[],
  ) {
    this.fs = fs
    this.path = file
    this.updateMode = updateMode
    this.diskText = diskText
    this.entries = entriesMap(content)
    this.unreadable = unreadableMap(unreadable)
  }

  /**
   * Reads and validates the file (a missing file is an empty one). Throws `PERFGATE_BASELINE_PARSE`
   * or `PERFGATE_BASELINE_INVALID` for a broken file, so a file that fails to open is never saved over.
   */
  static async open(fs: BaselineFileSystem, file: string, updateMode: UpdateMode): Promise<BaselineFile> {
    if (updateMode !== 'all' && updateMode !== 'new' && updateMode !== 'none') {
      invalidArgument('updateMode', "'all', 'new' or 'none'", updateMode)
    }
    const text = await fs.read(file)
    const { content, unreadable } = text === null ? emptyFile : readBaselineFile(text, file, updateMode === 'all')
    return new BaselineFile(fs, file, updateMode, text, content, unreadable)
  }

  /**
   * What is wrong with the stored record of key in envId when it failed validation and was set
   * aside (mode `all` only), with its key path; undefined otherwise. Marks key as checked.
   */
  unreadableRecord(key: string, envId: string): string | undefined {
    this.checked.add(key)
    return this.unreadable.get(key)?.get(envId)?.problem
  }

  /** The records set aside because they failed validation and not replaced so far. */
  unreadableRecords(): UnreadableRecord[] {
    return [...this.unreadable.values()].flatMap((records) => [...records.values()])
  }

  /** The record of key in environment envId, or undefined. Marks key as checked. */
  get(key: string, envId: string): BaselineRecord | undefined {
    this.checked.add(key)
    return this.entries.get(key)?.get(envId)
  }

  /** All environment records of key (for comparing across environments). Marks key as checked. */
  recordsOf(key: string): Readonly<Record<string, BaselineRecord>> {
    this.checked.add(key)
    const records: Record<string, BaselineRecord> = Object.create(null)
    for (const [envId, record] of this.entries.get(key) ?? []) records[envId] = record
    return records
  }

  /**
   * Whether this update mode lets `set` write a record that is new (`'new'`/`'all'`) or replaces
   * one (`'all'` only; also `'new'` when `addingRun`: a run added to an entry, `PERFGATE_RECORD=add`).
   */
  canWrite(key: string, envId: string, addingRun = false): boolean {
    if (this.updateMode === 'all') return true
    if (this.updateMode === 'none') return false
    return addingRun || this.entries.get(key)?.get(envId) === undefined
  }

  /**
   * Stores a record (only when `canWrite`), marks key checked; returns whether it was stored.
   * Does not touch the disk. Throws `PERFGATE_BASELINE_INVALID` for a record that could not be read back.
   * With `addRun` (a run added to the entry, `PERFGATE_RECORD=add`; `record` is `addRun` of the
   * record read), a record another process saved meanwhile gets this run added at `save`, instead
   * of being replaced: two processes adding at once keep both runs.
   */
  set(key: string, envId: string, record: BaselineRecord, addRun?: (record: BaselineRecord) => BaselineRecord): boolean {
    this.checked.add(key)
    if (!this.canWrite(key, envId, addRun !== undefined)) return false
    let records = this.entries.get(key)
    if (records === undefined) this.entries.set(key, (records = new Map()))
    records.set(envId, this.storable(key, envId, record))
    this.forgetUnreadable(key, envId)
    let envIds = this.stored.get(key)
    if (envIds === undefined) this.stored.set(key, (envIds = new Set()))
    envIds.add(envId)
    if (addRun === undefined) this.addedRuns.get(key)?.delete(envId)
    else this.addedRuns.set(key, (this.addedRuns.get(key) ?? new Map()).set(envId, addRun))
    this.removed.delete(key)
    this.dirty = true
    return true
  }

  /**
   * `set`, then `save`; returns whether it stored. When the save fails (another writer's lock
   * until the deadline, the disk), the entry is put back as it was before, so that the record
   * that could not be written is neither compared with later in this process nor written by the
   * next save of the file, and the error is thrown.
   */
  async store(key: string, envId: string, record: BaselineRecord, options: { readonly addRun?: (record: BaselineRecord) => BaselineRecord; readonly until?: number } = {}): Promise<boolean> {
    const previous = this.entries.get(key)?.get(envId)
    if (!this.set(key, envId, record, options.addRun)) return false
    try {
      await this.save(options.until)
    } catch (error) {
      const records = this.entries.get(key)
      if (previous !== undefined) records?.set(envId, previous)
      else records?.delete(envId)
      if (records?.size === 0) this.entries.delete(key)
      this.stored.get(key)?.delete(envId)
      if (this.stored.get(key)?.size === 0) this.stored.delete(key)
      this.addedRuns.get(key)?.delete(envId)
      this.dirty = this.stored.size > 0 || this.removed.size > 0
      throw error
    }
    return true
  }

  /** The record as it reads back from the file; `PERFGATE_BASELINE_INVALID` when it would not. */
  private storable(key: string, envId: string, record: BaselineRecord): BaselineRecord {
    return readRecord(record, entryPath(key, envId), envId, (where, problem) => {
      throw new PerfgateError('PERFGATE_BASELINE_INVALID', `Cannot store the baseline ${where} in ${this.path}: it ${problem}.`)
    })
  }

  /**
   * Moves the entries of `from` (a key in an older form) to `to` when `to` has none and no
   * comparison of this run asked for `from` itself; marks `to` checked. The move is saved by the
   * next `save` unless the update mode is `'none'`. Returns whether it moved anything.
   */
  migrateKey(from: string, to: string): boolean {
    const records = this.entries.get(from)
    if (records === undefined || this.entries.has(to) || this.checked.has(from)) return false
    this.entries.delete(from)
    this.entries.set(to, records)
    this.checked.add(to)
    if (this.updateMode !== 'none') {
      this.stored.delete(from)
      this.removed.add(from)
      this.stored.set(to, new Set(records.keys()))
      this.removed.delete(to)
      this.dirty = true
    }
    return true
  }

  /** Marks key as asked for, so it is not obsolete (for example when its test was skipped). */
  markChecked(key: string): void {
    this.checked.add(key)
  }

  /**
   * Marks every key of one test as checked: `testName` itself, `testName > …` and `testName <n>`.
   * For skipped tests, whose baselines must survive a `-u` run. It may also spare a key of another
   * test whose name starts the same way, which only ever keeps a baseline, never loses one.
   */
  markTestChecked(testName: string): void {
    for (const key of this.keys()) {
      if (!key.startsWith(testName)) continue
      const rest = key.slice(testName.length)
      if (rest === '' || rest.startsWith(' > ') || /^ \d+$/.test(rest)) this.checked.add(key)
    }
  }

  /** Keys in the file that no test asked for so far, sorted. */
  obsoleteKeys(): string[] {
    return this.keys().filter((key) => !this.checked.has(key)).sort()
  }

  /** Every key in the file, set-aside records included. */
  private keys(): string[] {
    return [...new Set([...this.entries.keys(), ...this.unreadable.keys()])]
  }

  private forgetUnreadable(key: string, envId: string): void {
    const records = this.unreadable.get(key)
    records?.delete(envId)
    if (records?.size === 0) this.unreadable.delete(key)
  }

  /**
   * Removes the obsolete keys from memory — only in `'all'` mode (returns [] otherwise); returns the
   * removed keys. Call it only after every test of the file ran or was marked checked.
   */
  removeObsolete(): string[] {
    if (this.updateMode !== 'all') return []
    const obsolete = this.obsoleteKeys()
    for (const key of obsolete) {
      this.entries.delete(key)
      this.unreadable.delete(key)
      this.stored.delete(key)
      this.removed.add(key)
    }
    if (obsolete.length > 0) this.dirty = true
    return obsolete
  }

  /** The file's content as it stands in memory. */
  content(): BaselineFileContent {
    const entries: Record<string, Record<string, BaselineRecord>> = Object.create(null)
    for (const [key, records] of this.entries) {
      const byEnvironment: Record<string, BaselineRecord> = Object.create(null)
      for (const [envId, record] of records) byEnvironment[envId] = record
      entries[key] = byEnvironment
    }
    return { version: 1, entries }
  }

  /** The content to write: the records, and the set-aside ones as they were read. */
  private entriesToWrite(): Record<string, Record<string, unknown>> {
    // Null prototypes throughout, so a key such as `__proto__` is data here too.
    const entries: Record<string, Record<string, unknown>> = Object.assign(Object.create(null), this.content().entries)
    for (const [key, records] of this.unreadable) {
      const byEnvironment: Record<string, unknown> = Object.assign(Object.create(null), entries[key])
      for (const [envId, record] of records) byEnvironment[envId] = record.raw
      entries[key] = byEnvironment
    }
    return entries
  }

  /**
   * Writes the file when something was stored or removed and its serialized content differs from
   * what is on disk; never in `'none'` mode. An empty file that did not exist is not created, and
   * a file whose last entry was removed is removed. Returns whether it wrote (or removed).
   * `until`: the test's deadline (`performance.now()` time), past which it stops waiting for another writer's lock.
   */
  async save(until?: number): Promise<boolean> {
    // Only changes write: a file that differs only in formatting (say CRLF from a Windows checkout) is left alone.
    if (this.updateMode === 'none' || !this.dirty) return false
    const release = await this.fs.lock(this.path, until)
    try {
      await this.mergeWhatOthersWrote()
      if (this.entries.size === 0 && this.unreadable.size === 0) {
        const existed = this.diskText !== null
        if (existed) await this.fs.remove(this.path)
        this.diskText = null
        this.saved()
        return existed
      }
      const text = serializeBaselineEntries(this.entriesToWrite())
      const changed = text !== this.diskText
      if (changed) await this.fs.write(this.path, text)
      this.diskText = text
      this.saved()
      return changed
    } finally {
      await release()
    }
  }

  /**
   * This instance's changes are on disk: what another writer saves after this is newer, and a run
   * added here must not be added again to a record that already holds it.
   */
  private saved(): void {
    this.dirty = false
    this.stored.clear()
    this.removed.clear()
    this.addedRuns.clear()
  }

  /**
   * Another process (a second `vitest run -u` with another filter, say) may have written the file
   * since it was read: its entries are taken in, and this instance's own changes laid over them.
   * A file that no longer parses is an error, never overwritten.
   */
  private async mergeWhatOthersWrote(): Promise<void> {
    const text = await this.fs.read(this.path)
    if (text === this.diskText) return
    const { content: onDisk, unreadable } = text === null ? emptyFile : readBaselineFile(text, this.path, this.updateMode === 'all')
    const merged = new Map<string, Map<string, BaselineRecord>>()
    for (const key of Object.keys(onDisk.entries)) {
      if (this.removed.has(key)) continue
      // Another writer's entry: never reported or removed as obsolete by this run.
      if (!this.entries.has(key) && !this.unreadable.has(key)) this.checked.add(key)
      const records = onDisk.entries[key]!
      merged.set(key, new Map(Object.keys(records).map((envId) => [envId, records[envId]!])))
    }
    // Set-aside records on disk stay, but for those this instance removed or stored again.
    const keptUnreadable = unreadable.filter((record) => !this.removed.has(record.key) && this.stored.get(record.key)?.has(record.envId) !== true)
    for (const { key } of keptUnreadable) if (!this.entries.has(key) && !this.unreadable.has(key)) this.checked.add(key)
    this.unreadable = unreadableMap(keptUnreadable)
    for (const [key, envIds] of this.stored) {
      let records = merged.get(key)
      if (records === undefined) merged.set(key, (records = new Map()))
      for (const envId of envIds) {
        const addRun = this.addedRuns.get(key)?.get(envId)
        const saved = records.get(envId)
        // A run added here goes onto the record as another process left it, not onto the one read before.
        const record = addRun !== undefined && saved !== undefined ? this.storable(key, envId, addRun(saved)) : this.entries.get(key)?.get(envId)
        if (record !== undefined) records.set(envId, record)
      }
    }
    this.entries.clear()
    for (const [key, records] of merged) this.entries.set(key, records)
    this.diskText = text
  }
}

const emptyFile: { readonly content: BaselineFileContent; readonly unreadable: readonly UnreadableRecord[] } = { content: { version: 1, entries: {} }, unreadable: [] }

function entriesMap(content: BaselineFileContent): Map<string, Map<string, BaselineRecord>> {
  const entries = new Map<string, Map<string, BaselineRecord>>()
  for (const key of Object.keys(content.entries)) {
    const records = content.entries[key]!
    entries.set(key, new Map(Object.keys(records).map((envId) => [envId, records[envId]!])))
  }
  return entries
}

function unreadableMap(records: readonly UnreadableRecord[]): Map<string, Map<string, UnreadableRecord>> {
  const byKey = new Map<string, Map<string, UnreadableRecord>>()
  for (const record of records) {
    let byEnvironment = byKey.get(record.key)
    if (byEnvironment === undefined) byKey.set(record.key, (byEnvironment = new Map()))
    byEnvironment.set(record.envId, record)
  }
  return byKey
}
