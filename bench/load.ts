/**
 * perfgate's load generator against autocannon on the same loopback server, interleaved.
 *
 *   npm run bench:load            (5 pairs at concurrency 10 and 50, 3 s each)
 *   PAIRS=7 SECONDS=5 npm run bench:load
 *
 * The server runs in its own process so that it does not share an event loop with either
 * client. Each pair runs both clients back to back, alternating which goes first; the figure
 * is the median of the per-pair ratios of requests per second (perfgate / autocannon).
 */
import autocannon from 'autocannon'
import { median } from 'simple-statistics'
import { startFixtureServerProcess } from '../fixtures/server.js'
import { runLoad } from '../src/index.js'

const pairs = Number(process.env['PAIRS'] ?? 5)
const seconds = Number(process.env['SECONDS'] ?? 3)
const concurrencies = (process.env['CONCURRENCY'] ?? '10,50').split(',').map(Number)

async function perfgateRps(url: string, concurrency: number, durationMs: number): Promise<number> {
  const result = await runLoad(url, { duration: durationMs, concurrency })
  if (result.failures > 0) throw new Error(`perfgate saw failures: ${JSON.stringify(result.outcomes)}`)
  return result.throughput
}

async function autocannonRps(url: string, concurrency: number, durationMs: number): Promise<number> {
  const result = await autocannon({ url, connections: concurrency, duration: durationMs / 1000, pipelining: 1 })
  if (result.errors > 0 || result.non2xx > 0) throw new Error(`autocannon saw ${result.errors} errors, ${result.non2xx} non-2xx`)
  return result.requests.total / (result.duration || durationMs / 1000)
}

const server = await startFixtureServerProcess()
const url = `${server.url}/fast`
try {
  // Warm both clients' code paths and the server before anything counts.
  await perfgateRps(url, 10, 500)
  await autocannonRps(url, 10, 500)
  console.log(`perfgate runLoad vs autocannon on ${url} (server in its own process), ${pairs} pairs × ${seconds} s\n`)
  const summary: string[] = []
  for (const concurrency of concurrencies) {
    const ratios: number[] = []
    for (let pair = 0; pair < pairs; pair++) {
      const perfgateFirst = pair % 2 === 0
      const first = perfgateFirst ? await perfgateRps(url, concurrency, seconds * 1000) : await autocannonRps(url, concurrency, seconds * 1000)
      const second = perfgateFirst ? await autocannonRps(url, concurrency, seconds * 1000) : await perfgateRps(url, concurrency, seconds * 1000)
      const [ours, theirs] = perfgateFirst ? [first, second] : [second, first]
      ratios.push(ours / theirs)
      console.log(`c=${concurrency} pair ${pair + 1}: perfgate ${ours.toFixed(0)} req/s, autocannon ${theirs.toFixed(0)} req/s, ratio ${(ours / theirs).toFixed(3)}`)
    }
    const line = `concurrency ${concurrency}: median ratio ${median(ratios).toFixed(3)}× autocannon (min ${Math.min(...ratios).toFixed(3)}, max ${Math.max(...ratios).toFixed(3)})`
    summary.push(line)
    console.log(line + '\n')
  }
  console.log(summary.join('\n'))
} finally {
  await server.close()
}
