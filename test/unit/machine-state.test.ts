import { describe, expect, it } from 'vitest'
import { allowedCpuList, countedCpus, cpuTicks } from '../../src/machine/state.js'

// /proc/stat of a 2-CPU machine: user nice system idle iowait irq softirq steal …
const stat = ['cpu  300 0 100 500 20 0 10 5 0 0', 'cpu0 100 0 50 300 10 0 5 0 0 0', 'cpu1 200 0 50 200 10 0 5 5 0 0', 'intr 12345', 'ctxt 999'].join('\n')

describe('allowedCpuList', () => {
  it.each([
    ['0-1', [0, 1]],
    ['1', [1]],
    ['0-2,5,7-8', [0, 1, 2, 5, 7, 8]],
    ['8-11,0-3', [0, 1, 2, 3, 8, 9, 10, 11]],
    ['1,1', [1]],
  ])('reads Cpus_allowed_list %s', (list, cpus) => {
    expect(allowedCpuList(`Name:\tnode\nCpus_allowed:\t3\nCpus_allowed_list:\t${list}\nMems_allowed:\t1\n`)).toEqual(cpus)
  })

  it.each([
    ['no such line', 'Name:\tnode\n'],
    ['a reversed range', 'Cpus_allowed_list:\t3-1\n'],
    ['garbage', 'Cpus_allowed_list:\tx\n'],
    ['an empty part', 'Cpus_allowed_list:\t0-3,\n'],
    ['a negative number', 'Cpus_allowed_list:\t-1\n'],
  ])('is null for %s', (_, status) => {
    expect(allowedCpuList(status)).toBeNull()
  })
})

describe('countedCpus', () => {
  const twelve = ['cpu  1 0 0 1', ...Array.from({ length: 12 }, (_, cpu) => `cpu${cpu} 1 0 0 1`), 'intr 1'].join('\n')

  it('counts the CPUs a thread may run on, cpu1 apart from cpu10 and cpu11', () => {
    expect(countedCpus(twelve, [1])).toEqual(new Set([1]))
    expect(countedCpus(twelve, [0, 1, 10])).toEqual(new Set([0, 1, 10]))
  })

  it('counts the whole machine when every CPU listed is allowed, the affinity is unknown, or no allowed CPU is listed', () => {
    expect(countedCpus(stat, [0, 1])).toBeNull()
    // Allowed on more CPUs than /proc/stat lists (a container's view): all of them listed.
    expect(countedCpus(stat, [0, 1, 2, 3])).toBeNull()
    expect(countedCpus(stat, null)).toBeNull()
    // A container that renumbers /proc/stat while the affinity names the host's CPUs.
    expect(countedCpus(stat, [6, 7])).toBeNull()
  })
})

describe('cpuTicks', () => {
  it('reads the whole machine from the first line when every CPU is allowed', () => {
    // busy = user + nice + system + irq + softirq + steal; total adds idle and iowait.
    expect(cpuTicks(stat, null)).toEqual({ busy: 415, total: 935 })
  })

  it('sums the lines of the allowed CPUs only', () => {
    expect(cpuTicks(stat, new Set([1]))).toEqual({ busy: 260, total: 470 })
    expect(cpuTicks(stat, new Set([0, 1]))).toEqual({ busy: 415, total: 935 })
  })

  it('is null when a counted CPU has no line', () => {
    expect(cpuTicks(stat, new Set([4]))).toBeNull()
    expect(cpuTicks(stat, new Set([1, 4]))).toBeNull()
    expect(cpuTicks('intr 1\n', null)).toBeNull()
  })
})
