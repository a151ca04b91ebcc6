/**
 * End to end (issue 13): `perfgate ab` on the packed package, with real git and real Vitest
 * runs, in a new user's project (fixtures/projects/ab-vitest) made into a git repository: an A/A
 * run on unchanged code, a planted slowdown, the inputs it refuses, a command that fails on
 * either side, and Ctrl-C in the middle. After every run, the base's worktree and its temporary
 * folder are gone.
 *
 * The steps share one repository and run in order. They never assert on durations: the planted
 * slowdown quadruples the work, and `--threshold 0.5` keeps an A/A verdict on unchanged code from
 * ever being `regressed`, even on a busy machine. `--runs 5 --alpha 0.05 --max-time 1`: the fewest
 * pairs with which the test can reach p < 0.05, and no pair beyond them.
 */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, readFile, readlink, realpath, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { childEnv, installFixtureProject, plainText, runCommand } from './harness.js'
import type { CommandResult, FixtureProject } from './harness.js'

/** A bound only a hang reaches: 10 Vitest runs of a few seconds each. */
const runTimeoutMs = 240_000
const stepTimeoutMs = 300_000

/** The pairs every comparing run makes, and what keeps it from making more. */
const pairs = ['--runs', '5', '--alpha', '0.05', '--max-time', '1', '--threshold', '0.5']
/** The test command, as the CLI runs it on each side (head's Vitest, through the base's linked node_modules). */
const vitestRun = ['--', 'node_modules/.bin/vitest', 'run']

/** The entry's name in the table: the test's name (its baseline key). */
const entryName = 'sums square roots'
const workFile = join('src', 'work.js')

/**
 * A temp dir on another file system than the projects' (Linux's /dev/shm, a tmpfs), where ab
 * must not put the base; undefined where there is none.
 */
async function otherDiskTemp(): Promise<string | undefined> {
  if (!existsSync('/dev/shm')) return undefined
  const [shm, temp] = await Promise.all([stat('/dev/shm'), stat(tmpdir())])
  return shm.dev === temp.dev ? undefined : mkdtemp(join('/dev/shm', 'perfgate-e2e-ab-'))
}

/** Whether the runs can be pinned: taskset is there (on Linux, util-linux). */
const hasTaskset = spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status === 0

let project: FixtureProject | undefined
/** What the CLI sees as the temp dir (TMPDIR): where its worktree goes, and must not stay. */
let scratchTmp: string | undefined

/**
 * Git, and anything else run in the repository, is on its own: no repository or index of an
 * outer git (a hook running these tests), no CI job summary to append to, no perfgate mode.
 */
const isolatedEnv: Record<string, string | undefined> = {
  GIT_DIR: undefined,
  GIT_WORK_TREE: undefined,
  GIT_INDEX_FILE: undefined,
  GIT_COMMON_DIR: undefined,
  GITHUB_STEP_SUMMARY: undefined,
  PERFGATE_MODE: undefined,
  PERFGATE_UPDATE: undefined,
  PERFGATE_ROOT: undefined,
  PERFGATE_PLUGIN_OPTIONS: undefined,
}

function projectDir(): string {
  if (project === undefined) throw new Error('beforeAll did not finish')
  return project.dir
}

function scratchDir(): string {
  if (scratchTmp === undefined) throw new Error('beforeAll did not finish')
  return scratchTmp
}

/** Runs git in `dir`; its output, or an error with git's. */
async function gitIn(dir: string, ...args: string[]): Promise<string> {
  const result = await runCommand('git', args, { cwd: dir, env: isolatedEnv, timeoutMs: 60_000 })
  if (result.code !== 0) throw new Error(`git ${args.join(' ')} failed (exit ${result.code}):\n${result.stderr}`)
  return result.stdout
}

/** Runs git in the Vitest project. */
const git = (...args: string[]): Promise<string> => gitIn(projectDir(), ...args)

