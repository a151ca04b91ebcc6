/**
 * Global setup of the quality suite: starts its HTTP server (bench/suite/server.ts) and the
 * bundled fixture server (for `/fast`), each in its own process on 127.0.0.1, port 0, hands
 * their URLs to the test files, and stops both at the end.
 */
import { spawn } from 'node:child_process'
import type { ChildProcessWithoutNullStreams } from 'node:child_process'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { TestProject } from 'vitest/node'
import { startFixtureServerProcess } from '../../fixtures/server.js'

declare module 'vitest' {
  export interface ProvidedContext {
    qualityServerUrl: string
    fixtureServerUrl: string
  }
}

const suiteDir = dirname(fileURLToPath(import.meta.url))
const repoRoot = join(suiteDir, '..', '..')
const startTimeoutMs = 20_000

let server: ChildProcessWithoutNullStreams | undefined
let fixture: { close(): Promise<void> } | undefined

/** Starts bench/suite/server.ts in its own process and resolves with its URL. */
function startQualityServer(): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(suiteDir, 'server.ts')], { cwd: repoRoot, env: process.env, stdio: 'pipe' })
  server = child
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk.slice(0, 4096)))
  child.stdin.on('error', () => {})
  return new Promise((resolve, reject) => {
    const fail = (reason: string): void => {
      clearTimeout(timer)
      child.kill('SIGKILL')
      reject(new Error(`quality server: ${reason}${stderr === '' ? '' : `\n${stderr}`}`))
    }
    const timer = setTimeout(() => fail(`no URL line within ${startTimeoutMs} ms`), startTimeoutMs)
    child.once('error', (error) => fail(`spawn failed: ${error.message}`))
    child.once('exit', (code, signal) => fail(`exited early (code ${code}, signal ${signal})`))
    const lines = createInterface({ input: child.stdout })
    lines.on('line', (line) => {
      try {
        const parsed = JSON.parse(line) as { url?: unknown }
        if (typeof parsed.url !== 'string') return
        clearTimeout(timer)
        child.removeAllListeners('exit')
        lines.close()
        child.stdout.resume()
        resolve(parsed.url)
      } catch {
        // not the URL line
      }
    })
  })
}

export async function setup(project: TestProject): Promise<void> {
  const [url, fixtureServer] = await Promise.all([startQualityServer(), startFixtureServerProcess()])
  fixture = fixtureServer
  project.provide('qualityServerUrl', url)
  project.provide('fixtureServerUrl', fixtureServer.url)
}

export async function teardown(): Promise<void> {
  await fixture?.close()
  const child = server
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  const force = setTimeout(() => child.kill('SIGKILL'), 5_000)
  await exited
  clearTimeout(force)
  child.stdin.destroy()
}
