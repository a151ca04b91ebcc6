/**
 * Statistical quality of the regression gate, measured in fresh processes.
 *
 *   npm run bench:quality:functions                          (20 A/A processes, 10 at each slowdown)
 *   RUNS_AA=3 RUNS_SLOW=2 KINDS=cpu,json npm run bench:quality:functions
 *
 * Phase 1 records a baseline of every function kind in one fresh process, at default settings,
 * in the on-disk format toMatchBaseline writes. Phase 2 runs fresh processes, one at a time, at
 * scale 1 (A/A) and at 1.1, 1.25 and 1.5 (slowdowns), interleaved so that drift of the machine
 * touches every condition alike. Each process judges every kind against its stored record as
 * toMatchBaseline would at default settings (adaptive sampling included) and as two naive rules
 * would. The report is the verdict counts per scale, the targets with PASS/FAIL, and the noise
 * seen on A/A. It always exits 0: it is a report, not a test.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { median } from 'simple-statistics'
import { currentEnvironment, defaultConfig } from '../src/index.js'
import { selectKinds } from './quality-functions.js'
import type { QualityLine, RecordLine } from './quality-worker.js'

const runsAA = positiveInteger('RUNS_AA', 20)
const runsSlow = positiveInteger('RUNS_SLOW', 10)
const kinds = selectKinds(process.env['KINDS'])
const kindList = kinds.map((k) => k.name).join(',')
const slowScales = [1.1, 1.25, 1.5] as const
const scales = [1, ...slowScales] as const
const workerPath = join(dirname(fileURLToPath(import.meta.url)), 'quality-worker.ts')
const childTimeoutMs = 180_000

function positiveInteger(name: string, fallback: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < 1) throw new Error(`Expected \`${name}\` to be an integer from 1 and up, got ${JSON.stringify(raw)}`)
  return value
}

interface ChildOutput {
  readonly lines: unknown[]
  readonly code: number | null
  readonly stderr: string
  readonly wallMs: number
}

/** Runs one worker process to its end and collects its `QUALITY` lines. */
function runWorker(args: readonly string[]): Promise<ChildOutput> {
  const started = performance.now()
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', workerPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    const timer = setTimeout(() => child.kill('SIGKILL'), childTimeoutMs)
    child.on('close', (code) => {
      clearTimeout(timer)
      const lines = stdout
        .split('\n')
        .filter((line) => line.startsWith('QUALITY '))
        .map((line) => JSON.parse(line.slice('QUALITY '.length)) as unknown)
      resolve({ lines, code, stderr, wallMs: performance.now() - started })
    })
  })
}

interface Scheduled {
  readonly scale: number
  readonly run: number
}

/** Every condition's runs spread evenly over the whole schedule, so no condition runs all at once. */
function interleavedSchedule(): Scheduled[] {
  const slots: { position: number; tie: number; item: Scheduled }[] = []
  scales.forEach((scale, scaleIndex) => {
    const runs = scale === 1 ? runsAA : runsSlow
    for (let run = 0; run < runs; run++) {
      slots.push({ position: (run + 0.5) / runs, tie: (scaleIndex + run) % scales.length, item: { scale, run } })
    }
  })
  slots.sort((a, b) => a.position - b.position || a.tie - b.tie)
  return slots.map((slot) => slot.item)
}

const pct = (x: number): string => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`
const pctAbs = (x: number): string => `${(x * 100).toFixed(1)}%`
const micros = (ms: number): string => `${(ms * 1000).toFixed(2)} µs`
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`
const minutes = (ms: number): string => `${(ms / 60_000).toFixed(1)} min`
const medianOf = (values: number[]): number => (values.length === 0 ? Number.NaN : median(values))
const passFail = (ok: boolean): string => (ok ? 'PASS' : 'FAIL')

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)))
  const line = (cells: readonly string[]): string => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n')
}

function countRows(lines: readonly QualityLine[]): string[][] {
  return scales.map((scale) => {
    const at = lines.filter((l) => l.scale === scale)
    const count = (verdict: QualityLine['verdict']): string => String(at.filter((l) => l.verdict === verdict).length)
    return [
      `${scale.toFixed(2)}×`,
      String(at.length),
      count('regressed'),
      count('inconclusive'),
      count('unchanged'),
      count('improved'),
      String(at.filter((l) => l.naiveMeanLarger).length),
      String(at.filter((l) => l.naiveMeanPlus10).length),
      at.length === 0 ? '–' : pct(medianOf(at.map((l) => l.change))),
      at.length === 0 ? '–' : pctAbs(medianOf(at.map((l) => l.noiseFloor))),
      at.length === 0 ? '–' : (at.reduce((sum, l) => sum + l.extensions, 0) / at.length).toFixed(1),
    ]
  })
}

const countHeader = ['scale', 'N', 'regressed', 'inconclusive', 'unchanged', 'improved', 'mean>base', 'mean>+10%', 'med change', 'med noise floor', 'ext/run']

