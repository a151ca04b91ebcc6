import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/e2e/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two files at a time on a 2-core machine (Vitest 4 runs one there by default): the e2e
    // files mostly wait on the Vitest, Jest and npm processes they start, so the suite takes
    // about 350 s instead of 530-560 s (docs/design.md, "The test suite's time").
    maxWorkers: 2,
    // The JSON report lets .ci/run print a plain "N passed, N failed" closing line.
    reporters: ['default', ['json', { outputFile: '.tmp/test-results.json' }]],
  },
})
