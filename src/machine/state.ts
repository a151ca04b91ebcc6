/**
 * How busy and how fast the machine was while something was measured: the evidence that lets
 * the gate tell "the code got slower" from "the machine was busier or slower".
 */
import { readFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { median } from 'simple-statistics'
import { machineProbe } from './probe.js'

/** The machine during one measurement. */
export interface MachineState {
  /**
   * Share of the machine's CPU time (0..1, over the cores this process may run on: all of
   * them unless it is pinned) that other threads and processes used during the measurement,
   * steal time included: from /proc/stat on Linux, the load average elsewhere. Null where
   * neither can be read.
   */
  readonly busy: number | null
  /** ms per call of perfgate's reference workload, timed next to the rounds (median). */
  readonly probe: number | null
}

interface CpuTicks {
  readonly busy: number
  readonly total: number
}

/**
 * The CPUs a process may run on, from the text of its /proc/<pid>/status (`Cpus_allowed_list`,
 * e.g. `0-3,6`); null when it has none or it cannot be read. A process pinned to one CPU
 * (taskset, a container's cpuset) competes only with what runs there.
 */
export function allowedCpuList(status: string): readonly number[] | null {
  const list = /^Cpus_allowed_list:\s*(\S+)/m.exec(status)?.[1]
  if (list === undefined) return null
  const allowed: number[] = []
  for (const part of list.split(',')) {
    const [from, to = from, ...rest] = part.split('-').map(Number)
    if (rest.length > 0 || from === undefined || to === undefined || !Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to < from) return null
    for (let cpu = from; cpu <= to; cpu++) allowed.push(cpu)
  }
  return allowed
}

function ticksOf(fields: readonly string[]): CpuTicks {
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields.map(Number)
  const busy = user + nice + system + irq + softirq + steal
  return { busy, total: busy + idle + iowait }
}

/**
 * CPU ticks, busy and in all, from the text of /proc/stat: of the whole machine (its first
 * line), or summed over the `allowed` CPUs' own lines. Null when the text has no such lines.
 */
export function cpuTicks(stat: string, allowed: ReadonlySet<number> | null): CpuTicks | null {
  let busy = 0
  let total = 0
  let found = 0
  for (const line of stat.split('\n')) {
    const [name = '', ...fields] = line.trim().split(/\s+/)
    if (!name.startsWith('cpu')) continue
    const cpu = name === 'cpu' ? null : Number(name.slice(3))
    if (allowed === null ? cpu !== null : cpu === null || !allowed.has(cpu)) continue
    const ticks = ticksOf(fields)
    busy += ticks.busy
    total += ticks.total
    found++
  }
  return found === 0 ? null : { busy, total }
}

/** This process's CPU ticks, busy and in all, over the CPUs it may run on; null off Linux. */
function machineTicks(): CpuTicks | null {
  try {
    const list = allowedCpuList(readFileSync('/proc/self/status', 'utf8'))
    // Allowed everywhere (or unknown): the whole machine's first line.
    const allowed = list === null || list.length >= cpus().length ? null : new Set(list)
    return cpuTicks(readFileSync('/proc/stat', 'utf8'), allowed)
  } catch {
    return null
  }
}

/** CPU ticks this thread used (utime + stime), so that its own work is not counted as busy. */
function ownTicks(): number | null {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const ticks = Number(fields[11]) + Number(fields[12])
    return Number.isFinite(ticks) ? ticks : null
  } catch {
    return null
  }
}

/** A measuring window: started before the rounds, probed after each, ended after the last. */
export interface MachineWindow {
  /** Times the reference workload once, between two rounds. */
  probe(): void
  /** The machine's state over the window. */
  end(): MachineState
}

/** Opens a window over which the machine's busyness is read and its speed probed. */
export function machineWindow(): MachineWindow {
  const startTicks = machineTicks()
  const startOwn = ownTicks()
  const probes: number[] = []
  return {
    probe: () => void probes.push(machineProbe()),
    end: () => ({ busy: busyBetween(startTicks, startOwn), probe: probes.length === 0 ? null : median(probes) }),
  }
}

function busyBetween(startTicks: CpuTicks | null, startOwn: number | null): number | null {
  const endTicks = machineTicks()
  const endOwn = ownTicks()
  if (startTicks !== null && endTicks !== null && startOwn !== null && endOwn !== null) {
    const total = endTicks.total - startTicks.total
    // Too short a window to read (ticks are 10 ms): say nothing rather than guess.
    if (total < 10) return null
    const others = endTicks.busy - startTicks.busy - (endOwn - startOwn)
    return Math.min(1, Math.max(0, others / total))
  }
  // Elsewhere: the one-minute load average, less this process, over the cores.
  const [load] = loadavg()
  const cores = cpus().length
  if (load === undefined || cores === 0 || (load === 0 && process.platform === 'win32')) return null
  return Math.min(1, Math.max(0, (load - 1) / cores))
}

/** The state over two measurements of one thing, weighted by how long each took. */
export function combinedMachineState(a: MachineState, aWeight: number, b: MachineState, bWeight: number): MachineState {
  const mix = (x: number | null, y: number | null): number | null => {
    if (x === null) return y
    if (y === null) return x
    return (x * aWeight + y * bWeight) / (aWeight + bWeight)
  }
  return { busy: mix(a.busy, b.busy), probe: mix(a.probe, b.probe) }
}