// ---------------------------------------------------------------------------

const schedule = interleavedSchedule()
const processes = schedule.length + 1
const startupMs = 1_500
const defaults = defaultConfig.benchmark
// Per kind: warm-up, calibration (~150 ms) and sampling, once; or up to maxTime and two more times to confirm.
const perKindFastMs = defaults.time + defaults.warmupTime + 150
const perKindSlowMs = defaults.maxTime + 2 * defaults.time + 5 * (defaults.warmupTime + 150)

const dir = mkdtempSync(join(tmpdir(), 'perfgate-quality-'))
console.log('perfgate regression gate quality — fresh processes, default settings')
console.log(
  `settings: threshold ${defaultConfig.threshold}, alpha ${defaultConfig.alpha}, statistic ${defaultConfig.statistic}, ` +
    `time ${defaults.time} ms, warmupTime ${defaults.warmupTime} ms, rounds ${defaults.rounds}, maxTime ${defaults.maxTime} ms`,
)
console.log(`environment: ${currentEnvironment().id} (${currentEnvironment().cpuModel}), node ${process.versions.node}`)
console.log(`kinds: ${kinds.map((k) => `${k.name} (${k.description})`).join('; ')}`)
console.log(`plan: 1 recording process, then ${runsAA} A/A processes and ${runsSlow} at each of ${slowScales.join('×, ')}× (${schedule.length} in all), interleaved, one at a time`)
console.log(
  `estimated run time: ${minutes(processes * (startupMs + kinds.length * perKindFastMs))} if every verdict is decided at once, ` +
    `up to ${minutes(processes * (startupMs + kinds.length * perKindSlowMs))} if adaptive sampling always runs to maxTime`,
)
console.log(`work dir: ${dir}\n`)

const benchStarted = performance.now()
const loadBeforeRecording = loadavg()[0] ?? Number.NaN
const recording = await runWorker(['record', dir, kindList])
if (recording.code !== 0) {
  console.log(`The recording process failed (exit ${recording.code}):\n${recording.stderr}`)
  process.exit(0)
}
const records = recording.lines as RecordLine[]
console.log(`phase 1: baselines recorded in ${seconds(recording.wallMs)} (load ${loadBeforeRecording.toFixed(1)} before)`)
for (const r of records) console.log(`  ${r.kind.padEnd(6)} median ${micros(r.median)}, mean ${micros(r.mean)}, noise ${pctAbs(r.noise)}, ${r.samples} samples`)
console.log(`  → about ${minutes(schedule.length * recording.wallMs)} for phase 2 if verdicts are decided at once (longer where adaptive sampling extends)\n`)

console.log('phase 2 (load = 1-minute load average as each process starts; on 2 cores, this benchmark itself accounts for about 1):')
const results: QualityLine[] = []
const failures: string[] = []
for (const [index, item] of schedule.entries()) {
  const output = await runWorker(['measure', dir, kindList, String(item.scale), String(item.run)])
  const lines = output.lines as QualityLine[]
  results.push(...lines)
  const summary = lines
    .map((l) => `${l.kind} ${l.verdict} ${pct(l.change)}${l.verdict === 'regressed' || l.verdict === 'unchanged' ? '' : ` (floor ${pctAbs(l.noiseFloor)})`}`)
    .join(' · ')
  const load = lines[0]?.load
  console.log(
    `  [${String(index + 1).padStart(2)}/${schedule.length}] ${item.scale.toFixed(2)}× run ${item.run + 1}: ${summary} ` +
      `(${seconds(output.wallMs)}, load ${load === undefined ? '?' : load.toFixed(1)})`,
  )
  if (output.code !== 0 || lines.length !== kinds.length) {
    failures.push(`${item.scale}× run ${item.run + 1}: exit ${output.code}, ${lines.length} of ${kinds.length} results\n${output.stderr}`)
  }
}
const totalMs = performance.now() - benchStarted
writeFileSync(join(dir, 'results.jsonl'), results.map((r) => JSON.stringify(r)).join('\n') + '\n')

// ---------------------------------------------------------------------------

console.log(`\nDone in ${minutes(totalMs)} (${processes} processes). Raw results: ${join(dir, 'results.jsonl')}`)
if (failures.length > 0) console.log(`\n${failures.length} process(es) failed:\n${failures.join('\n')}`)
console.log(
  '\nColumns: verdict counts of perfgate (toMatchBaseline at defaults); "mean>base" and "mean>+10%" count the processes the naive rules ' +
    'call a regression (current mean > baseline mean; current mean > 1.1 × baseline mean, on the first 1 s measurement); ' +
    'med change = median of perfgate\'s estimated change of the median; ext/run = adaptive extensions per run.',
)
for (const kind of kinds) {
  const record = records.find((r) => r.kind === kind.name)
  console.log(`\n${kind.name} — ${kind.description}; baseline median ${record === undefined ? '?' : micros(record.median)}, noise ${record === undefined ? '?' : pctAbs(record.noise)}`)
  console.log(table(countHeader, countRows(results.filter((l) => l.kind === kind.name))))
}
console.log('\nall kinds')
console.log(table(countHeader, countRows(results)))

