import { describe, expect, it } from 'vitest'
import { resolveUpdateMode } from '../../src/baselines/update-mode.js'

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
