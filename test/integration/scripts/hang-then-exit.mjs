// Measures a server that accepts connections and never answers, then returns without
// closing anything by hand: the process must exit on its own, with no unhandled rejection.
import net from 'node:net'
import { measure, runLoad } from '../../../dist/index.js'

const sockets = new Set()
const server = net.createServer((socket) => {
  sockets.add(socket)
  socket.on('close', () => sockets.delete(socket))
})
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
const { port } = server.address()
const url = `http://127.0.0.1:${port}/`

const latency = await measure(url, { samples: 3, warmup: 1, timeout: 200, concurrency: 2 })
const load = await runLoad(url, { requests: 4, concurrency: 4, timeout: 200 })
const open = await runLoad(url, { rate: 50, duration: 100, timeout: 200 })

// Stop the server; perfgate's sockets to it must already be gone for the process to end.
server.close()
for (const socket of sockets) socket.destroy()
process.stdout.write(JSON.stringify({ latency: latency.outcomes, load: load.outcomes, open: open.outcomes }) + '\n')
