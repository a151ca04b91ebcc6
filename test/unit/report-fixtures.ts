/**
 * Run reports built by hand from the record types, with figures of the size real runs give:
 * one of every baseline verdict, a passing and a failing latency budget and load run, and
 * stale baselines.
 */
import type { Comparison, ComparedSide } from '../../src/gate/compare.js'
import type { BaselineCheckRecord, ErrorRecord, LatencyCheckRecord, LoadCheckRecord, PerfRecord } from '../../src/gate/records.js'
import type { Environment } from '../../src/machine/environment.js'
import type { RunReport } from '../../src/report/model.js'
import { summarizeSorted } from '../../src/stats/index.js'
import type { SampleSummary } from '../../src/stats/index.js'

export const rootDir = '/repo'

export const ciRunner: Environment = { id: 'linux-x64-node20-2c-3f9a1c', os: 'linux', arch: 'x64', cpuModel: 'AMD EPYC 7763', cores: 2, nodeMajor: 20 }

/** A sorted sample spread evenly ±`spread` around `center`. */
export function spreadSample(center: number, spread: number, n = 40): number[] {
  return Array.from({ length: n }, (_, i) => center * (1 - spread + (2 * spread * i) / (n - 1)))
}

export function summary(center: number, spread = 0.05): SampleSummary {
  return summarizeSorted(spreadSample(center, spread))
}

function side(value: number, busy: number | null = 0.04): ComparedSide {
  return { value, samples: 40, noise: 0.03, environment: ciRunner, runs: 1, machine: { busy, probe: 0.0012 } }
}

function comparison(
  verdict: Comparison['verdict'],
  baseline: number,
  current: number,
  interval: [number, number],
  extra: Partial<Comparison> = {},
): Comparison {
  const change = current / baseline - 1
  return {
    verdict,
    reason: `median ${current} ms vs ${baseline} ms baseline, threshold 10%, noise floor 25%`,
    statistic: 'median',
    unit: 'rounds',
    baseline: side(baseline),
    current: side(current),
    change,
    interval: { lower: interval[0], upper: interval[1], confidence: 0.95 },
    pValue: verdict === 'unchanged' ? 0.41 : 0.0004,
    alpha: 0.01,
    threshold: 0.1,
    noiseFloor: 0.25,
    processAllowance: 0.25,
    minimumDetectable: 0.25,
    machineExplains: null,
    environmentMatch: true,
    ...extra,
  }
}

const site = (file: string, testName: string, line: number | null) => ({ testFile: `${rootDir}/${file}`, testName, line, negated: false })

/** A baseline check record; `comparison` null for `new` and `missing`. */
export function baselineRecord(
  key: string,
  verdict: BaselineCheckRecord['verdict'],
  compared: Comparison | null,
  fields: Partial<BaselineCheckRecord> = {},
): BaselineCheckRecord {
  const file = fields.testFile === undefined ? 'test/parser.perf.ts' : fields.testFile.slice(rootDir.length + 1)
  const current = compared?.current.value ?? 0.35
  return {
    kind: 'baseline',
    ...site(file, key, 12),
    pass: verdict !== 'regressed' && verdict !== 'missing',
    key,
    baselineFile: `baselines/${file}.json`,
    environmentId: ciRunner.id,
    updateMode: 'none',
    verdict,
    comparison: compared,
    baseline:
      compared === null
        ? null
        : { summary: summary(compared.baseline.value), sample: spreadSample(compared.baseline.value, 0.05), sampleCount: 4000, environmentId: ciRunner.id, recordedAt: '2026-11-20T09:00:00.000Z', runs: 1 },
    measurement:
      verdict === 'missing'
        ? null
        : { kind: 'benchmark', summary: summary(current), samples: 4000, rounds: spreadSample(current, 0.03, 40), sample: spreadSample(current, 0.05), samplingMs: 1000, extensions: 0 },
    written: null,
    warnings: [],
    ...fields,
  }
}

export const regressed = baselineRecord('parser > parses a 1 MB payload', 'regressed', comparison('regressed', 1.21, 1.84, [0.41, 0.63]))
export const unchanged = baselineRecord('router > matches 100 routes', 'unchanged', comparison('unchanged', 0.0123, 0.0125, [-0.021, 0.048]))
export const improved = baselineRecord('cache > warm lookup', 'improved', comparison('improved', 2.4, 1.9, [-0.25, -0.17]))
export const recorded = baselineRecord('serializer > encodes a record', 'new', null, { written: 'recorded', testFile: `${rootDir}/test/serializer.perf.ts` })
export const missing = baselineRecord('search > ranks results', 'missing', null, { line: null, testFile: `${rootDir}/test/search.perf.ts` })
export const inconclusive = baselineRecord(
  'db > runs the report query',
  'inconclusive',
  comparison('inconclusive', 8.2, 9.6, [0.05, 0.29], {
    reason: 'median 9.60 ms vs 8.20 ms baseline, +17% [95% CI +5.0%..+29%], p = 0.004, threshold 10%, noise floor 25% — slower beyond the threshold, but within the noise of the baseline',
    current: side(9.6, 0.52),
  }),
  { warnings: ['perfgate: inconclusive for "db > runs the report query": median 9.60 ms vs 8.20 ms baseline, +17% [95% CI +5.0%..+29%], p = 0.004, threshold 10%, noise floor 25% — slower beyond the threshold, but within the noise of the baseline'] },
)

