import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import type * as Perfgate from '../../src/index.js'

// The ESM and CommonJS builds can both load in one process (Jest's setup file and a test's own
// import can pick different ones); nothing may split between them.
const esmPath = fileURLToPath(new URL('../../dist/index.js', import.meta.url))
const cjsPath = fileURLToPath(new URL('../../dist/index.cjs', import.meta.url))

type Core = typeof Perfgate

async function bothBuilds(): Promise<{ esm: Core; cjs: Core }> {
  expect(existsSync(cjsPath), 'run `npm run build` first (npm test does)').toBe(true)
  const esm = (await import(esmPath)) as Core
  const cjs = createRequire(import.meta.url)(cjsPath) as Core
  return { esm, cjs }
}

describe('the ESM and CommonJS builds in one process', () => {
  it('are separate copies of the code', async () => {
    const { esm, cjs } = await bothBuilds()
    expect(esm.PerfgateTypeError).not.toBe(cjs.PerfgateTypeError)
  })

  it("recognise each other's errors with instanceof", async () => {
    const { esm, cjs } = await bothBuilds()
    const fromCjs = await cjs.measure(() => 1, { samples: 0 }).catch((error: unknown) => error)
    expect(fromCjs).toBeInstanceOf(esm.PerfgateTypeError)
    expect(fromCjs).toBeInstanceOf(TypeError)
    expect(fromCjs).not.toBeInstanceOf(esm.PerfgateError)
    const fromEsm = (() => {
      try {
        esm.parseBaselineFile('{', '/x.json')
      } catch (error) {
        return error
      }
    })()
    expect(fromEsm).toBeInstanceOf(cjs.PerfgateError)
    expect(fromEsm).not.toBeInstanceOf(cjs.PerfgateTypeError)
    expect(new Error('plain')).not.toBeInstanceOf(cjs.PerfgateError)
  })

  it("compare one build's results with the other's", async () => {
    const { esm, cjs } = await bothBuilds()
    const a = await esm.benchmark('a', () => Math.sqrt(2), { time: 50, warmupTime: 0 })
    const b = await cjs.benchmark('b', () => Math.sqrt(2), { time: 50, warmupTime: 0 })
    expect(['unchanged', 'improved', 'regressed', 'inconclusive']).toContain(cjs.compare(a, b).verdict)
  })
})
