import { createHash } from 'node:crypto'
import path from 'node:path'
import { PerfgateError } from '../common/errors.js'
import { integerAtLeast, invalidArgument } from '../common/validate.js'

/** Where the baselines of test files outside the project root go, inside `baselineDir`. */
const externalDir = '__external__'

/**
 * The baseline file of one test file: `<rootDir>/<baselineDir>/<testFile relative to rootDir>.json`,
 * always absolute and always inside `baselineDir`, which must lie inside `rootDir`. A test file
 * outside `rootDir` maps to `<baselineDir>/__external__/<its file name>.<hash>.json`, the hash
 * taken over its path relative to the root: no directory of the user's in the name, and the same
 * name on every machine where the project is laid out the same way.
 * @example baselineFilePath({ rootDir: '/app', baselineDir: 'baselines', testFile: 'test/a.test.ts' })
 * // => '/app/baselines/test/a.test.ts.json'
 */
export function baselineFilePath(options: { rootDir: string; baselineDir: string; testFile: string }): string {
  const { rootDir, baselineDir, testFile } = options
  for (const [name, value] of [['rootDir', rootDir], ['baselineDir', baselineDir], ['testFile', testFile]] as const) {
    if (typeof value !== 'string' || value === '') invalidArgument(name, 'a non-empty path', value)
  }
  const root = path.resolve(rootDir)
  const baseDir = path.resolve(root, baselineDir)
  if (escapes(path.relative(root, baseDir))) {
    throw new PerfgateError(
      'PERFGATE_CONFIG_INVALID',
      `Expected \`baselineDir\` to be a folder inside the project root ${root}, got ${JSON.stringify(baselineDir)}: perfgate writes baselines only inside the project.`,
    )
  }
  const testPath = path.resolve(root, testFile)
  const relative = path.relative(root, testPath)
  const file = relative === '' || escapes(relative) ? path.join(externalDir, externalName(testPath, relative)) : relative
  const result = path.join(baseDir, `${file}.json`)
  // The branches above cannot leave baseDir; this check keeps it so if they ever change.
  const inside = path.relative(baseDir, result)
  if (inside === '' || escapes(inside)) {
    throw new PerfgateError(
      'PERFGATE_BASELINE_INVALID',
      `The baseline file for ${testPath} would be ${result}, outside the baseline directory ${baseDir}; perfgate writes only inside it.`,
    )
  }
  return result
}

/** Whether a path made by `path.relative` leads out of its base (`..`, or another drive on Windows). */
function escapes(relative: string): boolean {
  return relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)
}

/**
 * One flat, portable file name for a test file outside the root: its own name (unsafe characters
 * as `_`, long names keeping their end), and a hash of its path relative to the root with `/`
 * separators, which keeps two such files apart without writing where they are.
 */
function externalName(testPath: string, relative: string): string {
  // Another drive (Windows) has no relative path: its absolute path is only hashed, never shown.
  const portable = path.isAbsolute(relative) ? testPath : relative.split(path.sep).join('/')
  const hash = createHash('sha256').update(portable).digest('hex').slice(0, 8)
  const flat = path.basename(testPath).replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[_.]+/, '')
  return `${flat.slice(-120) || 'test'}.${hash}`
}

/**
 * Escapes one title or name for a key: a backslash, and a `>` or `#` after a space, get a
 * backslash, so that no title can contain the separators (` > `, ` >> `, ` #`) unescaped.
 * Titles without them (nearly all) are unchanged.
 */
function escapeKeyPart(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/ ([>#])/g, ' \\$1')
}

/**
 * The key of one comparison inside a baseline file, unambiguous for every test:
 * - the test's titles (describe blocks, then the test) joined by ` > `;
 * - then ` >> <name>` when a `name` is given;
 * - then ` #<occurrence>` from the second comparison of the same key base in one test on.
 *
 * In titles and names, a backslash and a `>` or `#` after a space are escaped with a backslash,
 * so `c >> d` (test `c`, name `d`) differs from `c > d` (test `d` in describe `c`), and `x #2`
 * (test `x`'s second comparison) from `x 2` (a test named `x 2`). Keys are only ever JSON object
 * keys, never parts of a path, so a test name such as `../../etc/passwd` is just text here.
 * @example baselineKey(['parser', 'parses a line'], undefined, 2) // => 'parser > parses a line #2'
 */
export function baselineKey(titles: readonly string[], name: string | undefined, occurrence: number): string {
  if (!Array.isArray(titles) || titles.length === 0 || titles.some((title) => typeof title !== 'string')) {
    invalidArgument('titles', 'a non-empty array of strings', titles)
  }
  if (titles.join('') === '') invalidArgument('titles', 'titles with text', titles)
  if (name !== undefined && (typeof name !== 'string' || name === '')) invalidArgument('name', 'a non-empty string', name)
  integerAtLeast('occurrence', occurrence, 1)
  const path = titles.map(escapeKeyPart).join(' > ')
  const named = name === undefined ? path : `${path} >> ${escapeKeyPart(name)}`
  return occurrence > 1 ? `${named} #${occurrence}` : named
}

/**
 * The key perfgate 0.1 gave the same comparison (`test > name`, then ` 2`), which could be
 * ambiguous. Files written then are read through it, and their entries moved to the exact key
 * when the run may write.
 */
export function legacyBaselineKey(testName: string, name: string | undefined, occurrence: number): string {
  const named = name === undefined ? testName : `${testName} > ${name}`
  return occurrence > 1 ? `${named} ${occurrence}` : named
}
