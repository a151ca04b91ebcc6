import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // The JSON report lets .ci/run print a plain "N passed, N failed" closing line.
    reporters: ['default', ['json', { outputFile: '.tmp/test-results.json' }]],
    // Unit and integration files two at a time first; then the end-to-end files, alone, two at a
    // time too: they run Vitest, Jest and npm in fixture projects, each other's busy neighbours,
    // as users' perf files can be (docs/design.md, "The test suite's time").
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'], maxWorkers: 2, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], globalSetup: ['test/e2e/global-setup.ts'], maxWorkers: 2, sequence: { groupOrder: 1 } },
      },
    ],
  },
})
