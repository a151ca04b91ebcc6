import { keepRecord } from '../gate/session.js'
import { siteFields } from '../gate/records.js'
import type { ErrorRecord } from '../gate/records.js'
import { resolveTarget } from '../measure/target.js'
import { toRespondWithin } from './respond-within.js'
import { toSustainSuccessRate } from './success-rate.js'
import { toMatchBaseline } from './match-baseline.js'
import { assertionSite } from './context.js'
import type { MatcherContext, MatcherResult } from './context.js'

export type { RespondWithinOptions, LatencyStatistic } from './respond-within.js'
export type { SustainSuccessRateOptions } from './success-rate.js'
export type { MatchBaselineOptions } from './match-baseline.js'
export type { MatcherContext, MatcherResult, MatcherUtils } from './context.js'

type Matcher = (this: MatcherContext, received: unknown, ...args: unknown[]) => Promise<MatcherResult>

/** What a matcher was asked about, for its error record: the URL or the function's name. */
function targetLabel(received: unknown): string | null {
  if (typeof received === 'object' && received !== null && 'kind' in received && 'target' in received && typeof received.target === 'string') return received.target
  try {
    return resolveTarget(received).label
  } catch {
    return null
  }
}

/**
 * The matcher, keeping an error record when it throws instead of deciding, so that the reports
 * count the assertion as failed (its test failed) rather than leave it out. Outside a test there
 * is nothing to report it under, and nothing is kept.
 */
function keepingErrors(matcherName: string, matcher: Matcher): Matcher {
  return async function (this: MatcherContext, received: unknown, ...args: unknown[]): Promise<MatcherResult> {
    try {
      return await matcher.call(this, received, ...args)
    } catch (error) {
      const site = assertionSite(this) ?? (this.testPath === undefined ? undefined : { testFile: this.testPath, testName: this.currentTestName ?? '' })
      if (site !== undefined) {
        const thrown = error instanceof Error ? error : new Error(String(error))
        const code = (thrown as { code?: unknown }).code
        const record: ErrorRecord = {
          kind: 'error',
          ...siteFields(site),
          pass: false,
          negated: this.isNot === true,
          matcher: matcherName,
          target: targetLabel(received),
          error: typeof code === 'string' ? `${thrown.name} ${code}` : thrown.name,
          message: thrown.message,
        }
        keepRecord(record, site)
      }
      throw error
    }
  }
}

/** Every perfgate matcher, ready for `expect.extend`. */
export const perfgateMatchers = {
  toRespondWithin: keepingErrors('toRespondWithin', toRespondWithin as Matcher),
  toSustainSuccessRate: keepingErrors('toSustainSuccessRate', toSustainSuccessRate as Matcher),
  toMatchBaseline: keepingErrors('toMatchBaseline', toMatchBaseline as Matcher),
}
