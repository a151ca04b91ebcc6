/**
 * `perfgate ab` against stored baselines, on the same code, on this machine.
 *
 *   npm run bench:ab                      (builds first; about 30–60 minutes)
 *   SCALES=1,1.25 TRIALS=1 npm run bench:ab
 *
 * A scratch git repository holds a copy of the quality suite (bench/suite/: csv-parse, marked,
 * a localeCompare sort, a JSON round trip and a square-root loop as functions; three endpoints
 * doing real work on a server in another process, and the fixture server's /fast). Its `main`
 * has the workloads at scale 1; for each scale of SCALES a branch multiplies every workload
 * (/fast excepted) by it: 1 is A/A. For each scale and trial:
 *
 * - `perfgate ab --base main --json …` on the branch, at its defaults (RUNS pairs, pinned);
 * - the stored-baseline gate on the same code: baselines recorded the default way (one plain
 *   local run on main), then the branch judged with CI=true in one fresh run, unpinned.
 *
 * It prints, per scale, the verdict counts of both over the entries that the scale slows down
 * (/fast is counted only for A/A), the pairs and the time `ab` took, and the targets of the
 * issue (A/A: no `regressed`; 1.1×: ≥ 80% caught; 1.25×: ≥ 95%). It is a report, not a test:
 * it always exits 0.
 *
 * Settings (environment): SCALES ("1,1.05,1.1,1.25"), TRIALS (1), RUNS (8: ab's --runs),
 * MAX_TIME (900: ab's --max-time, seconds), OUT_DIR (.tmp/bench-ab/<time>).
 */
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import type { RunReport } from '../src/report/model.js'

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..')
const suiteDir = join(repoRoot, 'bench', 'suite')
const vitestBin = join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs')
const perfgateBin = join(repoRoot, 'bin', 'perfgate.js')

function setting(name: string, fallback: string): string {
  const raw = process.env[name]
  return raw === undefined || raw === '' ? fallback : raw
}

const scales = setting('SCALES', '1,1.05,1.1,1.25')
  .split(',')
  .map((text) => {
    const value = Number(text)
    if (!(value > 0)) throw new Error(`SCALES must be positive numbers, got ${JSON.stringify(text)}`)
    return value
  })
const trials = Number(setting('TRIALS', '1'))
const runs = setting('RUNS', '8')
const maxTime = setting('MAX_TIME', '900')
// Inside the package, so that `perfgate`, vitest and the suite's libraries resolve from its node_modules.
const outDir = setting('OUT_DIR', join(repoRoot, '.tmp', 'bench-ab', new Date().toISOString().replace(/[:.]/g, '-')))
const repo = join(outDir, 'repo')

function sh(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; allowFailure?: boolean } = {}): { code: number; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { cwd: options.cwd ?? repo, env: { ...process.env, ...options.env }, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
  const code = result.status ?? 1
  if (code !== 0 && options.allowFailure !== true) {
    throw new Error(`${command} ${args.join(' ')} exited ${code}\n${result.stdout.slice(-4000)}\n${result.stderr.slice(-4000)}`)
  }
  return { code, stdout: result.stdout, stderr: result.stderr }
}

const git = (...args: string[]): string => sh('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@localhost', ...args]).stdout

/** The suite, copied flat into the scratch repository, with the workloads at `scale`. */
function writeSuite(scale: number): void {
  for (const file of readdirSync(suiteDir).filter((name) => name.endsWith('.ts'))) {
    let text = readFileSync(join(suiteDir, file), 'utf8')
    text = text.replaceAll("'../../fixtures/server.js'", JSON.stringify(join(repoRoot, 'fixtures', 'server.js')))
    text = text.replaceAll("'../../src/stats/index.js'", JSON.stringify(join(repoRoot, 'src', 'stats', 'index.js')))
    // The global setup starts the suite's server from the package root, where tsx resolves.
    text = text.replace("const repoRoot = join(suiteDir, '..', '..')", `const repoRoot = ${JSON.stringify(repoRoot)}`)
    if (file === 'workloads.ts') {
      const line = "export const qualityScale: number = readScale(process.env['QUALITY_SCALE'])"
      if (!text.includes(line)) throw new Error('bench/suite/workloads.ts no longer reads its scale as this benchmark expects')
      text = text.replace(line, `export const qualityScale: number = readScale(${JSON.stringify(String(scale))})`)
    }
    writeFileSync(join(repo, file), text)
  }
}

