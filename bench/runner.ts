/**
 * The benchmark runner's own cost and accuracy, against tinybench used directly.
 *
 *   npm run bench:runner            (3 repetitions)
 *   REPEATS=5 npm run bench:runner
 *
 * For a few known functions: the wall time of `benchmark()` at default settings (time 1000 +
 * warmupTime 200) and at time 300 (+ warmupTime 200), as a ratio of the time asked for (target
 * ≤ 1.25×); its median per call against tinybench's p50 on the same function; and tinybench's
 * own wall time against its configured time (time 1000 + its default warmupTime 250), for
 * reference. perfgate and tinybench alternate, in an order that flips each repetition; the
 * figures are medians over the repetitions.
 */
import { performance } from 'node:perf_hooks'
import { median } from 'simple-statistics'
import { Bench } from 'tinybench'
import { benchmark, currentEnvironment, defaultConfig } from '../src/index.js'

const repeats = Number(process.env['REPEATS'] ?? 3)
const wallTarget = 1.25
const tinybenchTime = 1000
// tinybench 6's default warm-up budget: it counts toward the time it is asked for.
const tinybenchWarmupTime = 250

// Results are written here so that the JIT cannot drop the work as dead code.
const sink = { value: 0 as unknown }

interface Subject {
  readonly name: string
  readonly description: string
  readonly fn: () => unknown
}

function loop(n: number): () => number {
  return () => {
    let acc = 0
    for (let i = 1; i <= n; i++) acc += Math.sqrt(i) * (i & 7)
    sink.value = acc
    return acc
  }
}

const subjects: readonly Subject[] = [
  {
    name: 'tiny',
    description: '~20 ns: 40 integer multiply-adds',
    fn: () => {
      let acc = 0
      for (let i = 0; i < 40; i++) acc = (acc + i * i) | 0
      sink.value = acc
      return acc
    },
  },
  { name: 'small', description: '~2 µs: numeric loop of 800', fn: loop(800) },
  { name: 'medium', description: '~100 µs: numeric loop of 40 000', fn: loop(40_000) },
  {
    name: 'async',
    description: 'async: 8 awaits of resolved promises',
    fn: async () => {
      let acc = 0
      for (let k = 0; k < 8; k++) acc += await Promise.resolve(k)
      sink.value = acc
      return acc
    },
  },
]

interface Timed {
  readonly wallMs: number
  readonly medianMs: number
}

async function perfgate(subject: Subject, time: number): Promise<Timed> {
  const started = performance.now()
  const result = await benchmark(subject.name, subject.fn, { time })
  return { wallMs: performance.now() - started, medianMs: result.summary.median }
}

async function tinybench(subject: Subject): Promise<Timed> {
  const started = performance.now()
  const bench = new Bench({ time: tinybenchTime })
  bench.add(subject.name, subject.fn)
  const [task] = await bench.run()
  const wallMs = performance.now() - started
  const result = task?.result
  if (result?.state !== 'completed') throw new Error(`tinybench ended as ${result?.state ?? 'nothing'} on ${subject.name}`)
  return { wallMs, medianMs: result.latency.p50 ?? Number.NaN }
}

const defaults = defaultConfig.benchmark
const askedDefault = defaults.time + defaults.warmupTime
const askedShort = 300 + defaults.warmupTime
const askedTinybench = tinybenchTime + tinybenchWarmupTime

const format = {
  ms: (ms: number): string => `${ms.toFixed(0)} ms`,
  ratio: (x: number): string => `${x.toFixed(2)}×`,
  perCall: (ms: number): string => (ms >= 0.001 ? `${(ms * 1000).toFixed(2)} µs` : `${(ms * 1e6).toFixed(1)} ns`),
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)))
  const line = (cells: readonly string[]): string => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n')
}

