import { fileURLToPath } from 'node:url'

/** Options of the `perfgate()` Vitest plugin. */
export interface PerfgatePluginOptions {
  /** Add perfgate's setup file (default true). Turn off when you list `perfgate/vitest` yourself. */
  readonly setupFile?: boolean
}

/** The Vite plugin object `perfgate()` returns (structurally a Vite `Plugin`). */
export interface PerfgatePlugin {
  readonly name: 'perfgate'
  config(): { test: { setupFiles: string[] } }
}

/**
 * The Vitest plugin: adds perfgate's setup file (its matchers and their types) in one line.
 * @example
 * // vitest.config.ts
 * import { defineConfig } from 'vitest/config'
 * import { perfgate } from 'perfgate/plugin'
 * export default defineConfig({ plugins: [perfgate()] })
 */
export function perfgate(options: PerfgatePluginOptions = {}): PerfgatePlugin {
  const setupFile = fileURLToPath(new URL('./vitest.js', import.meta.url))
  return {
    name: 'perfgate',
    config() {
      return { test: { setupFiles: options.setupFile === false ? [] : [setupFile] } }
    },
  }
}
