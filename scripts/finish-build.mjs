// Runs after tsup. The CommonJS declarations of `perfgate/vitest` augment 'vitest' as a
// CommonJS file resolves it: to vitest's `index.d.cts`, which only does `export * from` its
// ESM declarations, so the augmentation never reaches vitest's `Matchers`. TypeScript reads
// those CommonJS declarations whenever "perfgate/vitest" sits in `compilerOptions.types` under
// NodeNext resolution (it resolves `types` entries as a require). A reference to the ESM
// declarations, whose augmentation does reach it, makes both routes type the matchers.
import { readFileSync, writeFileSync } from 'node:fs'

const file = new URL('../dist/vitest.d.cts', import.meta.url)
const reference = '/// <reference path="./vitest.d.ts" />\n'
const text = readFileSync(file, 'utf8')
if (!text.includes("declare module 'vitest'")) {
  throw new Error(`${file.pathname}: expected the 'vitest' augmentation; the build changed, review scripts/finish-build.mjs`)
}
if (!text.startsWith(reference)) writeFileSync(file, reference + text)
