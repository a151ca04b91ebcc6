/**
 * The session's records of a retried test: the runners report a test's last attempt, so the
 * records handed over are that attempt's, whether or not a hook ran between the attempts (Jest
 * runs no beforeEach for test.concurrent, and Jest 30 retries those too).
 */
import { describe, expect, it } from 'vitest'
import { claimRecords, keepRecord } from '../../src/gate/session.js'
import type { AssertionSite } from '../../src/gate/records.js'
import { fastEndpoint, slowEndpoint } from './report-fixtures.js'

function site(token: object, attempt: number): AssertionSite {
  return { testFile: fastEndpoint.testFile, testName: 'retried', test: { titles: ['retried'], token, attempt } }
}

describe('keepRecord across attempts', () => {
  it("hands over only the last attempt's records of a retried test, and every record of the others", () => {
    const retried = {}
    const other = {}
    const failedAttempt = { ...slowEndpoint, testName: 'retried' }
    const passedAttempt = { ...fastEndpoint, testName: 'retried' }
    const neighbour = { ...fastEndpoint, testName: 'other' }
    keepRecord(failedAttempt, site(retried, 0))
    keepRecord(neighbour, site(other, 0))
    keepRecord(passedAttempt, site(retried, 1))
    const handed = claimRecords((_record, test) => test === retried || test === other)
    expect(handed).toEqual([neighbour, passedAttempt])
  })

  it('keeps every record of one attempt', () => {
    const token = {}
    const first = { ...fastEndpoint, testName: 'one attempt' }
    const second = { ...slowEndpoint, testName: 'one attempt' }
    keepRecord(first, site(token, 0))
    keepRecord(second, site(token, 0))
    expect(claimRecords((_record, test) => test === token)).toEqual([first, second])
  })
})
