/**
 * The regression gate on a realistic suite, run the ways real suites run.
 *
 *   npm run bench:quality                     (builds first; defaults: about 15 minutes)
 *   RUNS=1 RUNS_SLOW=1 npm run bench:quality  (a quick check: every scenario once)
 *
 * The suite is bench/suite/: four Vitest files with ten `toMatchBaseline` assertions, six over
 * functions (csv-parse, marked, a localeCompare sort, a JSON round trip, a square-root loop) and
 * four over HTTP latency (`measure()` of three endpoints doing real work on a server in another
 * process, and the bundled fixture server's `/fast`). QUALITY_SCALE multiplies the functions'
 * work: their planted slowdowns. An endpoint's planted slowdown is its latency grown `scale`
 * times, as the issue states the target: each request to it takes (scale − 1) × the latency
 * recorded for it longer (the median of the recording runs' medians; the server spins that
 * long on its CPU, bench/suite/server.ts). ENDPOINT_PLANT=work scales the endpoints' work
 * instead, as runs before session 18 did: with client and server sharing the CPU, that moved
 * their latency by less (a median 1.24–1.44× per run at 1.5×). `/fast` is never slowed.
 *
 * Each trial:
 * 1. records baselines the default way, one plain local run (no CI, update mode `new`): the
 *    **one-run** baselines; a copy of them then gets ADD_RUNS more local runs with
 *    PERFGATE_RECORD=add: the **multi-run** baselines;
 * 2. judges unchanged code (QUALITY_SCALE=1) with CI=true in fresh Vitest processes, in every
 *    scenario (whole suite, one file alone, shuffled order, one file at a time, files in
 *    parallel, a CPU-busy neighbour), RUNS times each against each kind of baseline, and the
 *    whole suite at each slow scale RUNS_SLOW times against each kind; all interleaved.
 *
 * Every test file's records reach the driver through the suite's setup file (JSON lines in
 * QUALITY_RECORDS_DIR). The report: verdict counts per scenario × baselines × entry kind, next
 * to two naive rules, the targets with PASS/FAIL, the evidence of every regressed verdict on
 * unchanged code, the ceiling (bench/quality-ceiling.ts: what one threshold on one statistic,
 * set in hindsight, could catch on these measurements without a false alarm), and the raw
 * records' path. It always exits 0: it is a report, not a test.
 *
 * Settings (environment): RUNS (3), RUNS_SLOW (3), TRIALS (1), ADD_RUNS (9: ten-run baselines,
 * as the README recommends), SLOW_SCALES ("1.25,1.5"), SCENARIOS (all: whole,one-file,shuffle,one-at-a-time,parallel,busy-neighbour),
 * BASELINES ("one-run,multi-run"), PARALLEL_POOL ("forks"), PARALLEL_WORKERS (2),
 * CHILD_TIMEOUT_S (300), ENDPOINT_PLANT ("latency"; or "work"), OUT_DIR (.tmp/quality-suite/<time>), PIN_CPU (unset; a CPU number pins
 * every Vitest run, and the servers it starts, to that CPU with taskset, as `perfgate ab` does).
 */
import { spawn, spawnSync } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { appendFileSync, closeSync, cpSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { availableParallelism, loadavg } from 'node:os'
import { dirname, join, relative, resolve as resolvePath } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import type { BaselineCheckRecord, PerfRecord } from '../src/index.js'
import { seededRandom } from '../src/stats/index.js'
import { printCeiling } from './quality-ceiling.js'
import { entryKind, isUnscaled } from './quality-records.js'
import type { EntryKind } from './quality-records.js'

// ---------------------------------------------------------------------------------------------
// Settings

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..')
const suiteDir = join(repoRoot, 'bench', 'suite')
const suiteConfig = join(suiteDir, 'vitest.config.ts')
const vitestBin = join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs')
/** PIN_CPU: the CPU every Vitest run is pinned to with taskset (unset: not pinned). */
const pinCpu = process.env['PIN_CPU'] === undefined || process.env['PIN_CPU'] === '' ? undefined : process.env['PIN_CPU']
const suiteFiles = readdirSync(suiteDir)
  .filter((file) => file.endsWith('.perf.ts'))
  .sort()

function positiveInteger(name: string, fallback: number, min = 1): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min) throw new Error(`Expected \`${name}\` to be an integer from ${min} and up, got ${JSON.stringify(raw)}`)
  return value
}

function list(name: string, fallback: readonly string[], allowed?: readonly string[]): string[] {
  const raw = process.env[name]
  if (raw === undefined || raw.trim() === '') return [...fallback]
  const values = raw
    .split(',')
    .map((value) => value.trim())
    .filter((value) => value !== '')
  for (const value of values) {
    if (allowed !== undefined && !allowed.includes(value)) throw new Error(`Unknown ${name} value ${JSON.stringify(value)}; known: ${allowed.join(', ')}`)
  }
  return values
}

