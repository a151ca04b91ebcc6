import { describe, expect, it } from 'vitest'
import { RequestTimeoutError, UnsolicitedResponseError, classifyError, classifyStatus, makeOutcome } from '../../src/measure/outcome.js'

function systemError(code: string): Error {
  return Object.assign(new Error(`connect ${code}`), { code })
}

describe('classifyStatus', () => {
  it('counts any 2xx as ok by default and other statuses by code', () => {
    expect(classifyStatus(200, null)).toBe('ok')
    expect(classifyStatus(204, null)).toBe('ok')
    expect(classifyStatus(304, null)).toBe('status:304')
    expect(classifyStatus(503, null)).toBe('status:503')
  })

  it('counts only the listed statuses as ok when expectStatus is given', () => {
    const expected = new Set([201, 404])
    expect(classifyStatus(404, expected)).toBe('ok')
    expect(classifyStatus(200, expected)).toBe('status:200')
  })
})

describe('classifyError', () => {
  it('classifies perfgate and undici timeouts as timeout', () => {
    expect(classifyError(new RequestTimeoutError(100))).toBe('timeout')
    expect(classifyError(Object.assign(new Error('x'), { code: 'UND_ERR_HEADERS_TIMEOUT' }))).toBe('timeout')
  })

  it('uses the system error code of the error or of its cause', () => {
    expect(classifyError(systemError('ECONNREFUSED'))).toBe('ECONNREFUSED')
    expect(classifyError(new TypeError('fetch failed', { cause: systemError('ECONNRESET') }))).toBe('ECONNRESET')
  })

  it('counts a socket closed by the peer as ECONNRESET', () => {
    expect(classifyError(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }))).toBe('ECONNRESET')
  })

  it('counts an unsolicited 100 or 101 answer under its own kind', () => {
    expect(classifyError(new UnsolicitedResponseError(100))).toBe('unsolicited:100')
    expect(classifyError(new UnsolicitedResponseError(101))).toBe('unsolicited:101')
  })

  it('names other errors by their class, and thrown non-errors by their type', () => {
    expect(classifyError(new RangeError('bad'))).toBe('error:RangeError')
    expect(classifyError('just a string')).toBe('error:string')
    expect(classifyError(undefined)).toBe('error:undefined')
  })
})

describe('makeOutcome', () => {
  it('puts the detail under value for a success and under error for a failure', () => {
    expect(makeOutcome('ok', 1, 200, 'v')).toEqual({ ok: true, kind: 'ok', latencyMs: 1, status: 200, error: undefined, value: 'v' })
    const error = new Error('x')
    expect(makeOutcome('timeout', 5, undefined, error)).toMatchObject({ ok: false, kind: 'timeout', error, value: undefined })
  })
})
