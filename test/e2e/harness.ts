/**
 * End-to-end harness: install the packed package into a fixture project (as a new user would)
 * and run commands there. POSIX only (process groups, `node_modules/.bin` shebang scripts).
 */
import { spawn } from 'node:child_process'
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, delimiter, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const projectsDir = fileURLToPath(new URL('../../fixtures/projects/', import.meta.url))

export interface CommandResult {
  /** Exit code, or null when the process ended by a signal. */
  readonly code: number | null
  readonly signal: string | null
  readonly stdout: string
  readonly stderr: string
  /** True when `timeoutMs` passed and the process group was killed. */
  readonly timedOut: boolean
}

export interface RunCommandOptions {
  readonly cwd: string
  /** Added to (or, with `undefined`, removed from) the inherited environment. */
  readonly env?: Record<string, string | undefined>
  /** Kill the whole process group after this many ms (default 120 000). */
  readonly timeoutMs?: number
  /** A Node executable to put first on PATH, so `#!/usr/bin/env node` scripts run with it. */
  readonly node?: string
}

/**
 * Inherited variables that would make a nested runner think it is a worker of ours, or change
 * its mode (`VITEST_*` go too). `CI` and the CI providers' markers go unless `env` sets them: a
 * nested run must not, e.g., write GitHub annotations for failures that are expected.
 */
const strippedEnv = [
  'VITEST',
  'TEST',
  'NODE_ENV',
  'JEST_WORKER_ID',
  // What Vite puts in a Vitest worker's process.env (import.meta.env), and Vitest's TTY override.
  'MODE',
  'DEV',
  'PROD',
  'SSR',
  'BASE_URL',
  'FORCE_TTY',
  'CI',
  'CONTINUOUS_INTEGRATION',
  'GITHUB_ACTIONS',
  'GITLAB_CI',
  'BUILDKITE',
  'CIRCLECI',
  'TRAVIS',
  'TF_BUILD',
  'JENKINS_URL',
  // npm sets these for scripts; the nested npm must find the fixture project, not this one.
  'npm_config_local_prefix',
  'npm_package_json',
  'npm_lifecycle_event',
  'npm_lifecycle_script',
  'npm_command',
  'INIT_CWD',
]

/** The environment `runCommand` gives a command: this process's, without `strippedEnv`, with `options.env` and `options.node`. */
export function childEnv(options: RunCommandOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env }
  for (const name of strippedEnv) delete env[name]
  for (const name of Object.keys(env)) if (name.startsWith('VITEST_') || name.startsWith('npm_package_')) delete env[name]
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[name]
    else env[name] = value
  }
  if (options.node !== undefined) env['PATH'] = `${dirname(options.node)}${delimiter}${env['PATH'] ?? ''}`
  return env
}

/** Kills a process group, ignoring "no such process". */
function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error
  }
}

/**
 * Runs a command without a shell, in its own process group, and collects its output. On
 * timeout the whole group gets SIGTERM, then SIGKILL 5 s later, and `timedOut` is true. It
 * settles once the process has exited and its output pipes are closed.
 */
export function runCommand(command: string, args: readonly string[], options: RunCommandOptions): Promise<CommandResult> {
  const timeoutMs = options.timeoutMs ?? 120_000
  return new Promise<CommandResult>((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: childEnv(options),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    })
    const stdout: Buffer[] = []
    const stderr: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))

    let timedOut = false
    let forceKill: NodeJS.Timeout | undefined
    const timer = setTimeout(() => {
      if (child.pid === undefined) return
      timedOut = true
      killGroup(child.pid, 'SIGTERM')
      forceKill = setTimeout(() => {
        if (child.pid !== undefined) killGroup(child.pid, 'SIGKILL')
      }, 5_000)
    }, timeoutMs)

    child.once('error', (error) => {
      clearTimeout(timer)
      clearTimeout(forceKill)
      reject(new Error(`could not start ${command}: ${error.message}`, { cause: error }))
    })
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      clearTimeout(forceKill)
      resolve({
        code,
        signal,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        timedOut,
      })
    })
  })
}

/** Removes ANSI escape sequences (colours, cursor moves). */
export function plainText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '')
}

export interface InstallFixtureProjectOptions {
  /** A folder under `fixtures/projects`. */
  readonly template: string
  /** Absolute path of the packed perfgate tarball. */
  readonly tarball: string
  /** The project's other devDependencies, e.g. `{ vitest: '^4.1.0' }`. */
  readonly dependencies: Record<string, string>
}

export interface FixtureProject {
  /** The installed project's folder (under the OS temp dir). */
  readonly dir: string
  remove(): Promise<void>
}

/**
 * Copies `fixtures/projects/<template>` to a fresh temp folder, adds perfgate (from the tarball)
 * and `dependencies` to its devDependencies, and runs `npm install` there.
 */
export async function installFixtureProject(options: InstallFixtureProjectOptions): Promise<FixtureProject> {
  const template = join(projectsDir, options.template)
  const dir = await mkdtemp(join(tmpdir(), `perfgate-e2e-${basename(options.template)}-`))
  const remove = (): Promise<void> => rm(dir, { recursive: true, force: true, maxRetries: 3 })
  try {
    await cp(template, dir, {
      recursive: true,
      filter: (source) => !['node_modules', 'package-lock.json'].includes(basename(source)),
    })
    const manifestPath = join(dir, 'package.json')
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as Record<string, unknown>
    manifest['devDependencies'] = { ...options.dependencies, perfgate: `file:${options.tarball}` }
    await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`)

    const result = await runCommand('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], {
      cwd: dir,
      timeoutMs: 300_000,
    })
    if (result.code !== 0 || result.timedOut) {
      const how = result.timedOut ? 'timed out' : `failed (exit ${result.code}, signal ${result.signal})`
      throw new Error(`npm install in ${dir} ${how}:\n${plainText(result.stderr)}`)
    }
    return { dir, remove }
  } catch (error) {
    await remove()
    throw error
  }
}

/** A Vitest run's test counts, from its plain-text summary line (` Tests  2 failed | 5 passed (7)`). */
export function vitestTestCounts(output: string): { passed: number; failed: number; skipped: number; total: number } | undefined {
  const line = /^\s*Tests\s+(.+?)\s+\((\d+)\)\s*$/m.exec(plainText(output))
  if (line === null) return undefined
  const count = (word: string): number => Number(new RegExp(`(\\d+) ${word}`).exec(line[1] ?? '')?.[1] ?? 0)
  return { passed: count('passed'), failed: count('failed'), skipped: count('skipped'), total: Number(line[2]) }
}