type BaselineKind = 'one-run' | 'multi-run'

interface Scenario {
  readonly name: string
  readonly title: string
  /** Vitest arguments of the `index`-th run of this scenario (counting over all trials). */
  readonly args: (index: number) => string[]
  readonly neighbour: boolean
}

const parallelPool = process.env['PARALLEL_POOL'] || 'forks'
const parallelWorkers = positiveInteger('PARALLEL_WORKERS', 2)

const allScenarios: readonly Scenario[] = [
  { name: 'whole', title: 'whole suite (default parallelism)', args: () => [], neighbour: false },
  { name: 'one-file', title: 'one file alone', args: (index) => [suiteFiles[index % suiteFiles.length] as string], neighbour: false },
  { name: 'shuffle', title: 'shuffled order', args: (index) => ['--sequence.shuffle', `--sequence.seed=${1009 + 7919 * index}`], neighbour: false },
  { name: 'one-at-a-time', title: 'files one at a time', args: () => ['--no-file-parallelism'], neighbour: false },
  { name: 'parallel', title: `files in parallel (${parallelPool}, ${parallelWorkers} workers)`, args: () => [`--pool=${parallelPool}`, `--maxWorkers=${parallelWorkers}`], neighbour: false },
  { name: 'busy-neighbour', title: 'CPU-busy neighbour (one core spinning)', args: () => [], neighbour: true },
]

const runs = positiveInteger('RUNS', 3, 0)
const runsSlow = positiveInteger('RUNS_SLOW', 3, 0)
const trials = positiveInteger('TRIALS', 1)
const addRuns = positiveInteger('ADD_RUNS', 9, 0)
const childTimeoutMs = positiveInteger('CHILD_TIMEOUT_S', 300) * 1000
const scenarioNames = list(
  'SCENARIOS',
  allScenarios.map((scenario) => scenario.name),
  allScenarios.map((scenario) => scenario.name),
)
const scenarios = allScenarios.filter((scenario) => scenarioNames.includes(scenario.name))
const baselineKinds = list('BASELINES', ['one-run', 'multi-run'], ['one-run', 'multi-run']) as BaselineKind[]
const endpointPlants = list('ENDPOINT_PLANT', ['latency'], ['latency', 'work'])
if (endpointPlants.length !== 1) throw new Error(`ENDPOINT_PLANT: expected one of latency, work; got ${JSON.stringify(process.env['ENDPOINT_PLANT'])}`)
const endpointPlant = endpointPlants[0] as 'latency' | 'work'
const slowScales = list('SLOW_SCALES', ['1.25', '1.5']).map((raw) => {
  const value = Number(raw)
  if (!Number.isFinite(value) || value <= 1) throw new Error(`SLOW_SCALES: expected numbers above 1, got ${JSON.stringify(raw)}`)
  return value
})
const stamp = new Date().toISOString().replace(/[:.]/g, '-')
const outDir = resolvePath(process.env['OUT_DIR'] || join(repoRoot, '.tmp', 'quality-suite', stamp))
// Inside the suite's root, where perfgate writes baselines (git-ignored .tmp/).
const baselinesDir = join(suiteDir, '.tmp', 'baselines', stamp)
const recordsPath = join(outDir, 'records.jsonl')
const runsPath = join(outDir, 'runs.jsonl')

// ---------------------------------------------------------------------------------------------
// Child processes: every one has a timeout and is killed at the end, whatever happens.

const live = new Set<ChildProcess>()

function killTree(child: ChildProcess, group: boolean): void {
  if (child.pid === undefined) return
  try {
    // The Vitest child leads its own process group (detached), which holds its workers and the
    // suite's servers: the group is ended with it.
    if (group) process.kill(-child.pid, 'SIGKILL')
    else child.kill('SIGKILL')
  } catch {
    // already gone
  }
}

function killAll(): void {
  for (const child of live) killTree(child, child.spawnargs.includes(vitestBin))
  live.clear()
}
process.on('exit', killAll)
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAll()
    process.exit(0)
  })
}

/** A process spinning a tight loop on one core, for the whole run; ended by `stop()`. */
function startNeighbour(): { stop(): void } {
  const child = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' })
  live.add(child)
  const timer = setTimeout(() => killTree(child, false), childTimeoutMs + 30_000)
  return {
    stop() {
      clearTimeout(timer)
      killTree(child, false)
      live.delete(child)
    },
  }
}

