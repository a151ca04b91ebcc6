import type { Environment } from '../../src/machine/environment.js'
import type { MachineState } from '../../src/machine/state.js'
import type { BenchmarkResult } from '../../src/measure/benchmark.js'
import { summarizeSorted } from '../../src/stats/index.js'

/** A `benchmark()` result made of the given sorted samples and round medians, one call per sample, 1 s long. */
export function benchmarkResultOf(samples: number[], rounds: number[], environment: Environment, machine: MachineState): BenchmarkResult {
  return {
    kind: 'benchmark',
    name: 'x',
    samples,
    summary: summarizeSorted(samples),
    count: samples.length,
    iterations: samples.length,
    batchSize: 1,
    rounds,
    durationMs: 1000,
    environment,
    machine,
  }
}
