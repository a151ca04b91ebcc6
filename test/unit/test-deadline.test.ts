import { describe, expect, it } from 'vitest'
import { testDeadline } from '../../src/matchers/context.js'
import type { MatcherContext } from '../../src/matchers/context.js'

const context = (timeout: number, startTime = Date.now()): MatcherContext =>
  ({ isNot: false, promise: '', utils: {} as never, task: { timeout, result: { startTime } } }) as MatcherContext

describe("the running test's deadline", () => {
  it.each([2345, 2345.5, 7, 1001])('takes a test timeout of %s ms that is not a multiple of 10', (timeout) => {
    const deadline = testDeadline(context(timeout))
    expect(deadline?.signal.aborted).toBe(false)
    expect(deadline?.testTimeoutMs).toBe(timeout)
  })

  it('fires at once when the time is already past, and says the run was stopped', async () => {
    const deadline = testDeadline(context(1000, Date.now() - 5000))
    await new Promise((resolve) => setTimeout(resolve, 5))
    expect(deadline?.signal.aborted).toBe(true)
    expect(deadline?.stoppedRun()).toBe(true)
  })

  it('is undefined when the runner gives no timeout', () => {
    expect(testDeadline({ isNot: false, promise: '', utils: {} as never })).toBeUndefined()
  })
})