interface Job {
  readonly trial: number
  readonly phase: 'record' | 'record-add' | 'judge'
  readonly scenario: string
  readonly baselines: BaselineKind
  readonly scale: number
  /** The run's number within its condition (from 1). */
  readonly run: number
  readonly args: readonly string[]
  readonly neighbour: boolean
  readonly baselineDir: string
  /** The endpoints' planted slowdown as latency: path → ms each request takes longer (ENDPOINT_PLANT=latency). */
  readonly endpointExtraMs?: Readonly<Record<string, number>>
}

type Outcome = 'passed' | 'perf failures' | 'other failures' | 'incomplete' | 'crash' | 'timeout'

interface RunResult {
  readonly job: Job
  readonly label: string
  readonly outcome: Outcome
  readonly detail: string
  readonly exitCode: number | null
  readonly wallMs: number
  /** The one-minute load average when the run started: other work on the machine. */
  readonly loadAtStart: number
  readonly records: readonly BaselineCheckRecord[]
}

interface VitestJson {
  readonly numTotalTests?: number
  readonly numFailedTests?: number
  readonly testResults?: ReadonlyArray<{
    readonly name?: string
    readonly status?: string
    readonly message?: string
    readonly assertionResults?: ReadonlyArray<{ readonly fullName?: string; readonly status?: string; readonly failureMessages?: readonly string[] }>
  }>
}

function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T
  } catch {
    return undefined
  }
}

function readRecords(dir: string): PerfRecord[] {
  if (!existsSync(dir)) return []
  const records: PerfRecord[] = []
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.jsonl'))) {
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      if (line.trim() !== '') records.push(JSON.parse(line) as PerfRecord)
    }
  }
  return records
}

function childEnv(job: Job, recordsDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env }
  for (const name of Object.keys(env)) {
    if (name === 'CI' || name.startsWith('PERFGATE_') || name.startsWith('QUALITY_') || name.startsWith('VITEST') || name === 'FORCE_COLOR') delete env[name]
  }
  env['NO_COLOR'] = '1'
  env['QUALITY_SCALE'] = String(job.scale)
  env['QUALITY_RECORDS_DIR'] = recordsDir
  env['QUALITY_BASELINE_DIR'] = job.baselineDir
  if (job.phase === 'judge') env['CI'] = 'true'
  if (job.phase === 'record-add') env['PERFGATE_RECORD'] = 'add'
  if (job.endpointExtraMs !== undefined) env['QUALITY_ENDPOINT_EXTRA_MS'] = JSON.stringify(job.endpointExtraMs)
  return env
}

let runCounter = 0

