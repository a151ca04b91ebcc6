import { defineConfig } from 'vitest/config'
import { perfgate } from '../../src/runners/plugin.js'

// perfgate benchmarking itself: its own hot paths, with baselines under <repo>/baselines/.
export default defineConfig({
  // From source, so the setup file is listed by hand (the plugin would point at dist/).
  plugins: [perfgate({ setupFile: false })],
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['bench/self/**/*.perf.ts'],
    setupFiles: ['src/runners/vitest.ts'],
    testTimeout: 120_000,
  },
})
