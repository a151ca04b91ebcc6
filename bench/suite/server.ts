/**
 * The quality suite's HTTP server, run in its own process by the suite's global setup:
 *
 *   node --import tsx bench/suite/server.ts
 *
 * Listens on 127.0.0.1, port 0, and prints one JSON line `{"url":"http://127.0.0.1:NNNN"}`.
 * Each endpoint does real work per request, QUALITY_SCALE times the normal amount (unless it is
 * slowed by latency, below):
 *
 * - `GET /csv-report`  parses an orders export with csv-parse and sums the revenue per region
 * - `GET /catalog`     builds a catalog page and serializes it to JSON
 * - `GET /render`      renders a markdown document to HTML with marked
 *
 * With QUALITY_ENDPOINT_EXTRA_MS (a JSON object: path → milliseconds), the work of each path it
 * names stays at scale 1 and each request to it takes that much longer: a spin of the given time
 * on this process's CPU, then the work (the planted slowdown of an endpoint whose latency grew by
 * that much; bench/quality-suite.ts sets it to (scale − 1) × the latency recorded for the path).
 *
 * Exits on SIGTERM / SIGINT, or when its stdin ends (so it never outlives the test run).
 */
import http from 'node:http'
import type { Socket } from 'node:net'
import { performance } from 'node:perf_hooks'
import { catalogPage, markdownDoc, ordersCsv, qualityScale, renderMarkdown, revenueByRegion, units } from './workloads.js'

/** QUALITY_ENDPOINT_EXTRA_MS: path → the milliseconds each request to it takes longer. */
function readExtraMs(raw: string | undefined): ReadonlyMap<string, number> | undefined {
  if (raw === undefined || raw === '') return undefined
  const parsed: unknown = JSON.parse(raw)
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`QUALITY_ENDPOINT_EXTRA_MS must be a JSON object, got ${raw}`)
  const entries = Object.entries(parsed)
  for (const [path, ms] of entries) {
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw new Error(`QUALITY_ENDPOINT_EXTRA_MS: ${path} must be a number of milliseconds ≥ 0, got ${JSON.stringify(ms)}`)
  }
  return new Map(entries as [string, number][])
}
const extraMs = readExtraMs(process.env['QUALITY_ENDPOINT_EXTRA_MS'])
/** A path's work scale: 1 when its slowdown is planted as latency instead. */
const workScale = (path: string): number => (extraMs?.has(path) === true ? 1 : qualityScale)

/** Keeps this process's CPU busy for `ms` milliseconds. */
function spin(ms: number): void {
  const until = performance.now() + ms
  while (performance.now() < until) {
    // the planted slowdown
  }
}

// The inputs are built once; each request does the work on them again.
const csv = ordersCsv(units(150, workScale('/csv-report')))
const markdown = markdownDoc(units(8, workScale('/render')))
const catalogItems = units(400, workScale('/catalog'))

function json(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) })
  res.end(body)
}

const server = http.createServer((req, res) => {
  req.resume()
  const path = (req.url ?? '/').split('?')[0] ?? '/'
  try {
    spin(extraMs?.get(path) ?? 0)
    switch (path) {
      case '/csv-report':
        json(res, 200, JSON.stringify({ scale: workScale('/csv-report'), revenue: revenueByRegion(csv) }))
        return
      case '/catalog':
        json(res, 200, JSON.stringify(catalogPage(catalogItems)))
        return
      case '/render': {
        const length = renderMarkdown(markdown)
        json(res, 200, JSON.stringify({ html: length }))
        return
      }
      default:
        json(res, 404, JSON.stringify({ error: `not found: ${path}` }))
    }
  } catch (error) {
    json(res, 500, JSON.stringify({ error: error instanceof Error ? error.message : String(error) }))
  }
})
server.keepAliveTimeout = 5_000

const sockets = new Set<Socket>()
server.on('connection', (socket: Socket) => {
  sockets.add(socket)
  socket.once('close', () => sockets.delete(socket))
})
server.on('clientError', (_error, socket: Socket) => socket.destroy())

await new Promise<void>((resolve, reject) => {
  server.once('error', reject)
  server.listen(0, '127.0.0.1', () => resolve())
})
const address = server.address()
if (address === null || typeof address === 'string') throw new Error('quality server: unexpected listen address')

let stopping = false
function stop(): void {
  if (stopping) return
  stopping = true
  server.close(() => process.exit(0))
  server.closeAllConnections()
  for (const socket of sockets) socket.destroy()
  setTimeout(() => process.exit(0), 2_000).unref()
}
process.once('SIGTERM', stop)
process.once('SIGINT', stop)
process.stdin.once('end', stop)
process.stdin.once('close', stop)
process.stdin.on('error', stop)
process.stdin.resume()

process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${address.port}`, scale: qualityScale, extraMs: extraMs === undefined ? null : Object.fromEntries(extraMs) })}\n`)