/** Runs the suite once in a fresh Vitest process and reads what it recorded. */
async function runSuite(job: Job): Promise<RunResult> {
  const index = ++runCounter
  const label = `${String(index).padStart(3, '0')}-t${job.trial}-${job.phase}-${job.scenario}-${job.baselines}-x${job.scale}-r${job.run}`
  const runDir = join(outDir, 'runs', label)
  const recordsDir = join(runDir, 'records')
  mkdirSync(recordsDir, { recursive: true })
  const jsonPath = join(runDir, 'vitest.json')
  const log = openSync(join(runDir, 'vitest.log'), 'w')
  const args = [vitestBin, 'run', '--config', suiteConfig, ...job.args, '--reporter=default', '--reporter=json', `--outputFile.json=${jsonPath}`]
  const loadAtStart = loadavg()[0] ?? 0
  const neighbour = job.neighbour ? startNeighbour() : undefined
  const started = performance.now()
  let timedOut = false
  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    // PIN_CPU: every Vitest process (and the servers it starts) pinned to one CPU, as `perfgate ab` runs.
    const [file, fileArgs] = pinCpu === undefined ? [process.execPath, args] : ['taskset', ['-c', pinCpu, process.execPath, ...args]]
    const child = spawn(file, fileArgs, { cwd: repoRoot, env: childEnv(job, recordsDir), stdio: ['ignore', log, log], detached: true })
    live.add(child)
    const timer = setTimeout(() => {
      timedOut = true
      killTree(child, true)
    }, childTimeoutMs)
    child.once('error', () => {
      clearTimeout(timer)
      live.delete(child)
      resolve({ code: null, signal: null })
    })
    child.once('exit', (exitCode, exitSignal) => {
      clearTimeout(timer)
      // Whatever of the run is still alive (a worker, a server) goes with it.
      killTree(child, true)
      live.delete(child)
      resolve({ code: exitCode, signal: exitSignal })
    })
  })
  const wallMs = performance.now() - started
  neighbour?.stop()
  closeSync(log)

  const records = readRecords(recordsDir).filter((record): record is BaselineCheckRecord => record.kind === 'baseline')
  const report = readJson<VitestJson>(jsonPath)
  const total = report?.numTotalTests
  const failedTests = report?.numFailedTests ?? 0
  const failedRecords = records.filter((record) => !record.pass)
  const firstProblem = (): string => {
    const file = report?.testResults?.find((result) => result.status === 'failed' && (result.message ?? '') !== '')
    if (file !== undefined) return `${relative(suiteDir, file.name ?? '')}: ${(file.message ?? '').split('\n')[0]}`
    for (const result of report?.testResults ?? []) {
      for (const assertion of result.assertionResults ?? []) {
        const message = assertion.failureMessages?.[0]
        if (assertion.status === 'failed' && message !== undefined && !message.includes('toMatchBaseline')) return `${assertion.fullName}: ${message.split('\n')[0]}`
      }
    }
    const logText = readFileSync(join(runDir, 'vitest.log'), 'utf8')
    const lines = logText.split('\n').map((line) => line.trim())
    const found = lines.find((line) => /^[\w.]*(Error|Exception)\b/.test(line)) ?? lines.find((line) => /error/i.test(line) && !line.startsWith('⎯'))
    return `${found ?? 'no error line'} (log: ${relative(repoRoot, join(runDir, 'vitest.log'))})`
  }
  let outcome: Outcome
  let detail = ''
  if (timedOut) {
    outcome = 'timeout'
    detail = `killed after ${childTimeoutMs / 1000} s`
  } else if (records.length === 0) {
    outcome = 'crash'
    detail = `no records (exit ${code ?? signal}): ${firstProblem()}`
  } else if (total !== undefined && records.length < total) {
    outcome = 'incomplete'
    detail = `${records.length} records for ${total} tests: ${firstProblem()}`
  } else if (code === 0) {
    outcome = 'passed'
  } else if (report !== undefined && failedTests > 0 && failedRecords.length >= failedTests) {
    outcome = 'perf failures'
    detail = failedRecords.map((record) => record.verdict).join(', ')
  } else {
    outcome = 'other failures'
    detail = `exit ${code ?? signal}: ${firstProblem()}`
  }

  const result: RunResult = { job, label, outcome, detail, exitCode: code, wallMs, loadAtStart, records }
  const meta = { trial: job.trial, phase: job.phase, scenario: job.scenario, baselines: job.baselines, scale: job.scale, run: job.run, label }
  appendFileSync(runsPath, `${JSON.stringify({ ...meta, args: job.args, neighbour: job.neighbour, endpointExtraMs: job.endpointExtraMs ?? null, outcome, detail, exitCode: code, wallMs: Math.round(wallMs), records: records.length, loadAtStart })}\n`)
  appendFileSync(recordsPath, records.map((record) => `${JSON.stringify({ ...meta, outcome, record })}\n`).join(''))
  return result
}

// ---------------------------------------------------------------------------------------------
// Schedule

interface Condition {
  readonly scenario: Scenario
  readonly baselines: BaselineKind
  readonly scale: number
  readonly runs: number
}

/** Every condition's runs spread evenly over the schedule, in a shuffled order within each step. */
function interleaved(conditions: readonly Condition[], seed: number): { condition: Condition; run: number }[] {
  const random = seededRandom(seed)
  const slots = conditions.flatMap((condition) =>
    Array.from({ length: condition.runs }, (_, run) => ({ condition, run: run + 1, position: (run + 0.5) / condition.runs, tie: random() })),
  )
  return slots.sort((a, b) => a.position - b.position || a.tie - b.tie).map(({ condition, run }) => ({ condition, run }))
}

const wholeSuite = allScenarios[0] as Scenario
const slowName = (scale: number): string => `slow ×${scale}`

// ---------------------------------------------------------------------------------------------
// Aggregation and report

const verdicts = ['regressed', 'inconclusive', 'unchanged', 'improved', 'new', 'missing'] as const

function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle] : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}

function percent(change: number | undefined): string {
  if (change === undefined) return '–'
  const value = change * 100
  return `${value >= 0 ? '+' : ''}${value.toFixed(Math.abs(value) < 10 ? 1 : 0)}%`
}

interface Counts {
  n: number
  verdicts: Record<(typeof verdicts)[number], number>
  naiveGreater: number
  naiveTenPercent: number
  compared: number
  changes: number[]
}

