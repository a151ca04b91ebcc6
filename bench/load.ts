/**
 * perfgate's load generator against autocannon on the same loopback server, interleaved.
 *
 *   npm run bench:load            (10 rounds at concurrency 10 and 50, 2 s per client)
 *   ROUNDS=15 SECONDS=3 CONCURRENCY=10 npm run bench:load
 *
 * The server runs in its own process so that it does not share an event loop with either
 * client. Each round runs three clients back to back, in an order that rotates from round to
 * round: perfgate's `runLoad`, autocannon, and "undici alone", a bare loop on the connections
 * and undici calls perfgate makes, with nothing else. The figure is the median of the per-round
 * ratios of requests per second, perfgate / autocannon. The undici-alone loop splits that
 * ratio in two: undici alone / autocannon is the ceiling any client built on undici reaches
 * here, and perfgate / undici alone is what perfgate's own code costs. Each median comes with a
 * distribution-free 95% interval (order statistics of the rounds), so a run says whether it
 * could tell the ratio from 1.0.
 *
 * Both clients can saturate the single-threaded server, so requests per second mostly measure
 * the server; the client's own CPU time per request (process.cpuUsage of this process, where
 * only the client runs) is reported beside it as the measure of the client's efficiency, and,
 * on Linux, the server's CPU time per request (from /proc), which shows whether one client's
 * traffic costs the server more than the other's.
 */
import { readFileSync } from 'node:fs'
import autocannon from 'autocannon'
import { median } from 'simple-statistics'
import { Client } from 'undici'
import type { Dispatcher } from 'undici'
import { startFixtureServerProcess } from '../fixtures/server.js'
import { runLoad } from '../src/index.js'
import { percentileLowerBound, percentileUpperBound } from '../src/stats/index.js'

const rounds = Number(process.env['ROUNDS'] ?? 10)
const seconds = Number(process.env['SECONDS'] ?? 2)
const concurrencies = (process.env['CONCURRENCY'] ?? '10,50').split(',').map(Number)

interface ClientRun {
  readonly rps: number
  /** CPU time of this process (the client) per completed request, in µs. */
  readonly cpuPerRequestUs: number
  /** CPU time of the server process per completed request, in µs (NaN where /proc is missing). */
  readonly serverCpuPerRequestUs: number
}

function cpuMicros(): number {
  const { user, system } = process.cpuUsage()
  return user + system
}

const server = await startFixtureServerProcess()