/** Makes `dir` a git repository whose one commit on `main` holds everything (the lockfile npm wrote too). */
async function commitAll(dir: string): Promise<void> {
  await gitIn(dir, 'init', '--quiet', '-b', 'main')
  await gitIn(dir, 'config', 'user.name', 'perfgate e2e')
  await gitIn(dir, 'config', 'user.email', 'e2e@perfgate.invalid')
  await gitIn(dir, 'config', 'commit.gpgsign', 'false')
  await gitIn(dir, 'add', '.')
  await gitIn(dir, 'commit', '--quiet', '-m', 'base')
}

/** Rewrites src/work.js; `from` must be in it, so a fixture change cannot make a step a no-op. */
async function editWork(from: string, to: string, dir = projectDir()): Promise<void> {
  const path = join(dir, workFile)
  const source = await readFile(path, 'utf8')
  if (!source.includes(from)) throw new Error(`${workFile} no longer contains ${JSON.stringify(from)}`)
  await writeFile(path, source.replace(from, to))
}

const plantFailure = (message: string): Promise<void> => editWork('  let sum = 0\n', `  throw new Error(${JSON.stringify(message)})\n`)

interface Run {
  readonly result: CommandResult
  readonly stdout: string
  readonly stderr: string
  /** Everything a failed expectation needs to be understood. */
  readonly transcript: string
}

function runOf(name: string, result: CommandResult): Run {
  const stdout = plainText(result.stdout)
  const stderr = plainText(result.stderr)
  return { result, stdout, stderr, transcript: `${name}: exit ${result.code}, signal ${result.signal}, timed out ${result.timedOut}\n--- stdout\n${stdout}\n--- stderr\n${stderr}` }
}

/** `perfgate ab …` through the installed package's bin, in the project (the Vitest one unless `dir` says). */
async function ab(name: string, args: string[], dir = projectDir(), temp = scratchDir()): Promise<Run> {
  const result = await runCommand(join(dir, 'node_modules', '.bin', 'perfgate'), ['ab', ...args], {
    cwd: dir,
    env: { ...isolatedEnv, TMPDIR: temp },
    timeoutMs: runTimeoutMs,
  })
  return runOf(name, result)
}

/** The table's row of the entry (the line that names it). */
function entryRow(run: Run): string {
  const rows = run.stdout.split('\n').filter((line) => line.includes(entryName))
  expect(rows, run.transcript).toHaveLength(1)
  return rows[0] ?? ''
}

/** Nothing of a run is left: git knows no worktree but the project's, and neither .git/perfgate-ab (where ab puts it) nor the temp dir holds a folder of it. */
async function expectCleanedUp(run: Run, dir = projectDir()): Promise<void> {
  const worktrees = (await gitIn(dir, 'worktree', 'list', '--porcelain')).split('\n').filter((line) => line.startsWith('worktree '))
  expect(worktrees, run.transcript).toEqual([`worktree ${await realpath(dir)}`])
  expect((await readdir(scratchDir())).filter((name) => name.startsWith('perfgate-ab')), run.transcript).toEqual([])
  const own = join(dir, '.git', 'perfgate-ab')
  expect(existsSync(own) ? await readdir(own) : [], run.transcript).toEqual([])
}

/**
 * Linux: the processes (of those we may look at) working in one of `dirs`, after up to a second
 * for killed ones to be gone; none where /proc is not.
 */
