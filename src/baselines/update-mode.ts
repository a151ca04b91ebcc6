import { statSync } from 'node:fs'
import type { UpdateMode } from './types.js'
import { PerfgateError } from '../common/errors.js'

function isUpdateMode(value: unknown): value is UpdateMode {
  return value === 'all' || value === 'new' || value === 'none'
}

/**
 * The update mode of this run: `PERFGATE_UPDATE` if set, else the runner's snapshot update
 * state (`vitest -u` / `jest -u` → `all`, CI or `jest --ci` → `none`), else `none` when `CI` is
 * set and `new` otherwise.
 */
export function resolveUpdateMode(snapshotState: unknown, env: NodeJS.ProcessEnv = process.env): UpdateMode {
  const override = env['PERFGATE_UPDATE']
  if (override !== undefined && override !== '') {
    if (!isUpdateMode(override)) {
      throw new PerfgateError('PERFGATE_CONFIG_INVALID', `PERFGATE_UPDATE must be 'all', 'new' or 'none', got ${JSON.stringify(override)}`)
    }
    return override
  }
  // Both runners keep the mode in a field their types call private; it is a plain field at runtime.
  const fromRunner = (snapshotState as { _updateSnapshot?: unknown } | null | undefined)?._updateSnapshot
  if (isUpdateMode(fromRunner)) return fromRunner
  return isCi(env) ? 'none' : 'new'
}

/** Where this run's update mode comes from, for messages: the variable, the runner's flag, or CI. */
export function updateModeSource(snapshotState: unknown, env: NodeJS.ProcessEnv = process.env): string {
  const override = env['PERFGATE_UPDATE']
  if (override !== undefined && override !== '') return `PERFGATE_UPDATE=${override}`
  const fromRunner = (snapshotState as { _updateSnapshot?: unknown } | null | undefined)?._updateSnapshot
  if (fromRunner === 'none') return "the runner's snapshot update mode, which CI sets (the CI variable, or jest --ci)"
  if (fromRunner === 'all') return "the runner's snapshot update mode: -u"
  if (isUpdateMode(fromRunner)) return "the runner's snapshot update mode"
  return isCi(env) ? 'CI is set' : 'a local run'
}

export function isCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = env['CI']
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false'
}

/**
 * What to say when this run may write baselines although `CI` is set: an explicit `-u` or
 * `PERFGATE_UPDATE` wins over CI, as it does for snapshots (and as recording CI baselines needs),
 * but a stray `-u` in a CI script would accept every regression. Null when nothing is to be said.
 */
export function ciWriteWarning(mode: UpdateMode, env: NodeJS.ProcessEnv = process.env, ci: string | null = isCi(env) ? 'CI is set' : null): string | null {
  if (mode === 'none' || ci === null) return null
  // Not 'none' here: the mode came from the variable or from the runner's -u (or its default).
  const source = updateModeSource({ _updateSnapshot: mode }, env)
  const adds = resolveRecordMode(env) === 'add'
  const what =
    mode === 'all'
      ? 'rewrites every entry that changed, accepting regressions,'
      : `records missing entries${adds ? ' and adds this run to every entry it measures (PERFGATE_RECORD=add)' : ''}`
  return `perfgate: ${ci}, but update mode '${mode}' (from ${source}) ${what} in this run's baseline files: an explicit update wins over CI, as for snapshots. Without it CI writes nothing.`
}

/**
 * `PERFGATE_MODE=measure`, the **measure-only mode** (what `perfgate ab` runs the suite in):
 * `toMatchBaseline` measures and reports what it measured, and reads or writes no baseline file.
 * Unset (or `gate`): baselines are compared and recorded as usual.
 */
export function resolveMeasureOnly(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env['PERFGATE_MODE']
  if (value === undefined || value === '' || value === 'gate') return false
  if (value === 'measure') return true
  throw new PerfgateError('PERFGATE_CONFIG_INVALID', `PERFGATE_MODE must be 'measure' or 'gate', got ${JSON.stringify(value)}`)
}

/** How a run that may write treats an entry it measured: `replace` it, or `add` this run to it. */
export type RecordMode = 'replace' | 'add'

/**
 * `PERFGATE_RECORD=add`: every entry this run measures, and may write, gets this process's
 * measurement added as one more run (a baseline that knows the spread between processes).
 * Unset: entries are recorded when missing and replaced under `-u`, as snapshots are.
 */
export function resolveRecordMode(env: NodeJS.ProcessEnv = process.env): RecordMode {
  const value = env['PERFGATE_RECORD']
  if (value === undefined || value === '' || value === 'replace') return 'replace'
  if (value === 'add') return 'add'
  throw new PerfgateError('PERFGATE_CONFIG_INVALID', `PERFGATE_RECORD must be 'add' or 'replace', got ${JSON.stringify(value)}`)
}

/**
 * Checks perfgate's environment variables (`PERFGATE_UPDATE`, `PERFGATE_RECORD`, `PERFGATE_MODE`,
 * `PERFGATE_ROOT`) once, at startup, so that a typo stops the run once, naming the variable,
 * instead of failing every baseline check (or, for the root, making folders somewhere else).
 */
export function checkEnvironmentSettings(env: NodeJS.ProcessEnv = process.env): void {
  resolveUpdateMode(undefined, env)
  resolveRecordMode(env)
  resolveMeasureOnly(env)
  const root = env['PERFGATE_ROOT']
  if (root !== undefined && root !== '' && !statSync(root, { throwIfNoEntry: false })?.isDirectory()) {
    throw new PerfgateError('PERFGATE_CONFIG_INVALID', `PERFGATE_ROOT must be an existing folder (the project root), got ${JSON.stringify(root)}`)
  }
}