// Targets -------------------------------------------------------------------

const at = (scale: number): QualityLine[] => results.filter((l) => l.scale === scale)
const byKind = (lines: readonly QualityLine[], test: (l: QualityLine) => boolean): string =>
  kinds.map((k) => `${k.name} ${lines.filter((l) => l.kind === k.name && test(l)).length}/${lines.filter((l) => l.kind === k.name).length}`).join(', ')
const regressed = (l: QualityLine): boolean => l.verdict === 'regressed'
const aa = at(1)
const falseAlarms = aa.filter(regressed)
const caught15 = at(1.5).filter(regressed).length
const caught125 = at(1.25).filter(regressed).length
const bigSlowdowns = results.filter((l) => l.scale >= 1.25)
const calledUnchanged = bigSlowdowns.filter((l) => l.verdict === 'unchanged')
const rate = (n: number, of: number): string => `${n} of ${of} (${of === 0 ? '–' : ((100 * n) / of).toFixed(0)}%)`

console.log('\nTargets')
console.log(
  `  ${passFail(falseAlarms.length === 0)}  0 false alarms on A/A: perfgate regressed ${falseAlarms.length} of ${aa.length} [${byKind(aa, regressed)}]; ` +
    `naive "mean larger" ${aa.filter((l) => l.naiveMeanLarger).length}, "mean +10%" ${aa.filter((l) => l.naiveMeanPlus10).length}`,
)
console.log(`  ${passFail(at(1.5).length > 0 && caught15 >= 0.95 * at(1.5).length)}  ≥ 95% of 1.5× caught: ${rate(caught15, at(1.5).length)} [${byKind(at(1.5), regressed)}]`)
console.log(`  ${passFail(at(1.25).length > 0 && caught125 >= 0.8 * at(1.25).length)}  ≥ 80% of 1.25× caught: ${rate(caught125, at(1.25).length)} [${byKind(at(1.25), regressed)}]`)
console.log(
  `  ${passFail(calledUnchanged.length === 0)}  a slowdown ≥ 1.25× never called unchanged: ${calledUnchanged.length} of ${bigSlowdowns.length} ` +
    `(missed ones: ${bigSlowdowns.filter((l) => l.verdict === 'inconclusive').length} inconclusive, ${bigSlowdowns.filter((l) => l.verdict === 'improved').length} improved)`,
)
console.log(
  `  (for reference, 1.1× — at the threshold itself: ${rate(at(1.1).filter(regressed).length, at(1.1).length)} regressed, ` +
    `${at(1.1).filter((l) => l.verdict === 'unchanged').length} unchanged, ${at(1.1).filter((l) => l.verdict === 'inconclusive').length} inconclusive)`,
)

const missed = bigSlowdowns.filter((l) => !regressed(l))
if (missed.length > 0) {
  console.log('\nSlowdowns ≥ 1.25× not called regressed:')
  for (const l of missed) {
    console.log(`  ${l.kind} ${l.scale}× run ${l.run + 1}: ${l.verdict}, noise floor ${pctAbs(l.noiseFloor)}, load ${l.load.toFixed(1)} — ${l.reason}`)
  }
}
const aaDecided = aa.filter((l) => l.verdict === 'regressed' || l.verdict === 'improved')
if (aaDecided.length > 0) {
  console.log('\nA/A runs called regressed or improved:')
  for (const l of aaDecided) console.log(`  ${l.kind} run ${l.run + 1}: ${l.verdict}, load ${l.load.toFixed(1)} — ${l.reason}`)
}

console.log('\nNoise on A/A (same code, fresh processes), per kind')
console.log(
  table(
    ['kind', 'N', 'med change', 'med |change|', 'min change', 'max change', 'med noise floor', 'max noise floor', 'med mean ratio', 'baseline noise'],
    kinds.map((k) => {
      const lines = aa.filter((l) => l.kind === k.name)
      const changes = lines.map((l) => l.change)
      if (lines.length === 0) return [k.name, '0', '–', '–', '–', '–', '–', '–', '–', '–']
      return [
        k.name,
        String(lines.length),
        pct(medianOf(changes)),
        pctAbs(medianOf(changes.map(Math.abs))),
        pct(Math.min(...changes)),
        pct(Math.max(...changes)),
        pctAbs(medianOf(lines.map((l) => l.noiseFloor))),
        pctAbs(Math.max(...lines.map((l) => l.noiseFloor))),
        pct(medianOf(lines.map((l) => l.currentMean / l.baselineMean - 1))),
        pctAbs(lines[0]!.baselineNoise),
      ]
    }),
  ),
)