function count(records: readonly BaselineCheckRecord[]): Counts {
  const counts: Counts = {
    n: records.length,
    verdicts: { regressed: 0, inconclusive: 0, unchanged: 0, improved: 0, new: 0, missing: 0 },
    naiveGreater: 0,
    naiveTenPercent: 0,
    compared: 0,
    changes: [],
  }
  for (const record of records) {
    if (record.verdict === 'measured') throw new Error('the suite ran in measure-only mode (PERFGATE_MODE=measure): unset it')
    counts.verdicts[record.verdict]++
    const comparison = record.comparison
    if (comparison === null) continue
    counts.compared++
    counts.changes.push(comparison.change)
    if (comparison.current.value > comparison.baseline.value) counts.naiveGreater++
    if (comparison.current.value > 1.1 * comparison.baseline.value) counts.naiveTenPercent++
  }
  return counts
}

function table(header: readonly string[], rows: readonly (readonly string[])[], alignLeft = 1): string {
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => (row[column] ?? '').length)))
  const line = (row: readonly string[]): string =>
    `| ${row.map((cell, column) => (column < alignLeft ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join(' | ')} |`
  const rule = `|${widths.map((width, column) => (column < alignLeft ? `-${'-'.repeat(width)}-` : `-${'-'.repeat(width)}:`)).join('|')}|`
  return [line(header), rule, ...rows.map(line)].join('\n')
}