console.log(`perfgate benchmark() vs tinybench ${'(new Bench({ time: 1000 }))'} — ${repeats} interleaved repetitions, medians`)
console.log(`environment: ${currentEnvironment().id} (${currentEnvironment().cpuModel}), node ${process.versions.node}`)
console.log(
  `asked for: perfgate default ${askedDefault} ms (time ${defaults.time} + warmupTime ${defaults.warmupTime}), ` +
    `perfgate time 300 → ${askedShort} ms, tinybench ${askedTinybench} ms (time ${tinybenchTime} + default warmupTime ${tinybenchWarmupTime})\n`,
)

// Both runners' own code is compiled before anything counts.
await benchmark('warm-up', () => sink.value, { time: 50, warmupTime: 10 })
await new Bench({ time: 50, warmupTime: 10 }).add('warm-up', () => sink.value).run()

const started = performance.now()
const rows: string[][] = []
const verdicts: boolean[] = []
for (const subject of subjects) {
  const runs: { full: Timed; short: Timed; tiny: Timed }[] = []
  for (let rep = 0; rep < repeats; rep++) {
    let full: Timed, short: Timed, tiny: Timed
    if (rep % 2 === 0) {
      full = await perfgate(subject, defaults.time)
      tiny = await tinybench(subject)
      short = await perfgate(subject, 300)
    } else {
      short = await perfgate(subject, 300)
      tiny = await tinybench(subject)
      full = await perfgate(subject, defaults.time)
    }
    runs.push({ full, short, tiny })
    console.log(
      `  ${subject.name} rep ${rep + 1}: perfgate ${format.ms(full.wallMs)} (median ${format.perCall(full.medianMs)}), ` +
        `perfgate@300 ${format.ms(short.wallMs)} (median ${format.perCall(short.medianMs)}), tinybench ${format.ms(tiny.wallMs)} (p50 ${format.perCall(tiny.medianMs)})`,
    )
  }
  const fullRatio = median(runs.map((r) => r.full.wallMs / askedDefault))
  const shortRatio = median(runs.map((r) => r.short.wallMs / askedShort))
  const tinyRatio = median(runs.map((r) => r.tiny.wallMs / askedTinybench))
  const perfgateMedian = median(runs.map((r) => r.full.medianMs))
  const tinybenchMedian = median(runs.map((r) => r.tiny.medianMs))
  const medianRatio = median(runs.map((r) => r.full.medianMs / r.tiny.medianMs))
  const ok = fullRatio <= wallTarget && shortRatio <= wallTarget
  verdicts.push(ok)
  rows.push([
    `${subject.name} (${subject.description})`,
    `${format.ms(median(runs.map((r) => r.full.wallMs)))} / ${askedDefault}`,
    format.ratio(fullRatio),
    `${format.ms(median(runs.map((r) => r.short.wallMs)))} / ${askedShort}`,
    format.ratio(shortRatio),
    format.perCall(perfgateMedian),
    format.perCall(tinybenchMedian),
    format.ratio(medianRatio),
    `${format.ms(median(runs.map((r) => r.tiny.wallMs)))} / ${askedTinybench}`,
    format.ratio(tinyRatio),
    ok ? 'PASS' : 'FAIL',
  ])
}

console.log(`\nDone in ${((performance.now() - started) / 1000).toFixed(0)} s.\n`)
console.log(
  table(
    [
      'function',
      'perfgate wall',
      'ratio',
      'perfgate@300 wall',
      'ratio',
      'perfgate median',
      'tinybench p50',
      'median ratio',
      'tinybench wall',
      'ratio',
      `wall ≤ ${wallTarget}×`,
    ],
    rows,
  ),
)
console.log(
  `\n${verdicts.every(Boolean) ? 'PASS' : 'FAIL'}: perfgate's wall time is within ${wallTarget}× of the time asked for ` +
    `(time + warmupTime) for ${verdicts.filter(Boolean).length} of ${verdicts.length} functions, at both time 1000 and time 300.`,
)
console.log(
  'median ratio = perfgate median per call / tinybench p50 per call on the same function (tinybench times every call alone, ' +
    'so on functions near the timer resolution its p50 includes the timer and loop cost that perfgate batches away).',
)
