import { defineConfig } from 'tsup'

const entry = {
  index: 'src/index.ts',
  vitest: 'src/runners/vitest.ts',
  plugin: 'src/runners/plugin.ts',
  jest: 'src/runners/jest.ts',
  'jest-global-setup': 'src/runners/jest-global-setup.ts',
  reporter: 'src/runners/reporter.ts',
  'jest-reporter': 'src/runners/jest-reporter.ts',
  cli: 'src/cli/main.ts',
}

// Runner packages stay external: they belong to the user's project.
const external = ['vitest', 'vite', '@vitest/expect', 'expect', '@jest/globals', '@jest/expect']

export default defineConfig([
  {
    entry,
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    // Keep `node:` on built-ins: a bare "timers/promises" in an inlined build (perfgate linked
    // from outside node_modules, under a folder named run…) sent Vite looking for a file.
    removeNodeProtocol: false,
    dts: true,
    sourcemap: false,
    clean: true,
    splitting: true,
    external,
  },
  {
    // CommonJS for Jest's default mode: tinybench and the d3 modules of the HTML report are
    // ESM-only, and Jest's own module system cannot require() them, so this build bundles them
    // (and simple-statistics) in. d3-scale's own d3 dependencies come along with it.
    entry,
    format: ['cjs'],
    target: 'node20',
    platform: 'node',
    // Keep `node:` on built-ins: a bare "timers/promises" in an inlined build (perfgate linked
    // from outside node_modules, under a folder named run…) sent Vite looking for a file.
    removeNodeProtocol: false,
    dts: true,
    sourcemap: false,
    splitting: false,
    external,
    shims: true,
    noExternal: ['tinybench', 'simple-statistics', /^d3-/, 'internmap'],
  },
])
