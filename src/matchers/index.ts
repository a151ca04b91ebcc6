import { toRespondWithin } from './respond-within.js'
import { toSustainSuccessRate } from './success-rate.js'
import { toMatchBaseline } from './match-baseline.js'

export type { RespondWithinOptions, LatencyStatistic } from './respond-within.js'
export type { SustainSuccessRateOptions } from './success-rate.js'
export type { MatchBaselineOptions } from './match-baseline.js'
export type { MatcherContext, MatcherResult, MatcherUtils } from './context.js'

/** Every perfgate matcher, ready for `expect.extend`. */
export const perfgateMatchers = { toRespondWithin, toSustainSuccessRate, toMatchBaseline }
