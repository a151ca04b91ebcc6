import type { MatchBaselineOptions, RespondWithinOptions, SustainSuccessRateOptions } from './index.js'

/** perfgate's matchers as they appear on `expect(…)`; all are asynchronous: `await` them. */
export interface PerfgateMatchers<R = unknown> {
  /**
   * Passes when the chosen latency statistic (default p95) of `samples` requests is within
   * `budgetMs` and no request failed.
   * @example await expect('http://127.0.0.1:3000/api/users').toRespondWithin(200, { percentile: 99 })
   */
  toRespondWithin(budgetMs: number, options?: RespondWithinOptions): Promise<R>
  /**
   * Runs a bounded load and passes when successes / total ≥ `minRate` (0..1).
   * @example await expect(api).toSustainSuccessRate(0.99, { requests: 500, concurrency: 20 })
   */
  toSustainSuccessRate(minRate: number, options?: SustainSuccessRateOptions): Promise<R>
  /**
   * Compares with the baseline stored for this test (recording it when missing) and fails on
   * a statistically significant slowdown beyond the threshold. Received: a function, or a
   * `benchmark()` / `measure()` result.
   * @example await expect(() => parse(doc)).toMatchBaseline()
   */
  toMatchBaseline(options?: MatchBaselineOptions): Promise<R>
}
