import { execFileSync } from 'node:child_process'
import packageJson from '../../package.json' with { type: 'json' }

/** The version of perfgate that wrote a record. */
export const perfgateVersion: string = packageJson.version

/** The git commit checked out in `rootDir`, from CI's variables or git itself; null when unknown. */
export function gitCommit(rootDir: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const fromCi = env['GITHUB_SHA'] ?? env['CI_COMMIT_SHA'] ?? env['BUILDKITE_COMMIT'] ?? env['CIRCLE_SHA1']
  if (fromCi !== undefined && /^[0-9a-f]{7,40}$/i.test(fromCi)) return fromCi
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: rootDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim()
    return /^[0-9a-f]{40}$/.test(commit) ? commit : null
  } catch {
    return null
  }
}
