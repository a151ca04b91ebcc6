import { describe, expect, inject, it } from 'vitest'
import type {} from 'perfgate/vitest'
import { measure } from 'perfgate'

// HTTP latency of endpoints that do real work, on the suite's server in another process.
const server = inject('qualityServerUrl')

describe('api', () => {
  it('GET /csv-report keeps its latency', async () => {
    await expect(await measure(`${server}/csv-report`, { samples: 200 })).toMatchBaseline()
  })

  it('GET /catalog keeps its latency', async () => {
    await expect(await measure(`${server}/catalog`, { samples: 200 })).toMatchBaseline()
  })
})
