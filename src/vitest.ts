import './vitest-guard.js'
import { expect } from 'vitest'
import { perfgateMatchers } from './matchers/index.js'
import type { PerfgateMatchers } from './types.js'

expect.extend(perfgateMatchers)

declare module 'vitest' {
  // No type parameters on purpose: Vitest 4 declares `Matchers<T = any>`, Vitest 5
  // `Matchers<R extends void | Promise<void> = …, T = unknown>`. A declaration without
  // parameters merges with both, because all of theirs have defaults.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Matchers extends PerfgateMatchers<void> {}
}

export type { PerfgateMatchers }