function report(results: readonly RunResult[], wallMs: number): void {
  const judged = results.filter((result) => result.job.phase === 'judge')
  const conditionNames = [...scenarios.map((scenario) => scenario.name), ...slowScales.map(slowName)]
  const recordsOf = (scenario: string, baselines: BaselineKind, kind?: EntryKind): BaselineCheckRecord[] =>
    judged
      .filter((result) => result.job.scenario === scenario && result.job.baselines === baselines)
      .flatMap((result) => result.records)
      .filter((record) => kind === undefined || entryKind(record) === kind)

  // Runs and their outcomes.
  console.log('\n## Runs\n')
  const runRows: string[][] = []
  const phases: [string, (result: RunResult) => boolean][] = [
    ['record (one plain local run)', (result) => result.job.phase === 'record'],
    ['record-add (PERFGATE_RECORD=add)', (result) => result.job.phase === 'record-add'],
  ]
  for (const name of conditionNames) {
    for (const baselines of baselineKinds) phases.push([`${name} / ${baselines}`, (result) => result.job.phase === 'judge' && result.job.scenario === name && result.job.baselines === baselines])
  }
  for (const [name, select] of phases) {
    const chosen = results.filter(select)
    if (chosen.length === 0) continue
    const by = (outcome: Outcome): string => String(chosen.filter((result) => result.outcome === outcome).length)
    const crashes = chosen.filter((result) => result.outcome === 'crash' || result.outcome === 'timeout' || result.outcome === 'incomplete').length
    const wall = median(chosen.map((result) => result.wallMs)) ?? 0
    const load = median(chosen.map((result) => result.loadAtStart)) ?? 0
    runRows.push([name, String(chosen.length), by('passed'), by('perf failures'), by('other failures'), String(crashes), (wall / 1000).toFixed(1), load.toFixed(1)])
  }
  console.log(table(['condition', 'runs', 'exit 0', 'exit 1: perf failures', 'other failures', 'crash / timeout / incomplete', 'median wall s', 'median load at start'], runRows))
  const problems = results.filter((result) => result.outcome !== 'passed' && result.outcome !== 'perf failures')
  for (const result of problems) console.log(`  ${result.outcome}: ${result.label}: ${result.detail}`)

  // Verdict counts.
  console.log('\n## Verdicts per scenario × baselines × entry kind\n')
  console.log('naive rules on the same records: "cur > base" = current median > baseline median; "cur > 1.1×" = current > 1.1 × baseline.\n')
  const rows: string[][] = []
  for (const name of conditionNames) {
    for (const baselines of baselineKinds) {
      for (const kind of ['function', 'http'] as const) {
        const counts = count(recordsOf(name, baselines, kind))
        if (counts.n === 0) continue
        rows.push([
          name,
          baselines,
          kind,
          String(counts.n),
          ...verdicts.map((verdict) => String(counts.verdicts[verdict])),
          `${counts.naiveGreater}/${counts.compared}`,
          `${counts.naiveTenPercent}/${counts.compared}`,
          percent(median(counts.changes)),
        ])
      }
    }
  }
  console.log(table(['scenario', 'baselines', 'entries', 'N', ...verdicts, 'cur > base', 'cur > 1.1×', 'median change'], rows, 3))

  // Median change per scenario.
  console.log('\n## Median comparison.change per scenario\n')
  const changeRows = conditionNames.map((name) => [
    name,
    ...baselineKinds.flatMap((baselines) => (['function', 'http'] as const).map((kind) => percent(median(count(recordsOf(name, baselines, kind)).changes)))),
  ])
  console.log(table(['scenario', ...baselineKinds.flatMap((baselines) => [`${baselines} function`, `${baselines} http`])], changeRows))

  // Per entry on unchanged code.
  console.log('\n## Per entry, unchanged code (all scale-1 scenarios): regressed / inconclusive / unchanged / improved, median change\n')
  const aaRecords = (baselines: BaselineKind): BaselineCheckRecord[] => scenarios.flatMap((scenario) => recordsOf(scenario.name, baselines))
  const keys = [...new Set(baselineKinds.flatMap((baselines) => aaRecords(baselines).map((record) => record.key)))].sort()
  const entryRows = keys.map((key) => {
    const cells = baselineKinds.map((baselines) => {
      const counts = count(aaRecords(baselines).filter((record) => record.key === key))
      const v = counts.verdicts
      return `${v.regressed} / ${v.inconclusive} / ${v.unchanged} / ${v.improved} of ${counts.n}, ${percent(median(counts.changes))}`
    })
    const kind = aaRecords(baselineKinds[0] as BaselineKind).find((record) => record.key === key)
    return [key, kind === undefined ? '' : entryKind(kind), ...cells]
  })
  console.log(table(['key', 'entries', ...baselineKinds], entryRows, 2))

  // Targets.
  console.log('\n## Targets (set on multi-run baselines; one-run shown beside)\n')
  const mark = (ok: boolean): string => (ok ? 'PASS' : 'FAIL')
  const targetRows: string[][] = []
  for (const scenario of scenarios) {
    targetRows.push([
      `0 regressed at scale 1: ${scenario.title}`,
      ...(['multi-run', 'one-run'] as const).map((baselines) => {
        if (!baselineKinds.includes(baselines)) return '–'
        const records = recordsOf(scenario.name, baselines)
        if (records.length === 0) return 'no data'
        const regressed = records.filter((record) => record.verdict === 'regressed').length
        return `${mark(regressed === 0)} (${regressed} of ${records.length})`
      }),
    ])
  }
  for (const [scale, goal] of [
    [1.5, 0.95],
    [1.25, 0.8],
  ] as const) {
    if (!slowScales.includes(scale)) continue
    targetRows.push([
      `${scale}× caught (regressed) in ≥ ${goal * 100}%`,
      ...(['multi-run', 'one-run'] as const).map((baselines) => {
        if (!baselineKinds.includes(baselines)) return '–'
        const records = recordsOf(slowName(scale), baselines).filter((record) => !isUnscaled(record))
        if (records.length === 0) return 'no data'
        const caught = records.filter((record) => record.verdict === 'regressed').length
        return `${mark(caught / records.length >= goal)} (${caught} of ${records.length}, ${((100 * caught) / records.length).toFixed(0)}%)`
      }),
    ])
  }
  console.log(table(['target', 'multi-run', 'one-run'], targetRows))
  const unscaledSlow = slowScales.flatMap((scale) => baselineKinds.flatMap((baselines) => recordsOf(slowName(scale), baselines).filter(isUnscaled)))
  if (unscaledSlow.length > 0) {
    const regressed = unscaledSlow.filter((record) => record.verdict === 'regressed').length
    console.log(`\n(GET /fast is never slowed and is left out of the catch rates; in the slow runs it was called regressed ${regressed} of ${unscaledSlow.length} times, each a false alarm.)`)
  }

  // Evidence.
  console.log('\n## Regressed verdicts on unchanged code (scale 1), with their evidence\n')
  let any = false
  for (const result of judged.filter((r) => r.job.scale === 1)) {
    for (const record of result.records.filter((r) => r.verdict === 'regressed')) {
      any = true
      console.log(`- ${result.job.scenario} / ${result.job.baselines} / run ${result.job.run} (t${result.job.trial}${result.job.args.length > 0 ? `, ${result.job.args.join(' ')}` : ''}): [${entryKind(record)}] "${record.key}"\n    ${record.comparison?.reason ?? ''}`)
    }
  }
  if (!any) console.log('(none)')

  // A hindsight bound on these measurements (bench/quality-ceiling.ts); the lines after it stay.
  console.log('\n## The ceiling: what one threshold on one statistic, set in hindsight, could catch without a false alarm')
  try {
    printCeiling([outDir])
  } catch (error) {
    console.log(`(not computed: ${error instanceof Error ? error.message : String(error)})`)
  }

  console.log(`\nRaw records (one JSON line per toMatchBaseline record, with its run): ${relative(process.cwd(), recordsPath)}`)
  console.log(`Runs (one JSON line per Vitest process): ${relative(process.cwd(), runsPath)}; logs under ${relative(process.cwd(), join(outDir, 'runs'))}/`)
  console.log(`Total run time: ${(wallMs / 60_000).toFixed(1)} min (${results.length} Vitest runs; load average now ${loadavg().map((value) => value.toFixed(2)).join(' ')})`)
}

