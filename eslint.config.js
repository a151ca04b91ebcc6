import js from '@eslint/js'
import globals from 'globals'
import tseslint from 'typescript-eslint'

// The architecture, top to bottom: a folder of src/ imports only from folders below it.
// runners → matchers | report → gate → measure | baselines → config → machine | stats → common
// (report/ renders what the gate records; cli/ will sit beside runners.)
const layers = ['cli', 'runners', 'matchers', 'report', 'gate', 'measure', 'baselines', 'config', 'machine', 'stats', 'common']
// Folders on one level do not import each other.
const peers = { cli: ['runners'], runners: ['cli'], matchers: ['report'], report: ['matchers'], measure: ['baselines'], baselines: ['measure'], machine: ['stats'], stats: ['machine'] }
const runnerPackages = ['vitest', 'vitest/*', 'vite', 'jest', 'expect', '@jest/*', '@vitest/*']

function layerRules(layer) {
  const above = [...new Set([...layers.slice(0, layers.indexOf(layer)), ...(peers[layer] ?? [])])]
  const patterns = above.map((folder) => ({
    group: [`../${folder}/*`, `../../${folder}/*`, `../${folder}`, `../${folder}/index.js`],
    message: `src/${layer} sits below src/${folder} and must not import from it (see docs/design.md, Architecture).`,
  }))
  if (layer !== 'runners') {
    patterns.push({ group: runnerPackages, message: 'Only src/runners may import the test runners: the core works without them.' })
  }
  return { files: [`src/${layer}/**/*.ts`], rules: { 'no-restricted-imports': ['error', { patterns }] } }
}

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '.perfgate/', '.tmp/', 'fixtures/projects/**/node_modules/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': ['error', { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' }],
    },
  },
  ...layers.map(layerRules),
  {
    files: ['eslint.config.js', 'tsup.config.ts', 'vitest.config.ts', '**/vitest.config.ts', '**/vitest.config.mts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
)
