import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { checkEnvironmentSettings } from '../baselines/update-mode.js'
import { loadConfig, validateUserConfig } from '../config/config.js'
import { projectRoot } from '../gate/session.js'
import type { PerfgateUserConfig } from '../config/config.js'
import { invalidArgument } from '../common/validate.js'
import { PerfgateReporter } from './reporter.js'

/** Options of the `perfgate()` Vitest plugin: any configuration key, above the config file. */
export interface PerfgatePluginOptions extends PerfgateUserConfig {
  /** Add perfgate's setup file (default true). Turn off when you list `perfgate/vitest` yourself. */
  readonly setupFile?: boolean
  /** Add perfgate's reporter beside yours (default true): the end-of-run table and the report files. */
  readonly reporter?: boolean
}

/** The part of Vite's resolved config the plugin reads. */
interface ViteConfigLike {
  readonly root?: string
  readonly test?: { readonly root?: string }
}

/** The Vite plugin object `perfgate()` returns (structurally a Vite `Plugin`). */
export interface PerfgatePlugin {
  readonly name: 'perfgate'
  config(config: ViteConfigLike): Promise<{ test: { setupFiles: string[]; includeTaskLocation: boolean; env: Record<string, string> } }>
  configureVitest(context: { readonly vitest: VitestWithReporters }): void
}

/** The part of Vitest the plugin adds its reporter to (resolved before the reporters are made). */
interface VitestWithReporters {
  readonly config: { reporters: unknown[] }
}

/** Vitest instances that have perfgate's reporter: every project runs the plugin's hook. */
const withReporter = new WeakSet<object>()

/**
 * The Vitest plugin: adds perfgate's setup file, which registers the matchers, and its reporter
 * (beside yours), in one line, and hands its options (any configuration key) to both. It reads and checks the
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
  if (typeof options !== 'object' || options === null || Array.isArray(options)) invalidArgument('options', 'an object of perfgate options', options)
  const { setupFile: addSetupFile, reporter: addReporter, ...configOptions } = options
  for (const [name, value] of [['setupFile', addSetupFile], ['reporter', addReporter]] as const) {
    if (value !== undefined && typeof value !== 'boolean') invalidArgument(`options.${name}`, 'true or false', value)
  }
  // Checked here, so a typo fails when the config loads rather than in every test.
  const config = validateUserConfig(configOptions, 'perfgate() plugin options')
  const setupFile = fileURLToPath(new URL('./vitest.js', import.meta.url))
  return {
    name: 'perfgate',
    async config(viteConfig) {
      // PERFGATE_ROOT, when set, wins here too: the reporter reads it, and the workers must agree.
      const root = resolve(projectRoot(process.env, viteConfig.test?.root ?? viteConfig.root ?? process.cwd()))
      // Vitest shows a plugin's error as its "Startup Error", once; the workers read the file again.
      checkEnvironmentSettings()
      await loadConfig(root, config)
      return {
        test: {
          setupFiles: addSetupFile === false ? [] : [setupFile],
          // Each record (and each GitHub annotation) names its test's line: Vitest gives it with this on.
          includeTaskLocation: true,
          env: {
            PERFGATE_ROOT: root,
            PERFGATE_PLUGIN_OPTIONS: JSON.stringify(config),
            ...(addReporter === false ? {} : { PERFGATE_REPORTER: '1' }),
          },
        },
      }
    },
    configureVitest({ vitest }) {
      if (addReporter === false || withReporter.has(vitest)) return
      withReporter.add(vitest)
      const reporters = vitest.config.reporters
      const listed = reporters.some((entry) => entry instanceof PerfgateReporter || (Array.isArray(entry) && entry[0] === 'perfgate/reporter'))
      if (!listed) reporters.push(new PerfgateReporter(config))
    },
  }
}
