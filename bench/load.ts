/**
 * perfgate's load generator against autocannon on the same loopback server, interleaved.
 *
 *   npm run bench:load            (10 pairs at concurrency 10 and 50, 2 s each)
 *   PAIRS=15 SECONDS=3 CONCURRENCY=10 npm run bench:load
 *
 * The server runs in its own process so that it does not share an event loop with either
 * client. Each pair runs both clients back to back, alternating which goes first; the figure
 * is the median of the per-pair ratios of requests per second (perfgate / autocannon).
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
import { startFixtureServerProcess } from '../fixtures/server.js'
import { runLoad } from '../src/index.js'

const pairs = Number(process.env['PAIRS'] ?? 10)
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

const url = `${server.url}/fast`
try {
  // Warm both clients' code paths and the server before anything counts.
  await perfgateRun(url, 10, 500)
  await autocannonRun(url, 10, 500)
  console.log(`perfgate runLoad vs autocannon on ${url} (server in its own process), ${pairs} pairs × ${seconds} s\n`)
  const summary: string[] = []
  for (const concurrency of concurrencies) {
    const ratios: number[] = []
    const cpuRatios: number[] = []
    const serverCpuRatios: number[] = []
    for (let pair = 0; pair < pairs; pair++) {
      const perfgateFirst = pair % 2 === 0
      const first = perfgateFirst ? await perfgateRun(url, concurrency, seconds * 1000) : await autocannonRun(url, concurrency, seconds * 1000)
      const second = perfgateFirst ? await autocannonRun(url, concurrency, seconds * 1000) : await perfgateRun(url, concurrency, seconds * 1000)
      const [ours, theirs] = perfgateFirst ? [first, second] : [second, first]
      ratios.push(ours.rps / theirs.rps)
      cpuRatios.push(ours.cpuPerRequestUs / theirs.cpuPerRequestUs)
      serverCpuRatios.push(ours.serverCpuPerRequestUs / theirs.serverCpuPerRequestUs)
      const describe = (run: ClientRun): string =>
        `${run.rps.toFixed(0)} req/s (client ${run.cpuPerRequestUs.toFixed(1)}, server ${run.serverCpuPerRequestUs.toFixed(1)} µs CPU/req)`
      console.log(`c=${concurrency} pair ${pair + 1}: perfgate ${describe(ours)}, autocannon ${describe(theirs)}, ratio ${(ours.rps / theirs.rps).toFixed(3)}`)
    }
    const line =
      `concurrency ${concurrency}: median ratio ${median(ratios).toFixed(3)}× autocannon's req/s (min ${Math.min(...ratios).toFixed(3)}, max ${Math.max(...ratios).toFixed(3)}); ` +
      `CPU per request ${median(cpuRatios).toFixed(3)}× autocannon's in the client, ${median(serverCpuRatios).toFixed(3)}× in the server (lower is better)`
    summary.push(line)
    console.log(line + '\n')
  }
  console.log(summary.join('\n'))
} finally {
  await server.close()
}
