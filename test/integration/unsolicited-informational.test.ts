/**
 * A server that answers a plain GET with `100 Continue` or `101 Switching Protocols` (which the
 * request never asked for: no `Expect: 100-continue`, no `Upgrade`) is misbehaving in its own
 * way; undici closes the connection. Such answers are counted under their own kind,
 * `unsolicited:100` / `unsolicited:101`, not as a reset connection (`ECONNRESET`) or undici's
 * internal AssertionError. The server is a raw `net` server on 127.0.0.1 port 0, so it can
 * write what no HTTP server library would.
 */
import { createServer } from 'node:net'
import type { Server, Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { measure } from '../../src/measure/latency.js'
import { runLoad } from '../../src/measure/load.js'

interface RawServer {
  readonly url: string
  /** Requests (heads) received so far. */
  requests(): number
  close(): Promise<void>
}

const servers: RawServer[] = []

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

/** Answers every request head with `answer`, as raw bytes, and leaves the socket open. */
async function rawServer(answer: string): Promise<RawServer> {
  const sockets = new Set<Socket>()
  let requests = 0
  const server: Server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    let head = ''
    socket.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1')
      while (head.includes('\r\n\r\n')) {
        head = head.slice(head.indexOf('\r\n\r\n') + 4)
        requests++
        socket.write(answer)
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  const raw: RawServer = {
    url: `http://127.0.0.1:${address.port}/`,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
  servers.push(raw)
  return raw
}

describe('an unsolicited informational answer', () => {
  it('counts 100 Continue as unsolicited:100, with a reason, not as ECONNRESET', async () => {
    const server = await rawServer('HTTP/1.1 100 Continue\r\n\r\n')
    const result = await measure(server.url, { samples: 3, warmup: 0, timeout: 5000 })
    expect(result.outcomes).toEqual({ 'unsolicited:100': 3 })
    expect(result.errors['unsolicited:100']).toMatch(/^the server answered 100 Continue, which the request did not ask for/)
    expect(server.requests()).toBe(3)
  })

  it('counts 100 Continue followed by a final answer the same way (undici closes at the 100)', async () => {
    const server = await rawServer('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')
    const result = await measure(server.url, { samples: 2, warmup: 0, timeout: 5000 })
    expect(result.outcomes).toEqual({ 'unsolicited:100': 2 })
  })

  it('counts 101 Switching Protocols with an Upgrade header as unsolicited:101, not as ECONNRESET', async () => {
    const server = await rawServer('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n')
    const result = await measure(server.url, { samples: 3, warmup: 0, timeout: 5000 })
    expect(result.outcomes).toEqual({ 'unsolicited:101': 3 })
    expect(result.errors['unsolicited:101']).toMatch(/^the server answered 101 Switching Protocols, which the request did not ask for/)
  })

  it('counts a bare 101 Switching Protocols as unsolicited:101, not as error:AssertionError', async () => {
    const server = await rawServer('HTTP/1.1 101 Switching Protocols\r\n\r\n')
    const result = await measure(server.url, { samples: 3, warmup: 0, timeout: 5000 })
    expect(result.outcomes).toEqual({ 'unsolicited:101': 3 })
  })

  it('is counted the same in a load run, where the rest of the run goes on', async () => {
    const server = await rawServer('HTTP/1.1 100 Continue\r\n\r\n')
    const result = await runLoad(server.url, { requests: 8, concurrency: 2, timeout: 5000 })
    expect(result.outcomes).toEqual({ 'unsolicited:100': 8 })
  })

  it('leaves 102 Processing and 103 Early Hints before a final answer alone: they are allowed', async () => {
    const server = await rawServer('HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')
    const result = await measure(server.url, { samples: 3, warmup: 0, timeout: 5000 })
    expect(result.outcomes).toEqual({ ok: 3 })
  })
})