interface Counts {
  regressed: number
  inconclusive: number
  unchanged: number
  improved: number
  other: number
}

function emptyCounts(): Counts {
  return { regressed: 0, inconclusive: 0, unchanged: 0, improved: 0, other: 0 }
}

function tally(counts: Counts, verdict: string): void {
  if (verdict === 'regressed' || verdict === 'inconclusive' || verdict === 'unchanged' || verdict === 'improved') counts[verdict]++
  else counts.other++
}

/** /fast does no work: a planted slowdown does not reach it. */
const scaled = (name: string, scale: number): boolean => scale === 1 || !name.includes('/fast')

const vitest = (env: NodeJS.ProcessEnv): { code: number; stdout: string; stderr: string } =>
  sh(process.execPath, [vitestBin, 'run', '--config', 'vitest.config.ts'], { env: { QUALITY_RECORDS_DIR: '', ...env }, allowFailure: true })

interface Row {
  scale: number
  ab: Counts
  stored: Counts
  pairs: number[]
  seconds: number[]
}

function main(): void {
  if (!existsSync(join(repoRoot, 'dist', 'cli.js'))) throw new Error('build first: npm run build')
  mkdirSync(join(repo, 'node_modules'), { recursive: true })
  // The project's install: this package's dependencies and perfgate itself (ab gives the base's worktree the same).
  // Vite's caches (.vite, .vite-temp) stay the scratch project's own: one shared with this package's runs served a stale transform.
  for (const name of readdirSync(join(repoRoot, 'node_modules')).filter((entry) => !entry.startsWith('.vite'))) {
    symlinkSync(join(repoRoot, 'node_modules', name), join(repo, 'node_modules', name))
  }
  if (!existsSync(join(repo, 'node_modules', 'perfgate'))) symlinkSync(repoRoot, join(repo, 'node_modules', 'perfgate'))
  writeFileSync(join(repo, '.gitignore'), 'node_modules\n.perfgate/\nbaselines*/\n.tmp/\n')
  writeFileSync(join(repo, 'package.json'), `${JSON.stringify({ name: 'bench-ab-suite', private: true, type: 'module' }, null, 2)}\n`)
  writeSuite(1)
  git('init', '-q', '-b', 'main')
  git('add', '-A')
  git('commit', '-q', '-m', 'the suite at scale 1')
  const rows: Row[] = []
  const started = performance.now()
  for (let trial = 1; trial <= trials; trial++) {
    for (const scale of scales) {
      const row = rows.find((candidate) => candidate.scale === scale) ?? { scale, ab: emptyCounts(), stored: emptyCounts(), pairs: [], seconds: [] }
      if (!rows.includes(row)) rows.push(row)
      const branch = `scale-${scale}-${trial}`
      git('checkout', '-q', '-b', branch, 'main')
      writeSuite(scale)
      git('commit', '-q', '--allow-empty', '-am', `the suite at scale ${scale}`)

      // perfgate ab, at its defaults.
      const json = join(outDir, `ab-${scale}-${trial}.json`)
      const t0 = performance.now()
      const ab = sh(process.execPath, [perfgateBin, 'ab', '--base', 'main', '--runs', runs, '--max-time', maxTime, '--json', json, '--', process.execPath, vitestBin, 'run', '--config', 'vitest.config.ts'], { allowFailure: true })
      const seconds = (performance.now() - t0) / 1000
      writeFileSync(join(outDir, `ab-${scale}-${trial}.log`), `${ab.stdout}\n${ab.stderr}`)
      if (!existsSync(json)) throw new Error(`perfgate ab wrote no JSON (exit ${ab.code}):\n${ab.stderr.slice(-4000)}`)
      const result = JSON.parse(readFileSync(json, 'utf8')) as { pairs: number; entries: { name: string; verdict: string }[] }
      for (const entry of result.entries) if (scaled(entry.name, scale)) tally(row.ab, entry.verdict)
      row.pairs.push(result.pairs)
      row.seconds.push(seconds)

      // The stored-baseline gate on the same code: one plain local run on main records, the branch is judged in CI.
      const baselineDir = join(repo, `baselines-${scale}-${trial}`)
      git('checkout', '-q', 'main')
      vitest({ QUALITY_BASELINE_DIR: baselineDir, PERFGATE_UPDATE: 'new', CI: '' })
      git('checkout', '-q', branch)
      rmSync(join(repo, '.perfgate'), { recursive: true, force: true })
      vitest({ QUALITY_BASELINE_DIR: baselineDir, CI: 'true' })
      const reportFile = join(repo, '.perfgate', 'perfgate-report.json')
      const report = JSON.parse(readFileSync(reportFile, 'utf8')) as RunReport
      copyFileSync(reportFile, join(outDir, `stored-${scale}-${trial}.json`))
      for (const record of report.records) if (record.kind === 'baseline' && scaled(record.key, scale)) tally(row.stored, record.verdict)
      git('checkout', '-q', 'main')
      process.stdout.write(`scale ${scale} trial ${trial}: ab ${JSON.stringify(row.ab)} in ${result.pairs} pairs, ${seconds.toFixed(0)} s; stored ${JSON.stringify(row.stored)}\n`)
    }
  }

  const share = (counts: Counts): string => {
    const total = counts.regressed + counts.inconclusive + counts.unchanged + counts.improved + counts.other
    return `${counts.regressed} / ${counts.inconclusive} / ${counts.unchanged}${counts.improved + counts.other > 0 ? ` (+${counts.improved} improved, ${counts.other} other)` : ''} of ${total}`
  }
  const caught = (counts: Counts): number => {
    const total = counts.regressed + counts.inconclusive + counts.unchanged + counts.improved + counts.other
    return total === 0 ? 0 : counts.regressed / total
  }
  const lines = [
    '',
    `perfgate ab vs stored baselines, ${trials} trial(s), RUNS=${runs}, MAX_TIME=${maxTime} s, ${((performance.now() - started) / 60_000).toFixed(1)} min in all`,
    '',
    '| scale | perfgate ab: regressed / inconclusive / unchanged | pairs | time per ab | stored baselines: regressed / inconclusive / unchanged |',
    '|---|---|---|---|---|',
    ...rows.map(
      (row) =>
        `| ${row.scale}× | ${share(row.ab)} | ${row.pairs.join(', ')} | ${row.seconds.map((s) => `${(s / 60).toFixed(1)} min`).join(', ')} | ${share(row.stored)} |`,
    ),
    '',
  ]
  const target = (scale: number, test: (row: Row) => boolean, what: string): void => {
    const row = rows.find((candidate) => candidate.scale === scale)
    if (row !== undefined) lines.push(`- ${what}: ${test(row) ? 'PASS' : 'FAIL'} (ab ${(caught(row.ab) * 100).toFixed(0)}% regressed; stored ${(caught(row.stored) * 100).toFixed(0)}%)`)
  }
  target(1, (row) => row.ab.regressed === 0, 'A/A: no false regression from ab')
  target(1.1, (row) => caught(row.ab) >= 0.8, '1.1×: ab catches ≥ 80%')
  target(1.25, (row) => caught(row.ab) >= 0.95, '1.25×: ab catches ≥ 95%')
  lines.push('', `Logs, ab JSON and the stored gate's reports: ${outDir}`, '')
  process.stdout.write(lines.join('\n'))
  writeFileSync(join(outDir, 'summary.md'), lines.join('\n'))
}

main()
