import { describe, expect, inject, it } from 'vitest'
import type {} from 'perfgate/vitest'
import { measure } from 'perfgate'

const server = inject('qualityServerUrl')
// The bundled fixture server's /fast does no work: QUALITY_SCALE does not slow it down.
const fixture = inject('fixtureServerUrl')

describe('pages', () => {
  it('GET /render keeps its latency', async () => {
    await expect(await measure(`${server}/render`, { samples: 200 })).toMatchBaseline()
  })

  it('GET /fast keeps its latency', async () => {
    await expect(await measure(`${fixture}/fast`, { samples: 200 })).toMatchBaseline()
  })
})
