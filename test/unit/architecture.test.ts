/**
 * The folder layout of src/ is the architecture; the lint rule in eslint.config.js keeps every
 * import pointing downward. These tests check that the rule bites, on real source paths.
 */
import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

const eslint = new ESLint({ cwd: new URL('../..', import.meta.url).pathname })

async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath })
  return (result?.messages ?? []).filter((message) => message.ruleId === 'no-restricted-imports').map((message) => message.message)
}

describe('the layering lint rule', () => {
  it.each([
    ['src/measure/example.ts', "import { session } from '../gate/session.js'\nvoid session\n", 'src/measure sits below src/gate'],
    ['src/gate/example.ts', "import { toMatchBaseline } from '../matchers/match-baseline.js'\nvoid toMatchBaseline\n", 'src/gate sits below src/matchers'],
    ['src/matchers/example.ts', "import type { TaskLike } from '../runners/vitest.js'\nexport type T = TaskLike\n", 'src/matchers sits below src/runners'],
    ['src/baselines/example.ts', "import { measure } from '../measure/latency.js'\nvoid measure\n", 'src/baselines sits below src/measure'],
    ['src/stats/example.ts', "import { currentEnvironment } from '../machine/environment.js'\nvoid currentEnvironment\n", 'src/stats sits below src/machine'],
    ['src/common/example.ts', "import { mannWhitney } from '../stats/index.js'\nvoid mannWhitney\n", 'src/common sits below src/stats'],
    ['src/gate/example.ts', "import { expect } from 'vitest'\nvoid expect\n", 'Only src/runners may import the test runners'],
  ])('rejects an upward import in %s', async (filePath, code, reason) => {
    const messages = await restrictedImports(filePath, code)
    expect(messages).toHaveLength(1)
    expect(messages[0]).toContain(reason)
  })

  it.each([
    ['src/runners/example.ts', "import { expect } from 'vitest'\nimport { session } from '../gate/session.js'\nvoid expect\nvoid session\n"],
    ['src/matchers/example.ts', "import { session } from '../gate/session.js'\nvoid session\n"],
    ['src/gate/example.ts', "import { measure } from '../measure/latency.js'\nimport { BaselineFile } from '../baselines/store.js'\nvoid measure\nvoid BaselineFile\n"],
    ['src/measure/example.ts', "import { defaultConfig } from '../config/config.js'\nimport { summarizeSorted } from '../stats/index.js'\nvoid defaultConfig\nvoid summarizeSorted\n"],
  ])('allows a downward import in %s', async (filePath, code) => {
    expect(await restrictedImports(filePath, code)).toEqual([])
  })
})
