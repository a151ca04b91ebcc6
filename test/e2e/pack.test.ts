/**
 * End to end: `npm pack` in a clean copy of the repository, with no prior build, ships what
 * package.json promises. A clean clone has no dist/ (it is git-ignored), so only a `prepack`
 * build can put the entry points in the tarball; and the tarball carries no source maps and no
 * src/. The tarball is then unpacked as an installed dependency and imported with plain Node.
 *
 * The copy holds the working tree's files minus what git ignores (dist/, node_modules/, .tmp/,
 * tarballs): in CI, a clean clone of the branch, that is exactly HEAD; locally it is what
 * committing everything would give, so it tests your uncommitted edits and never a dist/ you
 * built earlier. Unlike the other e2e files, this one packs with scripts on (global-setup.ts
 * packs the repository's own dist/ with `--ignore-scripts` and does not build).
 */
import { cp, lstat, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { plainText, runCommand } from './harness.js'
import type { CommandResult } from './harness.js'

const repoRoot = fileURLToPath(new URL('../..', import.meta.url))
/** The build (two tsup builds with declarations) runs inside `npm pack`; slow on a busy two-core machine. */
const packTimeoutMs = 240_000

interface Manifest {
  name: string
  exports: unknown
  main?: string
  module?: string
  types?: string
  typesVersions?: unknown
  dependencies?: Record<string, string>
}

interface PackResult {
  filename: string
  files: { path: string }[]
}

let workDir: string | undefined
let pack: CommandResult | undefined
let tarball: string | undefined
let packedFiles: string[] = []

/** Every file path a package.json field points at ("./dist/x.js" → "dist/x.js"), leaves of nested objects and arrays included. */
function targets(value: unknown): string[] {
  if (typeof value === 'string') return [value.replace(/^\.\//, '')]
  if (Array.isArray(value)) return value.flatMap(targets)
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(targets)
  return []
}

/** Copies the repository's working tree to `dest`, leaving out what git ignores. */
async function copyWorkingTree(dest: string): Promise<void> {
  const listed = await runCommand('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: repoRoot,
    timeoutMs: 30_000,
  })
  if (listed.code !== 0) throw new Error(`git ls-files failed (exit ${listed.code}):\n${listed.stderr}`)
  // A node_modules symlink (as in a clone set up by hand) escapes the ignore rule "node_modules/".
  const paths = [...new Set(listed.stdout.split('\0'))].filter((path) => path !== '' && !path.split('/').includes('node_modules'))
  for (const path of paths) {
    const source = join(repoRoot, path)
    // Deleted in the working tree but still in the index: leave it out, as `git commit -a` would.
    const info = await lstat(source).catch(() => undefined)
    if (info === undefined || info.isDirectory()) continue
    await mkdir(dirname(join(dest, path)), { recursive: true })
    await cp(source, join(dest, path), { verbatimSymlinks: true })
  }
}

/** Symlinks `name` (scoped or not) from the repository's node_modules into `nodeModules`. */
async function linkDependency(nodeModules: string, name: string): Promise<void> {
  const link = join(nodeModules, name)
  await mkdir(dirname(link), { recursive: true })
  await symlink(join(repoRoot, 'node_modules', name), link, 'dir')
}

function transcript(result: CommandResult | undefined): string {
  if (result === undefined) return 'npm pack did not run'
  return `exit ${result.code}, signal ${result.signal}, timed out ${result.timedOut}\n--- stdout\n${plainText(result.stdout)}\n--- stderr\n${plainText(result.stderr)}`
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'perfgate-pack-'))
  const clone = join(workDir, 'clone')
  const packDest = join(workDir, 'out')
  await mkdir(packDest, { recursive: true })
  await copyWorkingTree(clone)
  await symlink(join(repoRoot, 'node_modules'), join(clone, 'node_modules'), 'dir')

  // A plain `npm pack`, as `npm publish` does it: lifecycle scripts on, whatever the caller's npm config says.
  pack = await runCommand('npm', ['pack', '--json', '--pack-destination', packDest], {
    cwd: clone,
    env: { npm_config_ignore_scripts: undefined, npm_config_dry_run: undefined },
    timeoutMs: packTimeoutMs,
  })
  if (pack.code !== 0) return
  // Script output may precede the JSON on stdout: the report is the last top-level array.
  const json = pack.stdout.slice(pack.stdout.lastIndexOf('\n[') + 1)
  const [result] = JSON.parse(json) as PackResult[]
  if (result === undefined) return
  packedFiles = result.files.map((file) => file.path)
  const tarballs = (await readdir(packDest)).filter((name) => name.endsWith('.tgz'))
  if (tarballs.length === 1 && tarballs[0] !== undefined) tarball = join(packDest, tarballs[0])
}, packTimeoutMs + 60_000)