// ---------------------------------------------------------------------------------------------
// Main

function sameTree(a: string, b: string): boolean {
  const files = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir, { recursive: true }).map(String).filter((file) => file.endsWith('.json')).sort() : [])
  const left = files(a)
  const right = files(b)
  return left.length === right.length && left.every((file, index) => file === right[index] && readFileSync(join(a, file), 'utf8') === readFileSync(join(b, file), 'utf8'))
}

/**
 * Each quality-server endpoint's latency as recorded in `recorded` (the recording runs): the
 * median over the runs of each run's median round, ms, by path.
 */
function recordedLatency(recorded: readonly RunResult[]): Map<string, number> {
  const byPath = new Map<string, number[]>()
  for (const record of recorded.flatMap((result) => result.records)) {
    const path = /GET (\/[\w-]+)/.exec(record.key)?.[1]
    const rounds = record.measurement?.rounds
    if (path === undefined || isUnscaled(record) || record.measurement?.kind !== 'latency' || rounds === undefined || rounds.length === 0) continue
    const perRun = median(rounds)
    if (perRun !== undefined) byPath.set(path, [...(byPath.get(path) ?? []), perRun])
  }
  return new Map([...byPath].flatMap(([path, values]) => {
    const value = median(values)
    return value === undefined ? [] : [[path, value] as const]
  }))
}

/** The planted slowdown at `scale` as each endpoint's latency grown that many times: ms per request. */
function extraMsAt(scale: number, latency: ReadonlyMap<string, number>): Record<string, number> {
  return Object.fromEntries([...latency].map(([path, ms]) => [path, Number(((scale - 1) * ms).toFixed(3))]))
}

function roundsPerEntry(dir: string): string {
  const counts: number[] = []
  for (const file of existsSync(dir) ? readdirSync(dir, { recursive: true }).map(String).filter((name) => name.endsWith('.json')) : []) {
    const content = readJson<{ entries?: Record<string, Record<string, { rounds?: unknown[]; sampleCount?: number }>> }>(join(dir, file))
    for (const byEnvironment of Object.values(content?.entries ?? {})) {
      for (const record of Object.values(byEnvironment)) counts.push(record.rounds?.length ?? 0)
    }
  }
  return counts.length === 0 ? 'no entries' : `${counts.length} entries, rounds per entry ${Math.min(...counts)}–${Math.max(...counts)}`
}

function describe(result: RunResult, position: string): string {
  const verdictCounts = verdicts
    .map((verdict) => [verdict, result.records.filter((record) => record.verdict === verdict).length] as const)
    .filter(([, n]) => n > 0)
    .map(([verdict, n]) => `${n} ${verdict}`)
    .join(', ')
  const { job } = result
  const args = job.args.length > 0 ? ` [${job.args.join(' ')}]` : ''
  return `${position} t${job.trial} ${job.phase} ${job.scenario}${args} / ${job.baselines} ×${job.scale} #${job.run}: ${result.outcome}${result.detail !== '' && result.outcome !== 'perf failures' ? ` (${result.detail})` : ''}; ${verdictCounts || 'no records'}; ${(result.wallMs / 1000).toFixed(1)} s, load ${result.loadAtStart.toFixed(1)}`
}

/** Which perfgate is measured: the commit, and whether src/ had uncommitted changes (built into dist/). */
function measuredCode(): string {
  const git = (...args: string[]): string => spawnSync('git', args, { cwd: repoRoot, encoding: 'utf8' }).stdout?.trim() ?? ''
  const commit = git('rev-parse', '--short', 'HEAD') || 'unknown commit'
  const changed = git('status', '--porcelain', '--', 'src').split('\n').filter((line) => line !== '').length
  return changed === 0 ? `perfgate at ${commit}` : `perfgate at ${commit} + uncommitted changes in ${changed} file(s) of src/ (as built into dist/)`
}

