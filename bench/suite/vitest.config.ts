import { defineConfig } from 'vitest/config'
// Like fixtures/demo: perfgate by package name, resolved to this package's own build (run
// `npm run build` first).
import { perfgate } from 'perfgate/plugin'

// The quality suite (npm run bench:quality:suite): a small, realistic perf suite. The driver
// chooses the baseline directory per trial (QUALITY_BASELINE_DIR, absolute, inside this folder:
// perfgate writes baselines only inside the project root); run by hand it keeps them in .tmp/.
export default defineConfig({
  plugins: [perfgate({ baselineDir: process.env['QUALITY_BASELINE_DIR'] ?? '.tmp/manual/baselines' })],
  test: {
    root: import.meta.dirname,
    include: ['**/*.perf.ts'],
    globalSetup: ['./global-setup.ts'],
    setupFiles: ['./records-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
