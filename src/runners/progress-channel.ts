/**
 * Progress from the test workers to perfgate's reporter. The workers' output is not a terminal
 * (the runners pipe it), so a worker sends each progress event as a JSON line over a local
 * socket (a Unix socket, or a named pipe on Windows) that the reporter opens in the main
 * process, and the reporter prints it there. Only in an interactive terminal, never in CI.
 */
import { createConnection, createServer } from 'node:net'
import type { Server, Socket } from 'node:net'
import { randomUUID } from 'node:crypto'
import { rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setProgressSink } from '../common/progress.js'
import type { ProgressEvent } from '../common/progress.js'
import { formatProgress } from '../report/progress.js'

export const progressSocketVariable = 'PERFGATE_PROGRESS_SOCKET'

/** Whether progress should be drawn on `out`: an interactive terminal, and not CI. */
export function wantsProgress(out: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = env['CI']
  return out.isTTY === true && (ci === undefined || ci === '' || ci === 'false' || ci === '0')
}

/** In a worker: sends this process's progress to the reporter named in the environment, if any. */
export function sendProgressToReporter(env: NodeJS.ProcessEnv = process.env): void {
  const path = env[progressSocketVariable]
  if (path === undefined || path === '') return
  let socket: Socket | undefined
  let broken = false
  setProgressSink((event) => {
    if (broken) return
    if (socket === undefined) {
      socket = createConnection(path)
      // A reporter that is gone costs nothing: progress stops, the run goes on.
      socket.on('error', () => {
        broken = true
        socket?.destroy()
      })
      socket.unref()
    }
    socket.write(`${JSON.stringify(event)}\n`)
  })
}

/** In the reporter: a socket the workers send progress to, printed to `out` one line per event. */
export class ProgressListener {
  readonly path: string
  private readonly server: Server

  constructor(out: { write(text: string): unknown }) {
    this.path = process.platform === 'win32' ? `\\\\.\\pipe\\perfgate-${randomUUID()}` : join(tmpdir(), `perfgate-progress-${randomUUID()}.sock`)
    this.server = createServer((socket) => {
      // A worker in this very process (Jest in band, Vitest threads) must not be kept alive by its own progress.
      socket.unref()
      let pending = ''
      socket.setEncoding('utf8')
      socket.on('data', (chunk: string) => {
        pending += chunk
        let newline = pending.indexOf('\n')
        while (newline >= 0) {
          const line = pending.slice(0, newline)
          pending = pending.slice(newline + 1)
          newline = pending.indexOf('\n')
          const event = parseEvent(line)
          if (event !== undefined) out.write(`${formatProgress(event)}\n`)
        }
      })
      socket.on('error', () => socket.destroy())
    })
    this.server.on('error', () => undefined)
    this.server.listen(this.path)
    // It serves the whole run (and watch mode's reruns), keeps no process alive, and its socket file goes at exit.
    this.server.unref()
    process.once('exit', () => this.close())
  }

  close(): void {
    this.server.close()
    if (process.platform !== 'win32') rmSync(this.path, { force: true })
  }
}

function parseEvent(line: string): ProgressEvent | undefined {
  try {
    const value = JSON.parse(line) as Partial<ProgressEvent>
    if (typeof value.what !== 'string' || typeof value.elapsedMs !== 'number') return undefined
    return {
      what: value.what,
      elapsedMs: value.elapsedMs,
      plannedMs: typeof value.plannedMs === 'number' ? value.plannedMs : null,
      ...(typeof value.requests === 'number' ? { requests: value.requests } : {}),
    }
  } catch {
    return undefined
  }
}
