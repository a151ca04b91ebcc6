import type { Environment } from '../machine/environment.js'
import type { MachineState } from '../machine/state.js'
import type { SampleSummary } from '../stats/index.js'

/** How baselines may be written in this run, as snapshots do it. */
export type UpdateMode = 'all' | 'new' | 'none'

/** One stored measurement of one key in one environment. */
export interface BaselineRecord {
  /** Unit of `sample` and `summary`: milliseconds per call (or per request). */
  readonly unit: 'ms'
  /** Summary statistics of the full sample as measured. */
  readonly summary: SampleSummary
  /** A compact sorted sample (at most a few hundred points) standing for the full one. */
  readonly sample: readonly number[]
  /** How many points the full sample had. */
  readonly sampleCount: number
  /** The median of each independent round measured when recording, in ms. */
  readonly rounds: readonly number[]
  /** Relative spread of the rounds: the smallest change that can be told from noise (0.05 = 5%). */
  readonly noise: number
  readonly environment: Environment
  /** ISO time of recording. */
  readonly recordedAt: string
  readonly perfgateVersion: string
  /** Git commit of the project when recorded, where known. */
  readonly gitCommit: string | null
  /** How busy and how fast the machine was while recording (absent in records of older perfgate). */
  readonly machine?: MachineState
  /**
   * The runs (fresh processes) the record pools, oldest first, when there are several
   * (`PERFGATE_RECORD=add`); absent for a record of one run. `rounds`, `sample` and `summary`
   * then pool every run's measurements.
   */
  readonly runs?: readonly BaselineRun[]
}

/** One run (process) of a record built from several. */
export interface BaselineRun {
  /** The median of this run's round medians, in ms. */
  readonly median: number
  /** How many rounds this run measured. */
  readonly rounds: number
  readonly machine: MachineState
  readonly recordedAt: string
}

/** The content of one baseline file: key → environment id → record. */
export interface BaselineFileContent {
  readonly version: 1
  readonly entries: Readonly<Record<string, Readonly<Record<string, BaselineRecord>>>>
}