async function processesIn(dirs: readonly string[]): Promise<string[]> {
  if (!existsSync('/proc/self/cwd')) return []
  let found: string[] = []
  for (let attempt = 0; attempt < 10; attempt++) {
    found = []
    for (const pid of (await readdir('/proc')).filter((name) => /^\d+$/.test(name))) {
      // Another user's process, or one that just ended: nothing to see.
      const cwd = await readlink(join('/proc', pid, 'cwd')).catch(() => '')
      if (dirs.some((dir) => cwd === dir || cwd.startsWith(`${dir}/`))) found.push(`${pid} in ${cwd}`)
    }
    if (found.length === 0) break
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return found
}

function expectPinned(run: Run): void {
  if (hasTaskset) expect(run.stderr, run.transcript).toMatch(/^perfgate ab: every run pinned to CPU (\d+) \(taskset -c \1;/m)
}

beforeAll(async () => {
  project = await installFixtureProject({
    template: 'ab-vitest',
    tarball: inject('perfgateTarball'),
    dependencies: { vitest: '^4.1.0' },
  })
  scratchTmp = await mkdtemp(join(tmpdir(), 'perfgate-e2e-ab-tmp-'))
  // The lockfile npm wrote is committed: equal on both sides, so the base uses head's node_modules.
  await commitAll(projectDir())
}, 300_000)

afterAll(async () => {
  await project?.remove()
  if (scratchTmp !== undefined) await rm(scratchTmp, { recursive: true, force: true })
})

describe('perfgate ab in a Vitest project under git (packed perfgate)', () => {
  it('A/A: head = base gives exit 0, no regression, the Markdown, and nothing left behind', { timeout: stepTimeoutMs }, async () => {
    // The user's last run's reports: head's measure-only runs write there, and ab puts them back.
    const reportDir = join(projectDir(), '.perfgate')
    await mkdir(reportDir, { recursive: true })
    const userReports = { 'perfgate-report.json': '{"the user\'s": "last run"}\n', 'perfgate-report.md': '# the last run\n' }
    for (const [name, text] of Object.entries(userReports)) await writeFile(join(reportDir, name), text)
    await rm(join(reportDir, 'perfgate-report.html'), { force: true })
    const run = await ab('A/A', ['--base', 'main', ...pairs, ...vitestRun])
    for (const [name, text] of Object.entries(userReports)) expect(await readFile(join(reportDir, name), 'utf8'), `${name}\n${run.transcript}`).toBe(text)
    expect(existsSync(join(reportDir, 'perfgate-report.html')), run.transcript).toBe(false)
    expect(run.result.code, run.transcript).toBe(0)
    expect(entryRow(run), run.transcript).toMatch(/\b(unchanged|inconclusive)\b/)
    expect(entryRow(run), run.transcript).not.toMatch(/regressed/)
    expect(run.stderr, run.transcript).toContain("perfgate ab: package-lock.json is the same on both sides: the base uses head's node_modules")
    expectPinned(run)
    // Seven pairs, and --max-time 1 left no time for an eighth.
    expect(run.stderr, run.transcript).toMatch(/^perfgate ab: pair 5: /m)
    expect(run.stderr, run.transcript).not.toMatch(/^perfgate ab: pair 6: /m)
    expect(run.stdout, run.transcript).toContain('perfgate ab: Markdown in .perfgate/perfgate-ab.md')
    const markdown = await readFile(join(projectDir(), '.perfgate', 'perfgate-ab.md'), 'utf8')
    expect(markdown).toContain('## perfgate ab')
    expect(markdown).toMatch(/^\|.*\|$/m)
    expect(markdown).toContain(entryName)
    await expectCleanedUp(run)
  })

  it('a commit that quadruples the work gives exit 1 and `regressed`', { timeout: stepTimeoutMs }, async () => {
    await git('checkout', '--quiet', '-b', 'slower')
    await editWork('iterations = 150_000', 'iterations = 600_000')
    await git('commit', '--quiet', '-am', 'four times the work')
    try {
      const run = await ab('slowdown', ['--base', 'main', ...pairs, ...vitestRun])
      expect(run.result.code, run.transcript).toBe(1)
      expect(entryRow(run), run.transcript).toMatch(/\bregressed\b/)
      expect(run.stdout, run.transcript).toContain('1 regressed in 1 entry')
      // Both sides named by their commits.
      const headCommit = (await git('rev-parse', 'HEAD')).trim()
      expect(run.stdout, run.transcript).toMatch(new RegExp(`base main \\([0-9a-f]{12}\\) vs head \\(${headCommit.slice(0, 12)}\\)`))
      expectPinned(run)
      await expectCleanedUp(run)
    } finally {
      await git('checkout', '--quiet', 'main')
    }
  })

  it('a ref that does not exist: exit 2 naming it', async () => {
    const run = await ab('no such ref', ['--base', 'nope', ...pairs, ...vitestRun])
    expect(run.result.code, run.transcript).toBe(2)
    expect(run.stderr, run.transcript).toContain('no commit "nope" in this repository')
    await expectCleanedUp(run)
  })

  it('no test command after --: exit 2 with the usage', async () => {
    for (const args of [['--base', 'main'], ['--base', 'main', 'node_modules/.bin/vitest', 'run'], ['--base', 'main', '--']]) {
      const run = await ab(`ab ${args.join(' ')}`, args)
      expect(run.result.code, run.transcript).toBe(2)
      expect(run.stderr, run.transcript).toMatch(/perfgate: ab (needs|takes) the test command after --/)
      expect(run.stderr, run.transcript).toContain('Usage: perfgate')
    }
  })

  it('an uncommitted change to a tracked file: exit 2 naming it; with --allow-dirty it is head, and its failure exits 1', { timeout: stepTimeoutMs }, async () => {
    await plantFailure('planted failure on head')
    try {
      const refused = await ab('dirty', ['--base', 'main', ...pairs, ...vitestRun])
      expect(refused.result.code, refused.transcript).toBe(2)
      expect(refused.stderr, refused.transcript).toContain('the working tree has uncommitted changes to tracked files')
      expect(refused.stderr, refused.transcript).toContain(workFile)
      expect(refused.stderr, refused.transcript).toContain('--allow-dirty')
      expect(refused.stderr, refused.transcript).not.toContain('pair 1')
      await expectCleanedUp(refused)

      // The first pair runs the base, then head: the base passes, head (the working tree) throws.
      const failed = await ab('dirty, --allow-dirty', ['--base', 'main', '--allow-dirty', ...pairs, ...vitestRun])
      expect(failed.result.code, failed.transcript).toBe(1)
      expect(failed.stderr, failed.transcript).toMatch(/perfgate ab: the test command failed on head \(exit code 1\)/)
      expect(failed.stderr, failed.transcript).toContain('planted failure on head')
      await expectCleanedUp(failed)
    } finally {
      await git('checkout', '--quiet', '--', workFile)
    }
  })

  it('a test command that fails on the base: exit 2 with its output', { timeout: stepTimeoutMs }, async () => {
    await git('checkout', '--quiet', '-b', 'fixed')
    await plantFailure('planted failure on the base')
    await git('commit', '--quiet', '-am', 'broken')
    const broken = (await git('rev-parse', 'HEAD')).trim()
    await git('checkout', '--quiet', 'main', '--', workFile)
    await git('commit', '--quiet', '-am', 'fixed')
    try {
      const run = await ab('fails on the base', ['--base', broken, ...pairs, ...vitestRun])
      expect(run.result.code, run.transcript).toBe(2)
      expect(run.stderr, run.transcript).toMatch(/perfgate ab: the test command failed on the base \(exit code 1\)/)
      expect(run.stderr, run.transcript).toContain('planted failure on the base')
      await expectCleanedUp(run)
    } finally {
      await git('checkout', '--quiet', 'main')
    }
  })

  it('Ctrl-C after the first pair: exit 130, the worktree and its temp folder removed', { timeout: stepTimeoutMs }, async () => {
    // Spawned here rather than with runCommand: SIGINT goes to the CLI's process group, as a terminal's Ctrl-C would.
    const options = { cwd: projectDir(), env: { ...isolatedEnv, TMPDIR: scratchDir() } }
    const child = spawn(join(projectDir(), 'node_modules', '.bin', 'perfgate'), ['ab', '--base', 'main', '--runs', '20', ...vitestRun], {
      cwd: options.cwd,
      env: childEnv(options),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    })
    let stdout = ''
    let stderr = ''
    let interrupted = false
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')))
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8')
      if (!interrupted && /^perfgate ab: pair 1: /m.test(stderr) && child.pid !== undefined) {
        interrupted = true
        process.kill(-child.pid, 'SIGINT')
      }
    })
    const hang = setTimeout(() => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
      } catch {
        // Gone by itself meanwhile.
      }
    }, runTimeoutMs)
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('close', (...ended) => resolve(ended)))
    clearTimeout(hang)
    const run = runOf('Ctrl-C', { code, signal, stdout, stderr, timedOut: false })
    expect(interrupted, run.transcript).toBe(true)
    expect(code === 130 || signal === 'SIGINT', run.transcript).toBe(true)
    expect(run.stderr, run.transcript).toContain("perfgate ab: stopped by SIGINT; the base's worktree is removed")
    expect(run.stderr, run.transcript).not.toMatch(/^perfgate ab: pair 3: /m)
    await expectCleanedUp(run)
    // The run that was going on when Ctrl-C came (pair 2's, on head or the base) ended with it.
    expect(await processesIn([await realpath(projectDir()), await realpath(scratchDir())]), run.transcript).toEqual([])
    expect(existsSync(join(projectDir(), '.git', 'worktrees')) ? await readdir(join(projectDir(), '.git', 'worktrees')) : [], run.transcript).toEqual([])
  })
})

