/**
 * One fresh process of the quality benchmark (started by bench/quality.ts, never by hand):
 *
 *   node --import tsx bench/quality-worker.ts record  <dir> <kinds>
 *   node --import tsx bench/quality-worker.ts measure <dir> <kinds> <scale> <run>
 *
 * `record` benchmarks every kind at scale 1 and stores the records in <dir>/baselines.json, in
 * the format toMatchBaseline writes. `measure` benchmarks every kind at <scale> and judges it
 * against the stored record as toMatchBaseline would, plus two naive rules on the first
 * measurement. Each result is one stdout line `QUALITY {json}`.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { currentEnvironment, parseBaselineFile, recordFrom, serializeBaselineFile } from '../src/index.js'
import type { BaselineRecord, BenchmarkResult } from '../src/index.js'
import { selectKinds } from './quality-functions.js'
import { decideLikeMatcher, measureDefault } from './quality-gate.js'

/** What a `measure` process reports for one kind. */
export interface QualityLine {
  readonly kind: string
  readonly scale: number
  readonly run: number
  readonly verdict: 'unchanged' | 'improved' | 'regressed' | 'inconclusive'
  readonly reason: string
  readonly change: number
  readonly lower: number
  readonly upper: number
  readonly pValue: number
  readonly noiseFloor: number
  readonly baselineNoise: number
  readonly currentNoise: number
  /** Round medians of both sides (ms), so other decision rules can be judged on the same data. */
  readonly baselineRounds: readonly number[]
  readonly currentRounds: readonly number[]
  readonly baselineMedian: number
  readonly currentMedian: number
  readonly baselineMean: number
  /** Mean of the first (default-time) measurement, which the naive rules judge. */
  readonly currentMean: number
  readonly naiveMeanLarger: boolean
  readonly naiveMeanPlus10: boolean
  readonly samples: number
  readonly extensions: number
  readonly samplingMs: number
  readonly wallMs: number
  /** The machine's 1-minute load average when this kind started: other work competing for the CPU. */
  readonly load: number
}

/** What the `record` process reports for one kind. */
export interface RecordLine {
  readonly kind: string
  readonly record: true
  readonly median: number
  readonly mean: number
  readonly noise: number
  readonly samples: number
  readonly wallMs: number
}

const baselineFileName = 'baselines.json'

function emit(line: QualityLine | RecordLine): void {
  process.stdout.write(`QUALITY ${JSON.stringify(line)}\n`)
}

async function record(dir: string, kindList: string): Promise<void> {
  const environment = currentEnvironment()
  const measured: { kind: string; result: BenchmarkResult; wallMs: number }[] = []
  for (const kind of selectKinds(kindList)) {
    const started = performance.now()
    measured.push({ kind: kind.name, result: await measureDefault(kind.name, kind.build(1)), wallMs: performance.now() - started })
  }
  // Records are built only after every kind is measured: recordFrom runs `git rev-parse`, and
  // the recording process should do between measurements what the measuring processes do.
  const entries: Record<string, Record<string, BaselineRecord>> = {}
  for (const { kind, result, wallMs } of measured) {
    const stored = recordFrom(result, process.cwd())
    entries[kind] = { [environment.id]: stored }
    emit({ kind, record: true, median: stored.summary.median, mean: stored.summary.mean, noise: stored.noise, samples: stored.sampleCount, wallMs })
  }
  writeFileSync(join(dir, baselineFileName), serializeBaselineFile({ version: 1, entries }))
}

async function measure(dir: string, kindList: string, scale: number, run: number): Promise<void> {
  const path = join(dir, baselineFileName)
  const file = parseBaselineFile(readFileSync(path, 'utf8'), path)
  const environment = currentEnvironment()
  for (const kind of selectKinds(kindList)) {
    const stored = file.entries[kind.name]?.[environment.id]
    if (stored === undefined) throw new Error(`No baseline for "${kind.name}" in ${environment.id} in ${path}`)
    const started = performance.now()
    const load = loadavg()[0] ?? Number.NaN
    const decision = await decideLikeMatcher(kind.name, kind.build(scale), stored)
    const { comparison, first, final } = decision
    const currentMean = first.summary.mean
    emit({
      kind: kind.name,
      scale,
      run,
      verdict: comparison.verdict,
      reason: comparison.reason,
      change: comparison.change,
      lower: comparison.interval.lower,
      upper: comparison.interval.upper,
      pValue: comparison.pValue,
      noiseFloor: comparison.noiseFloor,
      baselineNoise: comparison.baseline.noise,
      currentNoise: comparison.current.noise,
      baselineRounds: stored.rounds,
      currentRounds: final.rounds,
      baselineMedian: comparison.baseline.value,
      currentMedian: comparison.current.value,
      baselineMean: stored.summary.mean,
      currentMean,
      naiveMeanLarger: currentMean > stored.summary.mean,
      naiveMeanPlus10: currentMean > 1.1 * stored.summary.mean,
      samples: final.count,
      extensions: decision.extensions,
      samplingMs: decision.samplingMs,
      wallMs: performance.now() - started,
      load,
    })
  }
}

const [mode, dir, kindList = '', scaleText = '1', runText = '0'] = process.argv.slice(2)
if (dir === undefined) throw new Error('Usage: quality-worker.ts record|measure <dir> <kinds> [scale] [run]')
if (mode === 'record') await record(dir, kindList)
else if (mode === 'measure') await measure(dir, kindList, Number(scaleText), Number(runText))
else throw new Error(`Unknown mode "${mode}"; expected record or measure`)
