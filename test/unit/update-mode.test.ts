import { describe, expect, it } from 'vitest'
import { ciWriteWarning, resolveUpdateMode, updateModeSource } from '../../src/baselines/update-mode.js'

describe('resolveUpdateMode', () => {
  it("follows the runner's snapshot update state (-u → all, CI → none, local → new)", () => {
    expect(resolveUpdateMode({ _updateSnapshot: 'all' }, {})).toBe('all')
    expect(resolveUpdateMode({ _updateSnapshot: 'none' }, {})).toBe('none')
    expect(resolveUpdateMode({ _updateSnapshot: 'new' }, {})).toBe('new')
  })

  it('lets PERFGATE_UPDATE override the runner', () => {
    expect(resolveUpdateMode({ _updateSnapshot: 'none' }, { PERFGATE_UPDATE: 'all' })).toBe('all')
    expect(resolveUpdateMode({ _updateSnapshot: 'all' }, { PERFGATE_UPDATE: 'none' })).toBe('none')
  })

  it('falls back to CI → none, otherwise new, without a snapshot state', () => {
    expect(resolveUpdateMode(undefined, { CI: 'true' })).toBe('none')
    expect(resolveUpdateMode(undefined, { CI: '1' })).toBe('none')
    expect(resolveUpdateMode(undefined, { CI: 'false' })).toBe('new')
    expect(resolveUpdateMode(undefined, {})).toBe('new')
  })

  it('rejects an unknown PERFGATE_UPDATE value with the allowed ones', () => {
    expect(() => resolveUpdateMode(undefined, { PERFGATE_UPDATE: 'yes' })).toThrow(/PERFGATE_UPDATE must be 'all', 'new' or 'none'/)
  })
})

describe('ciWriteWarning', () => {
  it('says so when CI is set and -u or PERFGATE_UPDATE still lets the run write (it wins, as for snapshots), naming where the mode came from', () => {
    expect(ciWriteWarning('all', { CI: 'true' })).toBe(
      "perfgate: CI is set, but update mode 'all' (from the runner's snapshot update mode: -u) rewrites every entry that changed, accepting regressions, in this run's baseline files: an explicit update wins over CI, as for snapshots. Without it CI writes nothing.",
    )
    expect(ciWriteWarning('new', { CI: 'true', PERFGATE_UPDATE: 'new' })).toContain("update mode 'new' (from PERFGATE_UPDATE=new) records missing entries in this run's")
    // 'new' under CI from the runner is not -u (Jest --ci=false, Vitest's update: 'new').
    expect(ciWriteWarning('new', { CI: 'true' })).toContain("update mode 'new' (from the runner's snapshot update mode) records missing entries")
    expect(ciWriteWarning('new', { CI: 'true', PERFGATE_UPDATE: 'new', PERFGATE_RECORD: 'add' })).toContain('records missing entries and adds this run to every entry it measures (PERFGATE_RECORD=add)')
  })

  it('says nothing when the run writes nothing, or outside CI', () => {
    expect(ciWriteWarning('none', { CI: 'true' })).toBeNull()
    // Jest's --ci without CI set: its global setup names the flag.
    expect(ciWriteWarning('all', {}, "Jest's CI mode (--ci) is on")).toMatch(/^perfgate: Jest's CI mode \(--ci\) is on, but update mode 'all' \(from the runner's snapshot update mode: -u\)/)
    expect(ciWriteWarning('all', {})).toBeNull()
    expect(ciWriteWarning('all', {})).toBeNull()
    expect(ciWriteWarning('all', { CI: 'false' })).toBeNull()
  })
})

describe('updateModeSource', () => {
  it('names where the update mode came from: the variable, the runner (CI mode or -u), CI, or a local run', () => {
    expect(updateModeSource({ _updateSnapshot: 'none' }, { PERFGATE_UPDATE: 'none' })).toBe('PERFGATE_UPDATE=none')
    // Vitest and Jest set their snapshot mode to 'none' in CI mode, also for CI=false (Vitest's own reading).
    expect(updateModeSource({ _updateSnapshot: 'none' }, { CI: 'false' })).toBe("the runner's snapshot update mode, which CI sets (the CI variable, or jest --ci)")
    expect(updateModeSource({ _updateSnapshot: 'all' }, {})).toBe("the runner's snapshot update mode: -u")
    expect(updateModeSource(undefined, { CI: 'true' })).toBe('CI is set')
    expect(updateModeSource(undefined, {})).toBe('a local run')
  })
})
