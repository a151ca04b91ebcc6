import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadConfig, validateUserConfig } from '../config/config.js'
import type { PerfgateUserConfig } from '../config/config.js'

/** Options of the `perfgate()` Vitest plugin: any configuration key, above the config file. */
export interface PerfgatePluginOptions extends PerfgateUserConfig {
  /** Add perfgate's setup file (default true). Turn off when you list `perfgate/vitest` yourself. */
  readonly setupFile?: boolean
}

/** The part of Vite's resolved config the plugin reads. */
interface ViteConfigLike {
  readonly root?: string
  readonly test?: { readonly root?: string }
}

/** The Vite plugin object `perfgate()` returns (structurally a Vite `Plugin`). */
export interface PerfgatePlugin {
  readonly name: 'perfgate'
  config(config: ViteConfigLike): Promise<{ test: { setupFiles: string[]; env: Record<string, string> } }>
}

/**
 * The Vitest plugin: adds perfgate's setup file, which registers the matchers, in one line,
 * and hands its options (any configuration key) to the test workers. It reads and checks the
 * project's config file when Vitest starts, so an error there stops the run once, naming the
 * file, instead of failing every test that uses a matcher.
 * (A plugin cannot add types: reference `perfgate/vitest` once, see the README.)
 * @example
 * // vitest.config.ts
 * import { defineConfig } from 'vitest/config'
 * import { perfgate } from 'perfgate/plugin'
 * export default defineConfig({ plugins: [perfgate({ threshold: 0.15 })] })
 */
export function perfgate(options: PerfgatePluginOptions = {}): PerfgatePlugin {
  const { setupFile: addSetupFile, ...configOptions } = options
  // Checked here, so a typo fails when the config loads rather than in every test.
  const config = validateUserConfig(configOptions, 'perfgate() plugin options')
  const setupFile = fileURLToPath(new URL('./vitest.js', import.meta.url))
  return {
    name: 'perfgate',
    async config(viteConfig) {
      const root = resolve(viteConfig.test?.root ?? viteConfig.root ?? process.cwd())
      // Vitest shows a plugin's error as its "Startup Error", once; the workers read the file again.
      await loadConfig(root, config)
      return {
        test: {
          setupFiles: addSetupFile === false ? [] : [setupFile],
          env: { PERFGATE_ROOT: root, PERFGATE_PLUGIN_OPTIONS: JSON.stringify(config) },
        },
      }
    },
  }
}
