import { describe, expect, it } from 'vitest'
import { escapeWorkflowData, escapeWorkflowProperty } from '../../src/report/escape.js'
import { githubAnnotations } from '../../src/report/github.js'
import {
  baselineRecord,
  erroredBaseline,
  everyRecord,
  failingLoad,
  fastEndpoint,
  improved,
  inconclusive,
  missing,
  recorded,
  regressed,
  runReport,
  slowEndpoint,
  steadyLoad,
  unchanged,
} from './report-fixtures.js'

/** The parts of a workflow command: level, properties, message (unescaped for reading). */
function parse(annotation: string): { level: string; properties: Record<string, string>; message: string } {
  const match = /^::(\w+) ([^:]*)::(.*)$/s.exec(annotation)
  if (match === null) throw new Error(`not a workflow command: ${annotation}`)
  const decode = (text: string): string => decodeURIComponent(text)
  const properties = Object.fromEntries((match[2] ?? '').split(',').map((pair) => pair.split('=') as [string, string]).map(([key, value]) => [key, decode(value)]))
  return { level: match[1] ?? '', properties, message: decode(match[3] ?? '') }
}

describe('githubAnnotations', () => {
  it('warns on an inconclusive verdict at the test’s file and line, relative to the root', () => {
    const [annotation] = githubAnnotations(runReport([inconclusive]), { runnerAnnotatesFailures: true })
    expect(annotation).toMatch(/^::warning file=test\/parser\.perf\.ts,line=12,title=perfgate::inconclusive: db > runs the report query%0Amedian 9\.60 ms/)
    const { message } = parse(annotation ?? '')
    expect(message.split('\n')).toEqual([
      'inconclusive: db > runs the report query',
      expect.stringContaining('slower beyond the threshold, but within the noise of the baseline'),
      expect.stringContaining('the smallest slowdown it can catch is 25%'),
      expect.stringContaining('52% busy with other work'),
      expect.stringContaining('Environment: linux-x64-node20-2c-3f9a1c on both sides'),
    ])
  })

  it('turns each failed record into an error with its evidence', () => {
    const annotations = githubAnnotations(runReport(everyRecord), { runnerAnnotatesFailures: false }).map(parse)
    expect(annotations.map(({ level, message }) => `${level}: ${message.split('\n')[0]}`)).toEqual([
      'error: regressed: parser > parses a 1 MB payload',
      'error: missing baseline: search > ranks results',
      'warning: inconclusive: db > runs the report query',
      'error: latency budget failed: api > GET /slow answers within 200 ms — GET http://127.0.0.1:4100/slow: p95 242 ms > 200 ms; 30, 2 failed: timeout 2 requests',
      'error: success rate failed: load > /flaky keeps 99% at 200/s — GET http://127.0.0.1:4100/flaky: 95.2% < 99%; 952 of 1 000 ok; status:503 40, timeout 6 +1 more kind',
    ])
    const load = annotations.at(-1)
    expect(load?.properties).toEqual({ file: 'test/load.perf.ts', line: '8', title: 'perfgate' })
    expect(load?.message).toContain('\ntimeout: no answer within 10000 ms\nECONNRESET: socket hang up')
  })

  it('turns an assertion that stopped with an error into an error with the whole message', () => {
    const [annotation] = githubAnnotations(runReport([erroredBaseline]), { runnerAnnotatesFailures: false }).map(parse)
    expect(annotation?.level).toBe('error')
    expect(annotation?.properties).toEqual({ file: 'test/parser.perf.ts', line: '21', title: 'perfgate' })
    expect(annotation?.message.split('\n')).toEqual([
      'toMatchBaseline stopped with an error: parser > tokenizes a line',
      'PerfgateError PERFGATE_BASELINE_PARSE: Cannot parse the baseline file /repo/baselines/test/parser.perf.ts.json at line 3, column 1: invalid end of input',
      'The file was not changed.',
    ])
  })

  it('leaves failures to the runner when it annotates failed tests itself: one annotation per problem', () => {
    const annotations = githubAnnotations(runReport(everyRecord), { runnerAnnotatesFailures: true })
    expect(annotations).toHaveLength(1)
    expect(annotations[0]).toMatch(/^::warning .*::inconclusive: db > runs the report query/)
  })

  it('warns on a missing baseline that was let through, and says nothing about passing verdicts', () => {
    const letThrough = { ...missing, pass: true }
    const annotations = githubAnnotations(runReport([letThrough, unchanged, improved, recorded, fastEndpoint, steadyLoad]), { runnerAnnotatesFailures: false })
    expect(annotations).toEqual([expect.stringMatching(/^::warning file=test\/search\.perf\.ts,title=perfgate::missing baseline: search > ranks results%0ANo baseline in/)])
  })

  it('leaves out line= when the runner did not give the line', () => {
    const [annotation] = githubAnnotations(runReport([missing]), { runnerAnnotatesFailures: false })
    expect(parse(annotation ?? '').properties).toEqual({ file: 'test/search.perf.ts', title: 'perfgate' })
  })

  it('makes paths relative to the workspace when given one', () => {
    const [annotation] = githubAnnotations(runReport([regressed]), { runnerAnnotatesFailures: false, workspaceDir: '/' })
    expect(parse(annotation ?? '').properties.file).toBe('repo/test/parser.perf.ts')
  })

  it('escapes messages and properties by GitHub’s rules, so no name can end the command or add a property', () => {
    const hostile = baselineRecord('100% slower\r\n::error::forged, title=x', 'regressed', regressed.comparison, {
      testFile: '/repo/test/odd,name:here.perf.ts',
      line: 7,
    })
    const [annotation] = githubAnnotations(runReport([hostile]), { runnerAnnotatesFailures: false })
    expect(annotation?.split('\n')).toHaveLength(1)
    expect(annotation).toMatch(/^::error file=test\/odd%2Cname%3Ahere\.perf\.ts,line=7,title=perfgate::regressed: 100%25 slower\\u000d\\u000a::error::forged, title=x%0A/)
    expect(parse(annotation ?? '').properties).toEqual({ file: 'test/odd,name:here.perf.ts', line: '7', title: 'perfgate' })
  })

  it('escapes data and properties as @actions/core does', () => {
    expect(escapeWorkflowData('50% done\r\nnext')).toBe('50%25 done%0D%0Anext')
    expect(escapeWorkflowProperty('a:b,c%\n')).toBe('a%3Ab%2Cc%25%0A')
  })

  it('annotates a negated assertion when it fails after .not', () => {
    const negatedSlow = { ...slowEndpoint, negated: true }
    const negatedFast = { ...fastEndpoint, negated: true }
    const annotations = githubAnnotations(runReport([negatedSlow, negatedFast, failingLoad]), { runnerAnnotatesFailures: false }).map(parse)
    expect(annotations.map(({ message }) => message.split(' — ')[0])).toEqual([
      'latency budget failed: api > GET /users answers within 200 ms',
      'success rate failed: load > /flaky keeps 99% at 200/s',
    ])
  })
})