afterAll(async () => {
  if (workDir !== undefined) await rm(workDir, { recursive: true, force: true, maxRetries: 3 })
})

describe('npm pack in a clean clone (no prior build)', () => {
  it('succeeds', () => {
    expect(pack?.code, transcript(pack)).toBe(0)
    expect(tarball, transcript(pack)).toBeDefined()
  })

  it('ships every file package.json points at (exports, main, module, types, typesVersions)', async () => {
    const manifest = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as Manifest
    const promised = [
      ...new Set(targets([manifest.exports, manifest.main, manifest.module, manifest.types, manifest.typesVersions])),
    ].sort()
    expect(promised).toContain('dist/index.js')
    const missing = promised.filter((path) => !packedFiles.includes(path))
    expect(missing, `missing from the tarball; it holds:\n${packedFiles.join('\n')}`).toEqual([])
  })

  it('ships no source maps and no src/', () => {
    expect(packedFiles.length, transcript(pack)).toBeGreaterThan(0)
    expect(packedFiles.filter((path) => path.endsWith('.map'))).toEqual([])
    expect(packedFiles.filter((path) => path.startsWith('src/'))).toEqual([])
  })

  it('loads with plain Node once unpacked as a dependency (ESM and CommonJS)', async () => {
    if (workDir === undefined || tarball === undefined) throw new Error(`no tarball\n${transcript(pack)}`)
    const manifest = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as Manifest
    // A user's project: the tarball unpacked where `npm install` would put it, and the package's
    // dependencies taken from this repository (no registry needed).
    const project = join(workDir, 'project')
    const installed = join(project, 'node_modules', manifest.name)
    await mkdir(installed, { recursive: true })
    await writeFile(join(project, 'package.json'), `${JSON.stringify({ name: 'pack-test-project', private: true, type: 'module' })}\n`)
    const untar = await runCommand('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1'], { cwd: project, timeoutMs: 30_000 })
    expect(untar.code, transcript(untar)).toBe(0)
    for (const name of Object.keys(manifest.dependencies ?? {})) await linkDependency(join(project, 'node_modules'), name)

    const script = [
      `import { createRequire } from 'node:module'`,
      `const esm = await import(${JSON.stringify(manifest.name)})`,
      `const cjs = createRequire(import.meta.url)(${JSON.stringify(manifest.name)})`,
      `const plugin = await import(${JSON.stringify(`${manifest.name}/plugin`)})`,
      `console.log(JSON.stringify({ esm: Object.keys(esm).sort(), cjs: Object.keys(cjs).sort(), measure: typeof esm.measure, plugin: typeof plugin.perfgate }))`,
    ].join('\n')
    const run = await runCommand(process.execPath, ['--input-type=module', '-e', script], { cwd: project, timeoutMs: 30_000 })
    expect(run.code, transcript(run)).toBe(0)
    const loaded = JSON.parse(run.stdout) as { esm: string[]; cjs: string[]; measure: string; plugin: string }
    expect(loaded.measure).toBe('function')
    expect(loaded.plugin).toBe('function')
    expect(loaded.cjs).toEqual(loaded.esm)
  })
})
