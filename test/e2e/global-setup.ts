/**
 * Vitest globalSetup: packs this package once per test run, the way `npm publish` would, so the
 * end-to-end tests install exactly what a user would get. The tarball's absolute path reaches
 * the tests as `inject('perfgateTarball')`.
 *
 * It runs on every `vitest run` (e2e files in the run or not), so it only packs what `dist/`
 * already holds: `npm test` builds first; scripts are not run (`--ignore-scripts`).
 */
import { existsSync } from 'node:fs'
import { mkdir, readdir, rm } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { TestProject } from 'vitest/node'
import { plainText, runCommand } from './harness.js'

declare module 'vitest' {
  export interface ProvidedContext {
    /** Absolute path of this package's `npm pack` tarball. */
    perfgateTarball: string
  }
}

const repoRoot = fileURLToPath(new URL('../..', import.meta.url))
const packRoot = join(repoRoot, '.tmp', 'e2e', 'pack')

/** This run's pack folder: one per process, so concurrent `vitest run`s never share a tarball. */
let packDir: string | undefined

export async function setup(project: TestProject): Promise<void> {
  if (!existsSync(join(repoRoot, 'dist', 'index.js'))) {
    throw new Error('perfgate e2e: dist/index.js is missing; run `npm run build` first (`npm test` does).')
  }
  packDir = join(packRoot, `run-${process.pid}`)
  await rm(packDir, { recursive: true, force: true })
  await mkdir(packDir, { recursive: true })

  const result = await runCommand('npm', ['pack', '--ignore-scripts', '--pack-destination', packDir], {
    cwd: repoRoot,
    timeoutMs: 60_000,
  })
  if (result.code !== 0) {
    throw new Error(`perfgate e2e: npm pack failed (exit ${result.code}, signal ${result.signal})\n${plainText(result.stderr)}`)
  }
  const tarballs = (await readdir(packDir)).filter((name) => name.endsWith('.tgz'))
  const tarball = tarballs[0]
  if (tarballs.length !== 1 || tarball === undefined) {
    throw new Error(`perfgate e2e: expected one tarball in ${packDir}, found ${JSON.stringify(tarballs)}\n${result.stdout}`)
  }
  project.provide('perfgateTarball', resolve(packDir, tarball))
}

export async function teardown(): Promise<void> {
  if (packDir !== undefined) await rm(packDir, { recursive: true, force: true })
}
