import { createHash } from 'node:crypto'
import os from 'node:os'

/** Where a measurement was made. Baselines from different environments are kept apart. */
export interface Environment {
  /** Short stable id, e.g. `linux-x64-node20-2c-3f9a1c`. */
  readonly id: string
  readonly os: string
  readonly arch: string
  readonly cpuModel: string
  readonly cores: number
  readonly nodeMajor: number
}

/** The environment of this process: OS, arch, CPU model, core count and Node major. */
export function currentEnvironment(): Environment {
  const cpus = os.cpus()
  const cpuModel = (cpus[0]?.model ?? 'unknown').trim().replace(/\s+/g, ' ')
  const cores = cpus.length
  const nodeMajor = Number(process.versions.node.split('.')[0])
  const cpuHash = createHash('sha256').update(cpuModel).digest('hex').slice(0, 6)
  return {
    id: `${process.platform}-${process.arch}-node${nodeMajor}-${cores}c-${cpuHash}`,
    os: process.platform,
    arch: process.arch,
    cpuModel,
    cores,
    nodeMajor,
  }
}
