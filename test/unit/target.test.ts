import { describe, expect, it } from 'vitest'
import { resolveTarget } from '../../src/measure/target.js'

describe('resolveTarget', () => {
  it('reads a URL string as a GET to its origin and path', () => {
    const target = resolveTarget('http://127.0.0.1:3000/api/users?page=2')
    expect(target).toMatchObject({ kind: 'http', origin: 'http://127.0.0.1:3000', path: '/api/users?page=2', method: 'GET', body: null, expectStatus: null })
  })

  it('reads a URL object the same way as its string', () => {
    const url = new URL('http://localhost:8080/health')
    expect(resolveTarget(url)).toEqual(resolveTarget(url.href))
  })

  it('reads a request spec with method, headers, a JSON body and expected statuses', () => {
    const target = resolveTarget({ url: 'http://[::1]:9000/items', method: 'post', headers: { 'X-Token': 'a' }, body: { name: 'x' }, expectStatus: [201, 409] })
    expect(target.kind).toBe('http')
    if (target.kind !== 'http') return
    expect(target.method).toBe('POST')
    expect(target.origin).toBe('http://[::1]:9000')
    expect(target.headers).toEqual({ 'x-token': 'a', 'content-type': 'application/json' })
    expect(target.body).toBe('{"name":"x"}')
    expect([...(target.expectStatus ?? [])]).toEqual([201, 409])
    expect(target.label).toBe('POST http://[::1]:9000/items')
  })

  it('keeps a string or byte body as it is and does not add a content type', () => {
    const target = resolveTarget({ url: 'http://127.0.0.1/x', method: 'PUT', body: 'raw' })
    expect(target).toMatchObject({ body: 'raw', headers: {} })
  })

  it('reads a function as a function target named after it', () => {
    async function loadUsers(): Promise<number> {
      return 1
    }
    expect(resolveTarget(loadUsers)).toMatchObject({ kind: 'function', label: 'loadUsers()' })
    expect(resolveTarget(() => 1)).toMatchObject({ kind: 'function' })
  })

  it.each([
    ['a number', 42],
    ['null', null],
    ['an array', ['http://127.0.0.1']],
    ['a relative URL', '/api/users'],
    ['a non-HTTP URL', 'ftp://127.0.0.1/file'],
  ])('throws a TypeError naming the target for %s', (_label, value) => {
    expect(() => resolveTarget(value)).toThrow(TypeError)
    expect(() => resolveTarget(value)).toThrow(/`target`/)
  })

  it('names the bad field of a request spec', () => {
    expect(() => resolveTarget({ url: 'http://127.0.0.1', method: 'GE T' })).toThrow(/`target\.method`/)
    expect(() => resolveTarget({ url: 'http://127.0.0.1', expectStatus: 99 })).toThrow(/`target\.expectStatus`/)
    // In an array, the item that is wrong, by its place.
    expect(() => resolveTarget({ url: 'http://127.0.0.1', expectStatus: [200, 99] })).toThrow('Expected `target.expectStatus[1]` to be a status code (100–599), got 99')
    expect(() => resolveTarget({ url: 'http://127.0.0.1', headers: { a: 1 } })).toThrow(/`target\.headers\.a`/)
    expect(() => resolveTarget({ method: 'GET' })).toThrow(/`target\.url`/)
    expect(() => resolveTarget({ url: 'http://127.0.0.1', methd: 'GET' })).toThrow(/Unknown option `methd`/)
  })
})

describe('requests that can never be valid', () => {
  it.each([
    ['a header value with CR/LF', { headers: { 'x-a': 'one\r\nx-b: two' } }, /`target\.headers\.x-a`.*without CR, LF or NUL/],
    ['an invalid header name', { headers: { 'bad name': 'x' } }, /`target\.headers`.*token characters/],
    ['transfer-encoding', { headers: { 'Transfer-Encoding': 'chunked' } }, /`target\.headers\.Transfer-Encoding` cannot be set/],
    ['expect: 100-continue', { headers: { expect: '100-continue' } }, /`target\.headers\.expect` cannot be set/],
    ['a content-length of its own', { headers: { 'content-length': '5' }, body: 'hi' }, /`target\.headers\.content-length` cannot be set/],
    ['method CONNECT', { method: 'connect' }, /`target\.method`.*other than CONNECT/],
  ])('rejects %s with a TypeError naming it, before anything is sent', (_label, spec, pattern) => {
    const request = { url: 'http://127.0.0.1:1/x', ...spec }
    expect(() => resolveTarget(request)).toThrow(TypeError)
    expect(() => resolveTarget(request)).toThrow(pattern)
  })

  it('still takes ordinary headers, in any case', () => {
    const target = resolveTarget({ url: 'http://127.0.0.1:1/x', headers: { Authorization: 'Bearer t', 'X-Trace-Id': 'a-1' } })
    expect(target.kind === 'http' && target.headers).toEqual({ authorization: 'Bearer t', 'x-trace-id': 'a-1' })
  })
})

describe('credentials in a URL', () => {
  it('become a Basic authorization header (unless one is given) and are masked in the label', () => {
    const target = resolveTarget('http://bob:pa%3Ass@127.0.0.1:1/x')
    expect(target.kind === 'http' && target.headers['authorization']).toBe(`Basic ${Buffer.from('bob:pa:ss').toString('base64')}`)
    expect(target.label).toBe('http://***@127.0.0.1:1/x')
    const own = resolveTarget({ url: 'http://bob:x@127.0.0.1:1/x', headers: { Authorization: 'Bearer t' } })
    expect(own.kind === 'http' && own.headers['authorization']).toBe('Bearer t')
    expect(() => resolveTarget('ftp://bob:secret@127.0.0.1/x')).toThrow(/ftp:\/\/\*\*\*@127\.0\.0\.1\/x/)
    expect(() => resolveTarget('ftp://bob:secret@127.0.0.1/x')).not.toThrow(/secret/)
  })
})
