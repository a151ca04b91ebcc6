import { checkEnvironmentSettings, ciWriteWarning, isCi, resolveUpdateMode } from '../baselines/update-mode.js'
import { projectConfig, projectRoot } from '../gate/session.js'

/**
 * Jest's `globalSetup` for perfgate: checks perfgate's environment variables and reads and checks the project's config file once, before any
 * test file runs, so an error there stops the run once, naming the file, instead of failing every
 * test that uses a matcher (Jest runs `setupFilesAfterEnv` once per test file, in each worker).
 * It reads the root the workers read: `PERFGATE_ROOT`, else the working directory. Under
 * `jest --ci` without `CI` set, it warns when the run may still write baselines (`-u`).
 * @example
 * // package.json
 * { "jest": { "globalSetup": "perfgate/jest-global-setup", "setupFilesAfterEnv": ["perfgate/jest"] } }
 */
// Jest calls a global setup module's default export (or module.exports itself).
// eslint-disable-next-line no-restricted-syntax
export default async function perfgateGlobalSetup(globalConfig?: { readonly ci?: unknown; readonly updateSnapshot?: unknown }): Promise<void> {
  checkEnvironmentSettings()
  await projectConfig(projectRoot())
  // `jest --ci -u` without CI set: the workers cannot see Jest's CI flag, so the warning a run
  // under CI=true gets from them is said here, once.
  if (globalConfig?.ci === true && !isCi()) {
    const warning = ciWriteWarning(resolveUpdateMode({ _updateSnapshot: globalConfig.updateSnapshot }), process.env, "Jest's CI mode (--ci) is on")
    if (warning !== null) console.warn(warning)
  }
}
