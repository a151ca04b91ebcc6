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
 * The CPUs a thread may run on, from the text of its /proc/…/status (`Cpus_allowed_list`, e.g.
 * `0-3,6`), in order; null when it has none or it cannot be read. A thread pinned to one CPU
 * (taskset, a container's cpuset) competes only with what runs there.
 */
export function allowedCpuList(status: string): readonly number[] | null {
  const list = /^Cpus_allowed_list:\s*(\S+)/m.exec(status)?.[1]
  if (list === undefined) return null
  const allowed = new Set<number>()
  for (const part of list.split(',')) {
    if (!/^\d+(-\d+)?$/.test(part)) return null
    const [from = 0, to = from] = part.split('-').map(Number)
    if (to < from) return null
    for (let cpu = from; cpu <= to; cpu++) allowed.add(cpu)
  }
  return [...allowed].sort((x, y) => x - y)
}

/** The `cpu<n>` lines of /proc/stat's text, with their fields. The first line, `cpu`, sums them. */
function cpuLines(stat: string): { readonly cpu: number | null; readonly fields: readonly string[] }[] {
  const lines = []
  for (const line of stat.split('\n')) {
    if (!line.startsWith('cpu')) continue
    const [name = '', ...fields] = line.trim().split(/\s+/)
    const cpu = name === 'cpu' ? null : Number(name.slice(3))
    if (cpu === null || Number.isInteger(cpu)) lines.push({ cpu, fields })
  }
  return lines
}

/**
 * The CPUs whose time counts for a thread allowed on `allowed`: those of /proc/stat's CPUs it
 * may run on, or null (the whole machine) when it may run on all of them, its affinity is
 * unknown, or none of them has a line (a container that renumbers /proc/stat).
 */
export function countedCpus(stat: string, allowed: readonly number[] | null): ReadonlySet<number> | null {
  if (allowed === null) return null
  const permitted = new Set(allowed)
  const listed = cpuLines(stat).flatMap((line) => (line.cpu === null ? [] : [line.cpu]))
  const counted = listed.filter((cpu) => permitted.has(cpu))
  return counted.length === 0 || counted.length === listed.length ? null : new Set(counted)
}

function ticksOf(fields: readonly string[]): CpuTicks {
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields.map(Number)
  const busy = user + nice + system + irq + softirq + steal
  return { busy, total: busy + idle + iowait }
}

/**
 * CPU ticks, busy and in all, from the text of /proc/stat: of the whole machine (its first
 * line) when `counted` is null, else summed over those CPUs' own lines. Null when a line is
 * missing.
 */
export function cpuTicks(stat: string, counted: ReadonlySet<number> | null): CpuTicks | null {
  let busy = 0
  let total = 0
  let found = 0
  for (const line of cpuLines(stat)) {
    if (counted === null ? line.cpu !== null : line.cpu === null || !counted.has(line.cpu)) continue
    const ticks = ticksOf(line.fields)
    busy += ticks.busy
    total += ticks.total
    found++
  }
  return found === (counted?.size ?? 1) ? { busy, total } : null
}

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8')
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
  const start = ticksNow()
  const probes: number[] = []
  return {
    probe: () => void probes.push(machineProbe()),
    end: () => ({ busy: busyBetween(start), probe: probes.length === 0 ? null : median(probes) }),
  }
}

interface TicksAt {
  /** The CPUs counted, chosen once for the window (null: the whole machine). */
  readonly counted: ReadonlySet<number> | null
  readonly cpu: CpuTicks
  readonly own: number
}

/** The ticks of the CPUs this thread may run on, and its own; null off Linux. */
function ticksNow(counted?: ReadonlySet<number> | null): TicksAt | null {
  const stat = readOrNull('/proc/stat')
  const own = ownTicks()
  if (stat === null || own === null) return null
  const chosen = counted !== undefined ? counted : countedCpus(stat, allowedCpuList(readOrNull('/proc/thread-self/status') ?? ''))
  const cpu = cpuTicks(stat, chosen)
  return cpu === null ? null : { counted: chosen, cpu, own }
}

/**
 * Ticks a window needs over the CPUs counted before its share is read: ticks are 10 ms, and
 * one tick either way on each count moves the share by up to 2/50.
 */
const minWindowTicks = 50

function busyBetween(start: TicksAt | null): number | null {
  if (start !== null) {
    const end = ticksNow(start.counted)
    if (end === null) return null
    const total = end.cpu.total - start.cpu.total
    // Too short a window to read: say nothing rather than guess.
    if (total < minWindowTicks) return null
    const others = end.cpu.busy - start.cpu.busy - (end.own - start.own)
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
