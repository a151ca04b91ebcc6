import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const script = fileURLToPath(new URL('./scripts/hang-then-exit.mjs', import.meta.url))
const built = fileURLToPath(new URL('../../dist/index.js', import.meta.url))

describe('a hanging target', () => {
  it('fails within its timeout and leaves nothing that keeps the process alive', async () => {
    expect(existsSync(built), 'run `npm run build` first (npm test does)').toBe(true)
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    // A generous bound that only a leaked socket or timer would reach.
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000)
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.on('exit', (exitCode, exitSignal) => resolve([exitCode, exitSignal])),
    )
    clearTimeout(killer)
    expect(signal, `the process had to be killed; stderr: ${stderr}`).toBeNull()
    expect(code, stderr).toBe(0)
    expect(JSON.parse(stdout)).toEqual({ latency: { timeout: 3 }, load: { timeout: 4 }, open: { timeout: 5 } })
  })
})