describe('perfgate ab in a Jest project under git (packed perfgate)', () => {
  let jest: FixtureProject | undefined

  beforeAll(async () => {
    jest = await installFixtureProject({ template: 'ab-jest', tarball: inject('perfgateTarball'), dependencies: { jest: '^30' } })
    await commitAll(jest.dir)
  }, 300_000)

  afterAll(async () => {
    await jest?.remove()
  })

  it('finds the base\'s tests (Jest skips every path with a .git folder in it) and calls four times the work `regressed`', { timeout: stepTimeoutMs }, async () => {
    // A Jest walkthrough: with the base's worktree under .git/, Jest found no test there and ab stopped with exit 2.
    const dir = (jest as FixtureProject).dir
    await gitIn(dir, 'checkout', '--quiet', '-b', 'slower')
    await editWork('iterations = 150_000', 'iterations = 600_000', dir)
    await gitIn(dir, 'commit', '--quiet', '-am', 'four times the work')
    const run = await ab('Jest slowdown', ['--base', 'main', ...pairs, '--', 'node_modules/.bin/jest'], dir)
    expect(run.result.code, run.transcript).toBe(1)
    expect(entryRow(run), run.transcript).toMatch(/\bregressed\b/)
    expectPinned(run)
    await expectCleanedUp(run, dir)
  })

  it('with the temp dir on another disk, the base goes in .git, where Jest finds no test: exit 2 saying to set TMPDIR (with --passWithNoTests too), and nothing left', { timeout: stepTimeoutMs }, async (context) => {
    const temp = await otherDiskTemp()
    if (temp === undefined) return context.skip('no /dev/shm on another file system here')
    try {
      const dir = (jest as FixtureProject).dir
      // As is, Jest exits 1; with --passWithNoTests 0, and the base would pass for one without perf tests.
      for (const extra of [[], ['--passWithNoTests']]) {
        const run = await ab(`Jest ${extra.join(' ')}, temp dir on a tmpfs`, ['--base', 'main', ...pairs, '--', 'node_modules/.bin/jest', ...extra], dir, temp)
        expect(run.result.code, run.transcript).toBe(2)
        expect(run.stderr, run.transcript).toContain('No tests found')
        expect(run.stderr, run.transcript).toContain('set TMPDIR to a folder on the repository\'s disk, outside the project')
        await expectCleanedUp(run, dir)
        // ab made .git/perfgate-ab for this run: it is gone with it.
        expect(existsSync(join(dir, '.git', 'perfgate-ab')), run.transcript).toBe(false)
        // (Jest keeps its cache there, jest_0: not ab's.)
        expect((await readdir(temp)).filter((name) => name.startsWith('perfgate-ab')), run.transcript).toEqual([])
      }
    } finally {
      await rm(temp, { recursive: true, force: true })
    }
  })
})