async function main(): Promise<void> {
  const started = performance.now()
  mkdirSync(outDir, { recursive: true })
  writeFileSync(recordsPath, '')
  writeFileSync(runsPath, '')
  if (!existsSync(join(repoRoot, 'dist', 'plugin.js'))) {
    console.log('dist/ is missing: run `npm run build` first (npm run bench:quality does).')
    return
  }
  const judgeRuns = scenarios.length * baselineKinds.length * runs + slowScales.length * baselineKinds.length * runsSlow
  const recordRuns = 1 + (baselineKinds.includes('multi-run') ? addRuns : 0)
  console.log(
    `perfgate quality suite: ${suiteFiles.length} files (${suiteFiles.join(', ')}), ${trials} trial(s) × (${recordRuns} recording + ${judgeRuns} judging runs); ` +
      `RUNS=${runs}, RUNS_SLOW=${runsSlow}, ADD_RUNS=${addRuns}, SLOW_SCALES=${slowScales.join(',')}, ENDPOINT_PLANT=${endpointPlant}, ${availableParallelism()} CPUs (Vitest's default here: ${Math.max(availableParallelism() - 1, 1)} worker(s))`,
  )
  console.log(`Measured: ${measuredCode()}; load average at start ${loadavg().map((value) => value.toFixed(2)).join(' ')}`)
  console.log(`Output: ${relative(process.cwd(), outDir)}; baselines: ${relative(process.cwd(), baselinesDir)}\n`)

  const results: RunResult[] = []
  const total = trials * (recordRuns + judgeRuns)
  const position = (): string => `[${results.length}/${total}]`
  for (let trial = 1; trial <= trials; trial++) {
    const dirs: Record<BaselineKind, string> = {
      'one-run': join(baselinesDir, `trial-${trial}`, 'one-run'),
      'multi-run': join(baselinesDir, `trial-${trial}`, 'multi-run'),
    }
    const base = { trial, scale: 1, neighbour: false, args: [] }
    // 1. Record: one plain local run, the default way.
    const recorded = await runSuite({ ...base, phase: 'record', scenario: 'whole', baselines: 'one-run', run: 1, baselineDir: dirs['one-run'] })
    results.push(recorded)
    console.log(describe(recorded, position()))
    // The multi-run variant: the same run, then more runs that add their measurements.
    if (baselineKinds.includes('multi-run')) {
      if (existsSync(dirs['one-run'])) cpSync(dirs['one-run'], dirs['multi-run'], { recursive: true })
      for (let run = 1; run <= addRuns; run++) {
        const added = await runSuite({ ...base, phase: 'record-add', scenario: 'whole', baselines: 'multi-run', run, baselineDir: dirs['multi-run'] })
        results.push(added)
        console.log(describe(added, position()))
      }
      const same = sameTree(dirs['one-run'], dirs['multi-run'])
      console.log(
        `  baselines: one-run ${roundsPerEntry(dirs['one-run'])}; multi-run ${roundsPerEntry(dirs['multi-run'])}` +
          (same && addRuns > 0 ? ' — identical to one-run: PERFGATE_RECORD=add had no effect (not implemented yet?)' : ''),
      )
    }

    // The endpoints' planted slowdown: their latency as recorded, grown `scale` times.
    const latency = endpointPlant === 'latency' ? recordedLatency(results.filter((result) => result.job.trial === trial && result.job.phase !== 'judge')) : undefined
    if (latency !== undefined) {
      const unread = ['/csv-report', '/catalog', '/render'].filter((path) => !latency.has(path))
      console.log(
        `  endpoints' recorded latency (ms): ${[...latency].map(([path, ms]) => `${path} ${ms.toFixed(2)}`).join(', ') || 'none read'}; planted as that much longer per request × (scale − 1)` +
          (unread.length > 0 ? `; not read for ${unread.join(', ')}: their work is scaled instead` : ''),
      )
    }

    // 2. Judge, interleaved.
    const conditions: Condition[] = [
      ...scenarios.flatMap((scenario) => baselineKinds.map((baselines) => ({ scenario, baselines, scale: 1, runs }))),
      ...slowScales.flatMap((scale) => baselineKinds.map((baselines) => ({ scenario: { ...wholeSuite, name: slowName(scale) }, baselines, scale, runs: runsSlow }))),
    ]
    for (const { condition, run } of interleaved(conditions, 7 + trial)) {
      // Runs of a scenario count over trials, so "one file alone" and the seeds differ each time.
      const index = (trial - 1) * runs + run - 1
      const result = await runSuite({
        trial,
        phase: 'judge',
        scenario: condition.scenario.name,
        baselines: condition.baselines,
        scale: condition.scale,
        run,
        args: condition.scenario.args(index),
        neighbour: condition.scenario.neighbour,
        baselineDir: dirs[condition.baselines],
        ...(latency !== undefined && condition.scale !== 1 ? { endpointExtraMs: extraMsAt(condition.scale, latency) } : {}),
      })
      results.push(result)
      console.log(describe(result, position()))
    }
  }
  report(results, performance.now() - started)
}

main().then(
  () => {
    killAll()
    process.exit(0)
  },
  (error: unknown) => {
    killAll()
    console.error('quality suite driver failed:', error)
    process.exit(0)
  },
)
