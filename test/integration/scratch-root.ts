/**
 * A scratch project root for a test file: perfgate's baselines go there (PERFGATE_ROOT), in
 * update mode `new`, never into the repository. The variables are put back and the folder is
 * removed after the file.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, vi } from 'vitest'

export function useScratchRoot(prefix: string): string {
  const root = mkdtempSync(join(tmpdir(), prefix))
  beforeAll(() => {
    vi.stubEnv('PERFGATE_ROOT', root)
    vi.stubEnv('PERFGATE_UPDATE', 'new')
  })
  afterAll(() => {
    vi.unstubAllEnvs()
    rmSync(root, { recursive: true, force: true })
  })
  return root
}