/** Inconclusive because the machine ran 1.5 times slower: it explains up to +125% (one run: max(1.25 × 1.5, 1.5²) − 1), more than the baseline's 25%. */
export const machineExplained = baselineRecord(
  'render > renders the invoice',
  'inconclusive',
  comparison('inconclusive', 2, 4, [0.9, 1.1], {
    reason:
      "median 4 ms vs 2 ms baseline, +100% [95% CI +90%..+110%], p < 0.001, threshold 10%, noise floor 25% — the machine ran slower than when the baseline was recorded (perfgate's reference workload took +50% longer): slower, but no more than the machine's state could explain (up to +125%)",
    current: { ...side(4), machine: { busy: 0.04, probe: 0.0018 } },
    machineExplains: 1.25,
  }),
)

function latencyRecord(testName: string, target: string, p95: number, fields: Partial<LatencyCheckRecord>): LatencyCheckRecord {
  const latency = summarizeSorted(spreadSample(p95 / 1.5, 0.5, 30))
  return {
    kind: 'latency',
    ...site('test/api.perf.ts', testName, 30),
    pass: true,
    target,
    budgetMs: 200,
    statistic: 'p95',
    value: latency.p95,
    bound: null,
    confidence: null,
    boundProblem: null,
    allowFailures: 0,
    latency,
    sample: spreadSample(p95 / 1.5, 0.5, 30),
    count: 30,
    successes: 30,
    failures: 0,
    outcomes: { ok: 30 },
    errors: {},
    throughput: 412.7,
    durationMs: 72.7,
    concurrency: 1,
    ...fields,
  }
}

export const fastEndpoint = latencyRecord('api > GET /users answers within 200 ms', 'GET http://127.0.0.1:4100/users', 12.4, {})
export const slowEndpoint = latencyRecord('api > GET /slow answers within 200 ms', 'GET http://127.0.0.1:4100/slow', 250, {
  pass: false,
  count: 30,
  successes: 28,
  failures: 2,
  outcomes: { ok: 28, timeout: 2 },
  errors: { timeout: 'no answer within 10000 ms' },
})

function loadRecord(testName: string, fields: Partial<LoadCheckRecord>): LoadCheckRecord {
  return {
    kind: 'load',
    ...site('test/load.perf.ts', testName, 8),
    pass: true,
    target: 'GET http://127.0.0.1:4100/users',
    model: 'closed',
    rate: null,
    concurrency: 10,
    minRate: 0.99,
    successRate: 1,
    lowerBound: null,
    confidence: null,
    total: 3412,
    successes: 3412,
    failures: 0,
    outcomes: { ok: 3412 },
    errors: {},
    latency: summary(4.2, 0.5),
    throughput: 1706.3,
    durationMs: 2000,
    timeline: { bucketMs: 1000, buckets: [] },
    ...fields,
  }
}

export const steadyLoad = loadRecord('load > /users keeps 99% under 10 clients', {})
export const failingLoad = loadRecord('load > /flaky keeps 99% at 200/s', {
  pass: false,
  target: 'GET http://127.0.0.1:4100/flaky',
  model: 'open',
  rate: 200,
  concurrency: 64,
  total: 1000,
  successes: 952,
  failures: 48,
  successRate: 0.952,
  outcomes: { ok: 952, 'status:503': 40, timeout: 6, ECONNRESET: 2 },
  errors: { 'status:503': 'status:503', timeout: 'no answer within 10000 ms', ECONNRESET: 'socket hang up' },
  throughput: 198.2,
  durationMs: 5045,
})

/** A toMatchBaseline that stopped with an error: its baseline file could not be parsed. */
export const erroredBaseline: ErrorRecord = {
  kind: 'error',
  testFile: `${rootDir}/test/parser.perf.ts`,
  testName: 'parser > tokenizes a line',
  line: 21,
  pass: false,
  negated: false,
  matcher: 'toMatchBaseline',
  target: 'tokenize()',
  error: 'PerfgateError PERFGATE_BASELINE_PARSE',
  message: 'Cannot parse the baseline file /repo/baselines/test/parser.perf.ts.json at line 3, column 1: invalid end of input\nThe file was not changed.',
}

/** A report of the given records, with no stale baselines unless given. */
export function runReport(records: readonly PerfRecord[], stale: RunReport['stale'] = null): RunReport {
  return {
    version: 1,
    tool: { name: 'perfgate', version: '0.1.0' },
    runner: { name: 'vitest', version: '4.1.12' },
    createdAt: '2026-11-29T16:22:00.000Z',
    rootDir,
    git: { commit: '8e05dfe1c2a3b4d5e6f708192a3b4c5d6e7f8091' },
    environment: ciRunner,
    records,
    stale,
  }
}

export const staleBaselines: NonNullable<RunReport['stale']> = {
  obsoleteEntries: [{ file: 'baselines/test/parser.perf.ts.json', keys: ['parser > parses XML'] }],
  orphanedFiles: ['baselines/test/removed.perf.ts.json'],
}

/** Every kind of record, in the order a run would finish them (regressions not first). */
export const everyRecord: readonly PerfRecord[] = [unchanged, regressed, improved, recorded, missing, inconclusive, fastEndpoint, slowEndpoint, steadyLoad, failingLoad]

/** Strips ANSI SGR codes. */
export function plain(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '')
}

/** A synthetic measurement at `center` ms: 10 rounds within ±3%, a sample within ±5%, as a `new` record's (for planted changes in compare tests). */
export function syntheticMeasurement(center: number, machine: { busy: number | null; probe: number | null } = { busy: 0.04, probe: 0.0012 }): NonNullable<BaselineCheckRecord['measurement']> {
  return {
    kind: 'benchmark',
    summary: summarizeSorted(spreadSample(center, 0.05)),
    samples: 4000,
    rounds: spreadSample(center, 0.03, 10),
    sample: spreadSample(center, 0.05),
    samplingMs: 1000,
    extensions: 0,
    machine,
  }
}
