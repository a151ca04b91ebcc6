import { describe, expect, it } from 'vitest'
import { allowedCpuList, cpuTicks } from '../../src/machine/state.js'

// /proc/stat of a 2-CPU machine: user nice system idle iowait irq softirq steal …
const stat = ['cpu  300 0 100 500 20 0 10 5 0 0', 'cpu0 100 0 50 300 10 0 5 0 0 0', 'cpu1 200 0 50 200 10 0 5 5 0 0', 'intr 12345', 'ctxt 999'].join('\n')

describe('allowedCpuList', () => {
  it.each([
    ['0-1', [0, 1]],
    ['1', [1]],
    ['0-2,5,7-8', [0, 1, 2, 5, 7, 8]],
  ])('reads Cpus_allowed_list %s', (list, cpus) => {
    expect(allowedCpuList(`Name:\tnode\nCpus_allowed:\t3\nCpus_allowed_list:\t${list}\nMems_allowed:\t1\n`)).toEqual(cpus)
  })

  it.each([['no such line', 'Name:\tnode\n'], ['a reversed range', 'Cpus_allowed_list:\t3-1\n'], ['garbage', 'Cpus_allowed_list:\tx\n']])('is null for %s', (_, status) => {
    expect(allowedCpuList(status)).toBeNull()
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

  it('is null when none of the allowed CPUs has a line', () => {
    expect(cpuTicks(stat, new Set([4]))).toBeNull()
    expect(cpuTicks('intr 1\n', null)).toBeNull()
  })
})
