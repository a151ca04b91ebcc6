/**
 * A reference workload that gauges how fast the machine runs right now. Shared machines change
 * speed over minutes (other tenants, memory bandwidth, frequency) without any sign in the
 * operating system's counters: on the development machine, JSON and sorting code ran 1.5×
 * slower for a while with no other process busy. A few milliseconds of a fixed mix of
 * allocation, JSON and string comparison, timed next to each round, see such phases.
 */
import { performance } from 'node:perf_hooks'

const words = Array.from({ length: 64 }, (_, i) => `w${(i * 7919) % 997}-${i % 7}`)
const document = { rows: Array.from({ length: 24 }, (_, i) => ({ id: i, name: words[i % words.length], tags: [i & 3, i & 5], score: i * 1.5 })) }
/** Per-process probe state, shared by perfgate's ESM and CommonJS builds (no module-level state). */
interface ProbeState {
  warm: boolean
  /** Where results go, so the JIT cannot drop the work. */
  sink: number
}

const probeStateKey = Symbol.for('perfgate.machine-probe.v1')

function probeState(): ProbeState {
  const holder = globalThis as { [probeStateKey]?: ProbeState }
  holder[probeStateKey] ??= { warm: false, sink: 0 }
  return holder[probeStateKey]
}

function probeCall(): number {
  const copy = JSON.parse(JSON.stringify(document)) as typeof document
  const sorted = [...words].sort((a, b) => a.localeCompare(b))
  return copy.rows.length + sorted.length
}

/** Calls per probe round: about 2–3 ms on a 2024 server core. */
const callsPerRound = 64

/** Runs the probe once for ms per call; the first use in a process warms it up. */
export function probeRound(): number {
  let checksum = 0
  const started = performance.now()
  for (let i = 0; i < callsPerRound; i++) checksum += probeCall()
  const elapsed = (performance.now() - started) / callsPerRound
  probeState().sink += checksum
  return elapsed
}

/** The probe, warmed up on first use in the process so that the JIT does not count as a slow machine. */
export function machineProbe(): number {
  const state = probeState()
  if (!state.warm) {
    for (let i = 0; i < 5; i++) probeRound()
    state.warm = true
  }
  return probeRound()
}
