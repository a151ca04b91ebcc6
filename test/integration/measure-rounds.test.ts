/**
 * HTTP measured like functions: an adaptive warm-up until the latency stops falling, then the
 * requests in rounds, with the machine's state over the measuring window.
 */
import { spawn, spawnSync } from 'node:child_process'
import { createServer } from 'node:http'
import { cpus } from 'node:os'
import { fileURLToPath } from 'node:url'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFixtureServer } from '../../fixtures/server.js'
import type { FixtureServer } from '../../fixtures/server.js'
import { machineWindow } from '../../src/machine/state.js'
import { measure } from '../../src/measure/latency.js'

let fixture: FixtureServer

beforeAll(async () => {
  fixture = await startFixtureServer()
})

afterAll(async () => {
  await fixture.close()
})

/** A server that warms up: its first 300 requests wait 6, 4 and 2 ms (100 each), the rest none. */
async function coldServer(): Promise<{ url: string; served: () => number; close: () => Promise<void> }> {
  let served = 0
  const server = createServer((_req, res) => {
    const index = served++
    const delay = index < 100 ? 6 : index < 200 ? 4 : index < 300 ? 2 : 0
    const answer = (): void => void res.end('ok')
    if (delay === 0) answer()
    else setTimeout(answer, delay)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/`,
    served: () => served,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

describe('measure()', () => {
  it('warms a cold server up until its latency stops falling, so no cold request is measured', async () => {
    const server = await coldServer()
    try {
      const result = await measure(server.url, { samples: 30 })
      expect(result.warmupRequests).toBeGreaterThanOrEqual(300)
      expect(result.warmupRequests).toBeLessThanOrEqual(2000)
      expect(server.served()).toBe(result.warmupRequests + 30)
    } finally {
      await server.close()
    }
  })

  it('sends no warm-up request after its 3 s, also in the middle of a batch', async () => {
    // One client, each request at least 150 ms: at most 3000 / 150 + 1 requests start within 3 s (a batch is 50).
    const result = await measure(`${fixture.url}/delay?ms=150`, { samples: 3, concurrency: 1 })
    expect(result.warmupRequests).toBeGreaterThan(0)
    expect(result.warmupRequests).toBeLessThanOrEqual(21)
    expect(result.count).toBe(3)
  }, 20_000)

  it('sends exactly the warm-up it is given when it is a number', async () => {
    const server = await coldServer()
    try {
      const result = await measure(server.url, { samples: 12, warmup: 3 })
      expect(result.warmupRequests).toBe(3)
      expect(server.served()).toBe(15)
    } finally {
      await server.close()
    }
  })

  it('stops warming up a target that fails, after one batch', async () => {
    const result = await measure(`${fixture.url}/status/503`, { samples: 6 })
    expect(result.warmupRequests).toBe(50)
    expect(result.failures).toBe(6)
  })

  it('splits the requests into rounds and keeps each round median', async () => {
    const result = await measure(`${fixture.url}/fast`, { samples: 30, warmup: 0 })
    expect(result.rounds).toHaveLength(10)
    expect(result.count).toBe(30)
    for (const round of result.rounds) expect(round).toBeGreaterThan(0)
    const custom = await measure(`${fixture.url}/fast`, { samples: 20, warmup: 0, rounds: 4 })
    expect(custom.rounds).toHaveLength(4)
    expect(result.machine.probe).toBeGreaterThan(0)
  })

  it('rejects more rounds than samples, naming the option', async () => {
    await expect(measure(`${fixture.url}/fast`, { samples: 5, rounds: 6 })).rejects.toThrow(/`options\.rounds`/)
    await expect(measure(`${fixture.url}/fast`, { warmup: 'sometimes' as never })).rejects.toThrow(/`options\.warmup`/)
  })
})

describe.runIf(process.platform === 'linux')('the machine state', () => {
  it('counts the CPU time of another busy process', async () => {
    const burner = spawn(process.execPath, ['-e', 'const end = Date.now() + 5000; while (Date.now() < end);'], { stdio: 'ignore' })
    try {
      await new Promise((resolve) => setTimeout(resolve, 200))
      const busy = machineWindow()
      await new Promise((resolve) => setTimeout(resolve, 800))
      const state = busy.end()
      // A process spinning on one of this machine's cores is 1/cores of its CPU time, at least.
      expect(state.busy).toBeGreaterThan(0.6 / cpus().length)
      expect(state.busy).toBeLessThanOrEqual(1)
    } finally {
      burner.kill()
    }
  })

  // A process pinned to one CPU competes only with what runs there: a burner on that CPU is
  // (nearly) all of its CPU time, though only half of a 2-core machine's.
  it.runIf(cpus().length > 1 && spawnSync('taskset', ['-c', '0', 'true']).status === 0)('counts busyness over the CPUs a pinned process may run on', async () => {
    // Spins until killed below, however long the measuring child takes to start.
    const burner = spawn('taskset', ['-c', '0', process.execPath, '-e', 'for (;;);'], { stdio: 'ignore' })
    try {
      await new Promise((resolve) => setTimeout(resolve, 200))
      const script = [
        `import { machineWindow } from ${JSON.stringify(new URL('../../src/machine/state.ts', import.meta.url).href)}`,
        'const window = machineWindow()',
        'await new Promise((resolve) => setTimeout(resolve, 800))',
        'console.log(JSON.stringify(window.end()))',
      ].join('\n')
      const child = spawnSync('taskset', ['-c', '0', process.execPath, '--import', 'tsx', '--input-type=module', '-e', script], {
        cwd: fileURLToPath(new URL('../..', import.meta.url)),
        encoding: 'utf8',
        timeout: 30_000,
      })
      expect(child.status, `${child.error?.message ?? ''}${child.stderr}`).toBe(0)
      const state = JSON.parse(child.stdout) as { busy: number | null }
      expect(state.busy).toBeGreaterThan(0.8)
      expect(state.busy).toBeLessThanOrEqual(1)
    } finally {
      burner.kill()
    }
  })
})

describe('credentials in a URL', () => {
  it('are sent as Basic auth and never printed', async () => {
    const seen: (string | undefined)[] = []
    const server = createServer((req, res) => {
      seen.push(req.headers.authorization)
      res.statusCode = req.headers.authorization === undefined ? 401 : 200
      res.end()
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    try {
      const result = await measure(`http://alice:s%40cret@127.0.0.1:${port}/private`, { samples: 2, warmup: 0 })
      expect(result.successes).toBe(2)
      expect(seen).toEqual([`Basic ${Buffer.from('alice:s@cret').toString('base64')}`, `Basic ${Buffer.from('alice:s@cret').toString('base64')}`])
      expect(result.target).toBe(`http://***@127.0.0.1:${port}/private`)
      expect(JSON.stringify(result)).not.toMatch(/alice|s%40cret|s@cret/)
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  })
})