/** utime + stime of the server process in µs, from /proc/<pid>/stat (Linux); NaN elsewhere. */
function serverCpuMicros(): number {
  try {
    const fields = readFileSync(`/proc/${server.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
    const ticksPerSecond = 100 // USER_HZ on Linux
    return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / ticksPerSecond
  } catch {
    return Number.NaN
  }
}

async function measured(run: () => Promise<{ rps: number; total: number }>): Promise<ClientRun> {
  const cpuBefore = cpuMicros()
  const serverBefore = serverCpuMicros()
  const { rps, total } = await run()
  return {
    rps,
    cpuPerRequestUs: (cpuMicros() - cpuBefore) / total,
    serverCpuPerRequestUs: (serverCpuMicros() - serverBefore) / total,
  }
}

function perfgateRun(url: string, concurrency: number, durationMs: number): Promise<ClientRun> {
  return measured(async () => {
    const result = await runLoad(url, { duration: durationMs, concurrency })
    if (result.failures > 0) throw new Error(`perfgate saw failures: ${JSON.stringify(result.outcomes)}`)
    return { rps: result.throughput, total: result.total }
  })
}

function autocannonRun(url: string, concurrency: number, durationMs: number): Promise<ClientRun> {
  return measured(async () => {
    const result = await autocannon({ url, connections: concurrency, duration: durationMs / 1000, pipelining: 1 })
    if (result.errors > 0 || result.non2xx > 0) throw new Error(`autocannon saw ${result.errors} errors, ${result.non2xx} non-2xx`)
    return { rps: result.requests.total / (result.duration || durationMs / 1000), total: result.requests.total }
  })
}

/** One response on undici's callback interface, as perfgate uses it, recording nothing. */
class BareHandler implements Dispatcher.DispatchHandler {
  constructor(private readonly done: (error?: Error) => void) {}
  onConnect(): void {}
  onHeaders(): boolean {
    return true
  }
  onData(): boolean {
    return true
  }
  onComplete(): void {
    this.done()
  }
  onError(error: Error): void {
    this.done(error)
  }
}

/** "undici alone": a keep-alive `Client` (pipelining 2) per client, each sending its next request when the last one ends. */
function undiciAloneRun(url: string, concurrency: number, durationMs: number): Promise<ClientRun> {
  return measured(async () => {
    const { origin, pathname } = new URL(url)
    const options: Dispatcher.DispatchOptions = { path: pathname, method: 'GET', headersTimeout: 0, bodyTimeout: 0 }
    const clients = Array.from({ length: concurrency }, () => new Client(origin, { pipelining: 2, keepAliveTimeout: 30_000 }))
    let total = 0
    const startedAt = performance.now()
    const stopAt = startedAt + durationMs
    try {
      await new Promise<void>((resolve, reject) => {
        let running = clients.length
        for (const client of clients) {
          const next = (error?: Error): void => {
            if (error !== undefined) reject(error)
            else if (performance.now() < stopAt) client.dispatch(options, new BareHandler(completed))
            else if (--running === 0) resolve()
          }
          const completed = (error?: Error): void => {
            if (error === undefined) total++
            next(error)
          }
          next()
        }
      })
      return { rps: (total * 1000) / (performance.now() - startedAt), total }
    } finally {
      await Promise.all(clients.map((client) => client.destroy()))
    }
  })
}

const url = `${server.url}/fast`
try {
  // Warm every client's code paths and the server before anything counts.
  for (const run of [perfgateRun, autocannonRun, undiciAloneRun]) await run(url, 10, 500)
  console.log(`perfgate runLoad vs autocannon vs undici alone on ${url} (server in its own process), ${rounds} rounds × ${seconds} s each\n`)
  const clients = [
    { name: 'perfgate', run: perfgateRun },
    { name: 'autocannon', run: autocannonRun },
    { name: 'undici alone', run: undiciAloneRun },
  ] as const
  const summary: string[] = []
  for (const concurrency of concurrencies) {
    const ratios = { target: [] as number[], ceiling: [] as number[], own: [] as number[] }
    const cpuRatios = { target: [] as number[], ceiling: [] as number[], own: [] as number[] }
    const serverCpuRatios: number[] = []
    for (let round = 0; round < rounds; round++) {
      // Rotate the order, so that no client always runs first (or right after another).
      const runs = new Map<string, ClientRun>()
      for (let slot = 0; slot < clients.length; slot++) {
        const client = clients[(round + slot) % clients.length] as (typeof clients)[number]
        runs.set(client.name, await client.run(url, concurrency, seconds * 1000))
      }
      const ours = runs.get('perfgate') as ClientRun
      const theirs = runs.get('autocannon') as ClientRun
      const bare = runs.get('undici alone') as ClientRun
      ratios.target.push(ours.rps / theirs.rps)
      ratios.ceiling.push(bare.rps / theirs.rps)
      ratios.own.push(ours.rps / bare.rps)
      cpuRatios.target.push(ours.cpuPerRequestUs / theirs.cpuPerRequestUs)
      cpuRatios.ceiling.push(bare.cpuPerRequestUs / theirs.cpuPerRequestUs)
      cpuRatios.own.push(ours.cpuPerRequestUs / bare.cpuPerRequestUs)
      serverCpuRatios.push(ours.serverCpuPerRequestUs / theirs.serverCpuPerRequestUs)
      const describe = (run: ClientRun): string =>
        `${run.rps.toFixed(0)} req/s (client ${run.cpuPerRequestUs.toFixed(1)}, server ${run.serverCpuPerRequestUs.toFixed(1)} µs CPU/req)`
      console.log(
        `c=${concurrency} round ${round + 1}: perfgate ${describe(ours)}, autocannon ${describe(theirs)}, undici alone ${describe(bare)}; ` +
          `perfgate/autocannon ${(ours.rps / theirs.rps).toFixed(3)}`,
      )
    }
    // The median of the per-round ratios, with a distribution-free 95% interval from order
    // statistics (each bound at 97.5%): whether the rounds can tell the ratio from 1.0 at all.
    const spread = (values: number[]): string => {
      const sorted = [...values].sort((a, b) => a - b)
      const lower = percentileLowerBound(sorted, 50, 0.975)
      const upper = percentileUpperBound(sorted, 50, 0.975)
      const interval = lower.attained && upper.attained ? `95% CI ${lower.value.toFixed(3)}–${upper.value.toFixed(3)}` : 'too few rounds for a 95% CI'
      return `${median(values).toFixed(3)}× (${interval}; min ${sorted[0]?.toFixed(3)}, max ${sorted[sorted.length - 1]?.toFixed(3)})`
    }
    const lines = [
      `concurrency ${concurrency}: perfgate ${spread(ratios.target)} autocannon's req/s; ` +
        `client CPU per request ${median(cpuRatios.target).toFixed(3)}× autocannon's, server CPU per request ${median(serverCpuRatios).toFixed(3)}× (lower is better)`,
      `  ceiling: undici alone ${spread(ratios.ceiling)} autocannon's req/s, client CPU per request ${median(cpuRatios.ceiling).toFixed(3)}×`,
      `  perfgate's own cost: perfgate ${spread(ratios.own)} undici alone's req/s, client CPU per request ${median(cpuRatios.own).toFixed(3)}×`,
    ]
    summary.push(...lines)
    console.log(lines.join('\n') + '\n')
  }
  console.log(summary.join('\n'))
} finally {
  await server.close()
}
