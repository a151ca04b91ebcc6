/**
 * `perfgate ab --base <ref> [--runs N] -- <test command>`: the same-machine gate for pull
 * requests. The base is checked out in a temporary git worktree (its install reused when the
 * lockfiles are equal), then the test command runs on base and head alternately, in fresh
 * processes, in a balanced order (AB BA AB …), in measure-only mode (PERFGATE_MODE=measure). Each
 * entry is decided on its paired runs; more pairs run while a verdict is inconclusive, within
 * `--max-time`. The worktree is always removed, on failure and on Ctrl-C too.
 */
import { execFile, execFileSync, spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { existsSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs'
import { appendFile, lstat, mkdir, mkdtemp, readdir, readFile, realpath, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { availableParallelism, constants, tmpdir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { promisify } from 'node:util'
import { PerfgateError } from '../common/errors.js'
import { loadConfig } from '../config/config.js'
import { allowedCpuList } from '../machine/state.js'
import { defaultPairedAlpha, defaultPairedThreshold, pairedConfidence, pairsNeeded } from '../gate/paired.js'
import { analyzeAb, abTable } from '../report/ab.js'
import type { AbPair, AbResult } from '../report/ab.js'
import { escapeMarkdown } from '../report/escape.js'
import { formatDuration } from '../report/format.js'
import { renderMarkdownTables } from '../report/markdown.js'
import type { RunReport } from '../report/model.js'
import { renderTerminalTables } from '../report/terminal.js'
import { buildRunReport } from '../report/build.js'
import { reportFileNames } from '../report/write.js'
import { numberOption, parseCommandArgs, readRunReports, UsageError } from './common.js'
import type { CliIo } from './common.js'

const run = promisify(execFile)

export const abUsage = `Usage: perfgate ab --base <git-ref> [options] -- <test command…>

Measures the base and the working tree (head) on this machine, alternately, in fresh processes,
and decides each perf assertion on the paired runs. For a pull request:

  perfgate ab --base origin/main -- npx vitest run --project perf

The base is checked out in a temporary git worktree and installed there (its node_modules
reused from head's when the lockfiles are equal). The test command runs in measure-only mode
(PERFGATE_MODE=measure): toMatchBaseline measures and reports, and no baseline file is read or
written; toRespondWithin and toSustainSuccessRate still check their budgets, and their latency
(the statistic toRespondWithin checks, a load run's p95) is compared too. Each entry's change is the Hodges–Lehmann estimate over the pairs' log ratios; a
regression needs the exact signed-rank test at --alpha, the interval of the change (two-sided,
1 − 2 × alpha) above zero, and the change beyond --threshold.

Options:
  --base <ref>          the commit to compare with (a branch, tag or sha); required
  --runs <n>            pairs of runs to start with (default 8); these always run in full
  --max-time <seconds>  while a verdict is inconclusive, more pairs run (up to 3 × --runs) while
                        one more fits in this much time in all (default 900); it does not cut
                        the first --runs pairs short
  --threshold <ratio>   the smallest slowdown that counts (default ${defaultPairedThreshold})
  --alpha <p>           significance level (default ${defaultPairedAlpha})
  --install <command>   how to install the base when its lockfile differs (default by lockfile:
                        npm ci, pnpm install --frozen-lockfile, yarn install --frozen-lockfile,
                        bun install --frozen-lockfile)
  --out <file>          where the Markdown goes (default <report.dir>/perfgate-ab.md); it is also
                        appended to $GITHUB_STEP_SUMMARY when that is set
  --cpu <n|none>        the CPU every run is pinned to, with taskset (Linux; default: the last
                        one). Unpinned, a process lands in a fast or a slow mode of the machine
                        at random, up to 58% apart; pinned, runs agreed within 2% here
  --json <file>         also write every entry's paired values and verdict as JSON
  --allow-dirty         measure a working tree with uncommitted changes to tracked files as head
  -h, --help            show this help

Exit codes: 0 no regression, 1 a regression (or the command failed on head), 2 bad usage, a ref
that does not exist, a dirty working tree, or the command failed on the base.
`

/** A failure of the run, with the exit code it means. */
class AbFailure extends Error {
  constructor(
    message: string,
    readonly code: 1 | 2,
  ) {
    super(message)
  }
}

interface Side {
  readonly name: 'base' | 'head'
  /** Where the test command runs. */
  readonly cwd: string
  /** The run report the command writes. */
  readonly reportFile: string
}

const lockfiles = [
  ['package-lock.json', 'npm ci'],
  ['npm-shrinkwrap.json', 'npm ci'],
  ['pnpm-lock.yaml', 'pnpm install --frozen-lockfile'],
  ['yarn.lock', 'yarn install --frozen-lockfile'],
  ['bun.lock', 'bun install --frozen-lockfile'],
] as const

function positiveInteger(name: string, value: string | undefined, fallback: number): number {
  return numberOption(name, value, (x) => Number.isInteger(x) && x >= 1, 'a whole number of at least 1') ?? fallback
}

function ratio(name: string, value: string | undefined, fallback: number, max: number): number {
  return numberOption(name, value, (x) => x > 0 && x < max, `a number above 0 and below ${max}`) ?? fallback
}

async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('git', args, { cwd, maxBuffer: 64 * 1024 * 1024 })
  return stdout
}

/** The last lines of a command's output, for a failure message. */
function tail(text: string, lines = 60): string {
  const all = text.trimEnd().split('\n')
  return (all.length > lines ? [`… (${all.length - lines} lines before)`, ...all.slice(-lines)] : all).join('\n')
}

/** Runs `ab`; resolves to the exit code. */
export async function abCommand(args: readonly string[], io: CliIo): Promise<number> {
  const split = args.indexOf('--')
  const { values, positionals } = parseCommandArgs(split === -1 ? args : args.slice(0, split), {
    base: { type: 'string' },
    runs: { type: 'string' },
    'max-time': { type: 'string' },
    threshold: { type: 'string' },
    alpha: { type: 'string' },
    install: { type: 'string' },
    out: { type: 'string' },
    json: { type: 'string' },
    'allow-dirty': { type: 'boolean' },
    cpu: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  })
  if (values.help === true) {
    io.stdout.write(abUsage)
    return 0
  }
  if (positionals.length > 0) throw new UsageError(`ab takes the test command after --, not "${positionals.join(' ')}"`)
  const command = split === -1 ? [] : args.slice(split + 1)
  if (command.length === 0) throw new UsageError('ab needs the test command after --, e.g. perfgate ab --base origin/main -- npx vitest run')
  if (values.base === undefined || values.base === '') throw new UsageError('ab needs --base <git-ref>, the commit to compare with')
  const options = {
    base: values.base,
    runs: positiveInteger('runs', values.runs, 8),
    maxTimeMs: positiveInteger('max-time', values['max-time'], 900) * 1000,
    threshold: ratio('threshold', values.threshold, defaultPairedThreshold, 10),
    alpha: ratio('alpha', values.alpha, defaultPairedAlpha, 0.25),
    install: values.install,
    out: values.out,
    json: values.json,
    allowDirty: values['allow-dirty'] === true,
    cpu: cpuOption(values.cpu),
  }
  if (process.platform === 'win32') {
    io.stderr.write('perfgate ab: not supported on Windows yet (it runs the test command with sh and stops it by process group); run it on Linux or macOS, e.g. in CI\n')
    return 2
  }
  if (3 * options.runs < pairsNeeded(options.alpha)) {
    throw new UsageError(`--runs ${options.runs} can never decide at --alpha ${options.alpha}: even 3 × ${options.runs} pairs are fewer than the ${pairsNeeded(options.alpha)} the test needs`)
  }
  try {
    return await abRun(command, options, io)
  } catch (error) {
    // Anything else that went wrong is not a regression: exit 2, never 1.
    const message = error instanceof AbFailure ? error.message : error instanceof Error ? error.message : String(error)
    io.stderr.write(`perfgate ab: ${message}\n`)
    return error instanceof AbFailure ? error.code : 2
  }
}

/** `--cpu`: a CPU number, `none`, or unset (the last CPU, where taskset runs). */
function cpuOption(value: string | undefined): number | 'none' | 'default' {
  if (value === undefined) return 'default'
  if (value === 'none') return 'none'
  const cpu = Number(value)
  if (!Number.isInteger(cpu) || cpu < 0) throw new UsageError(`--cpu must be a CPU number (0, 1, …) or none, not "${value}"`)
  return cpu
}

/**
 * The command as it runs: pinned to one CPU with taskset where it can be. Processes of this
 * machine land in one of two speeds (the CPU they start on and move between, caches, SMT
 * siblings): unpinned, pairs of identical runs differed by up to 58%; pinned, within 2%.
 */
async function pinned(command: readonly string[], cpu: AbOptions['cpu'], io: CliIo): Promise<readonly string[]> {
  if (cpu === 'none') return command
  const chosen = cpu === 'default' ? await lastAllowedCpu() : cpu
  const works = await run('taskset', ['-c', String(chosen), 'true']).then(
    () => true,
    () => false,
  )
  if (works) {
    io.stderr.write(`perfgate ab: every run pinned to CPU ${chosen} (taskset -c ${chosen}; --cpu to choose, --cpu none for none)\n`)
    return ['taskset', '-c', String(chosen), ...command]
  }
  if (cpu !== 'default') throw new AbFailure(`cannot pin the runs to CPU ${chosen}: taskset -c ${chosen} failed (is util-linux installed, and is that CPU available?)`, 2)
  io.stderr.write('perfgate ab: runs are not pinned to a CPU (no taskset here): processes may land in fast and slow modes, which only more pairs can average out\n')
  return command
}

/** The highest CPU this process may run on (Linux: /proc/self/status), else the last of the machine's. */
async function lastAllowedCpu(): Promise<number> {
  const status = await readFile('/proc/self/status', 'utf8').catch(() => '')
  const allowed = allowedCpuList(status) ?? []
  return allowed.length > 0 ? Math.max(...allowed) : availableParallelism() - 1
}

interface AbOptions {
  readonly base: string
  readonly runs: number
  readonly maxTimeMs: number
  readonly threshold: number
  readonly alpha: number
  readonly install: string | undefined
  readonly out: string | undefined
  readonly json: string | undefined
  readonly allowDirty: boolean
  readonly cpu: number | 'none' | 'default'
}

async function abRun(given: readonly string[], options: AbOptions, io: CliIo): Promise<number> {
  const started = performance.now()
  const cwd = process.cwd()
  const top = (await git(cwd, 'rev-parse', '--show-toplevel').catch(() => {
    throw new AbFailure(`${cwd} is not in a git repository: ab checks the base out with git`, 2)
  })).trim()
  const commit = (
    await git(cwd, 'rev-parse', '--verify', '--quiet', `${options.base}^{commit}`).catch(() => {
      throw new AbFailure(`no commit "${options.base}" in this repository (in CI, fetch it first: git fetch origin ${options.base.replace(/^origin\//, '')})`, 2)
    })
  ).trim()
  if (!options.allowDirty) {
    const dirty = (await git(top, 'status', '--porcelain', '--untracked-files=no')).trimEnd()
    if (dirty !== '') {
      throw new AbFailure(`the working tree has uncommitted changes to tracked files, so head is not a commit:\n${tail(dirty, 20)}\nCommit or stash them, or pass --allow-dirty to measure the working tree as it is.`, 2)
    }
  }
  const config = await loadConfig(cwd).catch((error: unknown) => {
    throw new AbFailure(error instanceof Error ? error.message : String(error), 2)
  })
  const reportFile = (root: string): string => join(resolve(root, config.report.dir), reportFileNames.json)
  const subdir = relative(top, cwd)
  const gitDir = resolve(top, (await git(top, 'rev-parse', '--git-common-dir')).trim())
  // Its real path, as git writes it in the worktree's entry (macOS's /var is /private/var).
  const scratch = await realpath(await mkdtemp(join(await scratchParent(top, gitDir), 'perfgate-ab-')))
  const tree = join(scratch, 'base')
  const head: Side = { name: 'head', cwd, reportFile: reportFile(cwd) }
  const base: Side = { name: 'base', cwd: join(tree, subdir), reportFile: reportFile(join(tree, subdir)) }
  const restoreReports = keepReports(dirname(head.reportFile), (message) => io.stderr.write(`perfgate ab: ${message}\n`))
  let adding: ChildProcess | undefined

  let child: ChildProcess | undefined
  let cleaned = false
  const cleanUpNow = (): void => {
    if (cleaned) return
    cleaned = true
    if (adding?.pid !== undefined) killGroup(adding.pid)
    restoreReports()
    try {
      // Twice forced: also a worktree still locked by an add that was cut short.
      execFileSync('git', ['worktree', 'remove', '--force', '--force', tree], { cwd: top, stdio: 'ignore' })
    } catch {
      // Not added yet, or already gone: the folder and its entry are removed below either way.
    }
    rmSync(scratch, { recursive: true, force: true })
    // The git folder's perfgate-ab/, when ab made it for this run and nothing else is in it.
    const inGit = join(gitDir, 'perfgate-ab')
    if (dirname(scratch) === inGit) rmdirQuietly(inGit)
    // Only this worktree's administrative entry (git names it after the folder), not the user's other stale ones.
    const admin = join(gitDir, 'worktrees', 'base')
    if (existsSync(admin) && !existsSync(join(tree, '.git'))) {
      const pointsHere = readFileSync(join(admin, 'gitdir'), { encoding: 'utf8', flag: 'r' }).trim() === join(tree, '.git')
      if (pointsHere) rmSync(admin, { recursive: true, force: true })
    }
  }
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const
  const onSignal = (signal: NodeJS.Signals): void => {
    if (child?.pid !== undefined) killGroup(child.pid)
    cleanUpNow()
    io.stderr.write(`\nperfgate ab: stopped by ${signal}; the base's worktree is removed\n`)
    process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGHUP' ? 1 : 15))
  }
  for (const signal of signals) process.once(signal, onSignal)
  try {
    io.stderr.write(`perfgate ab: base ${options.base} (${commit.slice(0, 12)}) in a temporary worktree\n`)
    // Without the repository's hooks: a post-checkout hook (husky, LFS) is not the comparison's business.
    const added = await spawnCommand('git', ['-c', 'core.hooksPath=/dev/null', 'worktree', 'add', '--detach', '--quiet', tree, commit], top, {}, (process) => (adding = process))
    adding = undefined
    if (added.code !== 0) throw new AbFailure(`could not check out ${options.base} in a worktree:\n${tail(added.output)}`, 2)
    if (!existsSync(base.cwd)) throw new AbFailure(`${subdir} does not exist in ${options.base}: run ab from a folder both commits have`, 2)
    await installBase(top, tree, cwd, commit, options.install, io, (process) => (child = process))
    const command = await pinned(given, options.cpu, io)

    const pairs: AbPair[] = []
    const runPair = async (index: number): Promise<void> => {
      const order = index % 2 === 0 ? [base, head] : [head, base]
      const reports: Partial<Record<Side['name'], RunReport>> = {}
      const times: string[] = []
      for (const side of order) {
        const t0 = performance.now()
        reports[side.name] = await runSide(side, command, (process) => (child = process))
        times.push(`${side.name} ${formatDuration(performance.now() - t0)}`)
      }
      pairs.push({ base: reports.base as RunReport, head: reports.head as RunReport })
      io.stderr.write(`perfgate ab: pair ${pairs.length}: ${times.join(', ')}\n`)
    }
    await runPair(0)
    let result = analyzeAb(pairs, options)
    // Nothing both sides measured: more pairs cannot change that (a pull request adding the first perf tests, say).
    if (result.entries.length > 0) {
      for (let index = 1; index < options.runs; index++) await runPair(index)
      result = analyzeAb(pairs, options)
    } else if (result.headOnly.length === 0) {
      throw new AbFailure('no perf assertion ran on head or base: the test command reported none', 2)
    }
    // More pairs while a verdict is open: up to three times --runs, as long as one more pair fits in --max-time.
    const pairTime = (performance.now() - started) / pairs.length
    const open = (): boolean => result.entries.some((entry) => entry.comparison.verdict === 'inconclusive' && entry.base.length > 0)
    while (open() && pairs.length < 3 * options.runs && performance.now() - started + pairTime <= options.maxTimeMs) {
      await runPair(pairs.length)
      result = analyzeAb(pairs, options)
    }
    const headCommit = (await git(top, 'rev-parse', '--verify', '--quiet', 'HEAD').catch(() => '')).trim()
    const headShown = headCommit === '' ? 'head' : `head (${options.allowDirty ? 'the working tree on ' : ''}${headCommit.slice(0, 12)})`
    // Before ab writes its own files: an --out among the report names must not be put back over.
    restoreReports()
    return await finish(result, options, commit, headShown, config.report.dir, cwd, io, performance.now() - started)
  } finally {
    for (const signal of signals) process.removeListener(signal, onSignal)
    cleanUpNow()
  }
}

/**
 * Keeps head's report files as they are now, for the function it returns to put back (once):
 * head's measure-only runs write over them, and a user's last real run's report is not ab's to
 * replace. Files that were not there are removed again.
 */
function keepReports(dir: string, warn: (message: string) => void): () => void {
  const kept = Object.values(reportFileNames).map((name) => {
    const file = join(dir, name)
    try {
      return { file, bytes: readFileSync(file) as Buffer | null }
    } catch {
      return { file, bytes: null }
    }
  })
  let restored = false
  return () => {
    if (restored) return
    restored = true
    for (const { file, bytes } of kept) {
      try {
        if (bytes === null) rmSync(file, { force: true })
        else writeFileSync(file, bytes)
      } catch (error) {
        warn(`could not put ${file} back as it was before ab: ${error instanceof Error ? error.message : String(error)}`)
      }
    }
  }
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL')
  } catch {
    // Already gone.
  }
}

/** Installs the base: head's node_modules when the lockfiles are equal, else the install command. */
async function installBase(top: string, tree: string, cwd: string, commit: string, install: string | undefined, io: CliIo, started: (child: ChildProcess) => void): Promise<void> {
  // The lockfile of the project: beside the test command's folder, or at the repository's top.
  const folders = [...new Set([cwd, top])]
  for (const folder of folders) {
    for (const [name, defaultInstall] of lockfiles) {
      const headLock = join(folder, name)
      if (!existsSync(headLock)) continue
      const path = relative(top, headLock)
      const baseLock = await git(top, 'show', `${commit}:${path}`).catch(() => null)
      const baseFolder = join(tree, relative(top, folder))
      const inRepo = await linksIntoRepository(folders, top)
      if (baseLock !== null && baseLock === (await readFile(headLock, 'utf8')) && inRepo === null) {
        await linkNodeModules(folders, top, tree)
        io.stderr.write(`perfgate ab: ${path} is the same on both sides: the base uses head's node_modules\n`)
        return
      }
      const how = install ?? defaultInstall
      const why = inRepo === null ? `${path} differs` : `node_modules links into the repository (${inRepo}: a workspace package, whose base version head's install would hide)`
      io.stderr.write(`perfgate ab: ${why}: installing the base with ${how}\n`)
      const result = await shell(how, baseFolder, {}, started)
      if (result.code !== 0) throw new AbFailure(`installing the base (${how}) failed with exit code ${result.code}:\n${tail(result.output)}`, 2)
      return
    }
  }
  if (install !== undefined) {
    const result = await shell(install, join(tree, relative(top, cwd)), {}, started)
    if (result.code !== 0) throw new AbFailure(`installing the base (${install}) failed with exit code ${result.code}:\n${tail(result.output)}`, 2)
    return
  }
  await linkNodeModules(folders, top, tree)
  io.stderr.write("perfgate ab: no lockfile found: the base uses head's node_modules (pass --install to install it instead)\n")
}

/** A package in head's node_modules that is a link into the repository (a workspace package, `file:`), or null. */
async function linksIntoRepository(folders: readonly string[], top: string): Promise<string | null> {
  for (const folder of folders) {
    const modules = join(folder, 'node_modules')
    if (!existsSync(modules)) continue
    const names = await readdir(modules)
    const entries = [...names.filter((name) => !name.startsWith('@')).map((name) => join(modules, name))]
    for (const scope of names.filter((name) => name.startsWith('@'))) entries.push(...(await readdir(join(modules, scope)).catch(() => [])).map((name) => join(modules, scope, name)))
    for (const entry of entries) {
      if (!(await lstat(entry)).isSymbolicLink()) continue
      const real = await realpath(entry).catch(() => null)
      const inside = real === null ? null : relative(top, real)
      if (inside !== null && !inside.startsWith('..') && !inside.split(/[\\/]/).includes('node_modules')) return relative(folder, entry)
    }
  }
  return null
}

/** Vite's and other tools' caches stay each tree's own: a shared one served a stale transform. */
const ownCaches = new Set(['.vite', '.vite-temp', '.cache', '.vitest'])

/** The base's node_modules: a folder of links to each of head's packages, caches left out. */
async function linkNodeModules(folders: readonly string[], top: string, tree: string): Promise<void> {
  for (const folder of folders) {
    const modules = join(folder, 'node_modules')
    const target = join(tree, relative(top, folder), 'node_modules')
    if (!existsSync(modules) || existsSync(target)) continue
    await mkdir(target, { recursive: true })
    for (const name of await readdir(modules)) {
      if (!ownCaches.has(name)) await symlink(join(modules, name), join(target, name))
    }
  }
}

/** The output kept of a command: its last 256 KiB. */
const keptOutput = 256 * 1024

function shell(commandLine: string, cwd: string, env: NodeJS.ProcessEnv, started: (child: ChildProcess) => void): Promise<{ code: number; output: string }> {
  return spawnCommand('sh', ['-c', commandLine], cwd, env, started)
}

function spawnCommand(file: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv, started: (child: ChildProcess) => void): Promise<{ code: number; output: string }> {
  return new Promise((resolvePromise, reject) => {
    const merged: NodeJS.ProcessEnv = { ...process.env, ...env }
    for (const [key, value] of Object.entries(merged)) if (value === undefined) delete merged[key]
    const child = spawn(file, args, { cwd, env: merged, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
    started(child)
    let output = ''
    const keep = (chunk: string): void => {
      output += chunk
      if (output.length > keptOutput * 2) output = output.slice(-keptOutput)
    }
    child.stdout.on('data', keep)
    child.stderr.on('data', keep)
    child.stdout.setEncoding('utf8')
    child.stderr.setEncoding('utf8')
    child.once('error', (error) => reject(new AbFailure(`could not start ${file}: ${error.message}`, 2)))
    child.once('exit', (code, signal) => {
      // What the command left running in its group (a server its setup started) goes with it, and must not hold the pipes open.
      if (child.pid !== undefined) killGroup(child.pid)
      const exitCode = code ?? (signal === null ? 1 : 128 + (constants.signals[signal] ?? 0))
      const done = (): void => resolvePromise({ code: exitCode, output })
      const timer = setTimeout(done, 2000)
      child.once('close', () => {
        clearTimeout(timer)
        done()
      })
    })
  })
}

/** Removes an empty folder; leaves one that is not empty (another ab's run), or gone. */
function rmdirQuietly(path: string): void {
  try {
    rmdirSync(path)
  } catch {
    // Not empty, or already gone.
  }
}

/**
 * Where the base's worktree goes: the temp dir when it is on head's file system and outside
 * the project, where no test runner of head looks; else the repository's git folder, on head's
 * disk (a tmpfs /tmp would make the base's file I/O faster than head's) and never committed, but
 * where Jest finds no test (its file crawler skips every path with a /.git/ folder in it).
 */
async function scratchParent(top: string, gitDir: string): Promise<string> {
  const temp = await realpath(tmpdir()).catch(() => null)
  const [tempStat, topStat] = await Promise.all([temp === null ? null : stat(temp).catch(() => null), stat(top)])
  // Not inside the project (a TMPDIR of ./.tmp), where head's runs would find the base's tests.
  const inside = temp !== null && !relative(top, temp).startsWith('..')
  if (temp !== null && tempStat !== null && tempStat.isDirectory() && tempStat.dev === topStat.dev && !inside) return temp
  const inGit = join(gitDir, 'perfgate-ab')
  await mkdir(inGit, { recursive: true })
  return inGit
}

/** One run of the test command on one side, in measure-only mode; its run report. */
async function runSide(side: Side, command: readonly string[], started: (child: ChildProcess) => void): Promise<RunReport> {
  await rm(side.reportFile, { force: true })
  const env: NodeJS.ProcessEnv = {
    PERFGATE_MODE: 'measure',
    // A perfgate on the base too old for measure-only mode still writes no baseline file.
    PERFGATE_UPDATE: 'none',
    // Each run's summary would land in the job's; ab writes its own.
    GITHUB_STEP_SUMMARY: '',
    // Each tree is its own project root; one inherited from the caller would send the base's files into head's.
    PERFGATE_ROOT: undefined,
  }
  const result = await spawnCommand(command[0] as string, command.slice(1), side.cwd, env, started)
  // Jest's crawler skips paths with a /.git/ folder: the base's worktree is there when the temp dir is on another disk.
  const jestBlind = side.name === 'base' && side.cwd.split(/[\\/]/).includes('.git') && /No tests found/.test(result.output)
  const jestBlindHint =
    "The base was checked out under the repository's .git folder (the temp dir is on another disk), where Jest finds no test: " +
    "set TMPDIR to a folder on the repository's disk, outside the project."
  if (result.code !== 0) {
    const what = side.name === 'base' ? 'the base' : 'head'
    throw new AbFailure(`the test command failed on ${what} (exit code ${result.code}):\n${tail(result.output)}${jestBlind ? `\n${jestBlindHint}` : ''}`, side.name === 'base' ? 2 : 1)
  }
  if (!existsSync(side.reportFile)) {
    // With --passWithNoTests Jest exits 0 there: the base would look like one without perf tests.
    if (jestBlind) throw new AbFailure(`the test command found no test on the base:\n${tail(result.output)}\n${jestBlindHint}`, 2)
    // A base from before perfgate, or before its first perf test, reports nothing: nothing to compare there.
    if (side.name === 'base') return buildRunReport({ runner: { name: 'vitest', version: null }, rootDir: side.cwd, records: [] })
    throw new AbFailure(
      `the test command wrote no run report on ${side.name} (${side.reportFile}): is perfgate's reporter in the run (the Vitest plugin, or perfgate/jest-reporter), with "json" in report.formats?\n${tail(result.output, 20)}`,
      2,
    )
  }
  try {
    const [report] = await readRunReports([side.reportFile])
    return report as RunReport
  } catch (error) {
    if (error instanceof PerfgateError) throw new AbFailure(error.message, 2)
    throw error
  }
}

/** Prints the table, writes the Markdown, and decides the exit code. */
async function finish(result: AbResult, options: AbOptions, commit: string, headShown: string, reportDir: string, cwd: string, io: CliIo, elapsedMs: number): Promise<number> {
  const table = abTable(result, pairedConfidence(options.alpha))
  const regressed = result.entries.filter((entry) => entry.comparison.verdict === 'regressed').length
  const inconclusive = result.entries.filter((entry) => entry.comparison.verdict === 'inconclusive').length
  const summary =
    `${regressed === 0 ? 'no regression' : `${regressed} regressed`}` +
    `${inconclusive === 0 ? '' : `, ${inconclusive} inconclusive`} in ${result.entries.length} ${result.entries.length === 1 ? 'entry' : 'entries'} · base ${options.base} (${commit.slice(0, 12)}) vs ${headShown} · ${result.pairs} pairs in ${formatDuration(elapsedMs)}`
  const notes = [
    ...(result.headOnly.length === 0 ? [] : [`only on head (not compared): ${result.headOnly.join(', ')}`]),
    ...(result.baseOnly.length === 0 ? [] : [`only on the base (not compared): ${result.baseOnly.join(', ')}`]),
    ...(result.pairs < pairsNeeded(options.alpha) ? [`${result.pairs} pairs cannot reach p < ${options.alpha}: use --runs ${pairsNeeded(options.alpha)} or more`] : []),
  ]
  const color = typeof io.stdout.hasColors === 'function' && io.stdout.hasColors()
  io.stdout.write(renderTerminalTables(summary, [table], notes, { color, ...(io.stdout.columns === undefined ? {} : { width: io.stdout.columns }) }))
  const markdown = renderMarkdownTables(`## perfgate ab\n\n${escapeMarkdown(summary)}`, [table], notes, { maxLength: 65_000 })
  const out = options.out ?? join(resolve(cwd, reportDir), 'perfgate-ab.md')
  await mkdir(dirname(out), { recursive: true })
  await writeFile(out, markdown)
  io.stdout.write(`perfgate ab: Markdown in ${relative(cwd, out) || out}\n`)
  if (options.json !== undefined) {
    await mkdir(dirname(resolve(options.json)), { recursive: true })
    await writeFile(options.json, `${JSON.stringify(abJson(result, options, commit, elapsedMs), null, 2)}\n`)
  }
  const summaryFile = process.env['GITHUB_STEP_SUMMARY']
  if (summaryFile !== undefined && summaryFile !== '') {
    await appendFile(summaryFile, `${markdown}\n`).catch((error: unknown) => io.stderr.write(`perfgate ab: could not append to $GITHUB_STEP_SUMMARY (${summaryFile}): ${(error as Error).message}\n`))
  }
  return regressed > 0 ? 1 : 0
}

/** `--json`: what was compared and decided, for scripts (and `npm run bench:ab`). */
function abJson(result: AbResult, options: AbOptions, commit: string, elapsedMs: number): unknown {
  return {
    base: { ref: options.base, commit },
    pairs: result.pairs,
    elapsedMs: Math.round(elapsedMs),
    threshold: options.threshold,
    alpha: options.alpha,
    entries: result.entries.map((entry) => ({
      name: entry.name,
      kind: entry.kind,
      testFile: relative(entry.report.rootDir, entry.record.testFile),
      statistic: entry.statistic,
      verdict: entry.comparison.verdict,
      change: entry.comparison.change,
      interval: entry.comparison.interval,
      pValue: entry.comparison.pValue,
      reason: entry.comparison.reason,
      base: entry.base,
      head: entry.head,
      successRates: entry.successRates,
    })),
    headOnly: result.headOnly,
    baseOnly: result.baseOnly,
  }
}
