/**
 * Progress of long runs: a run tells the sink where it stands past a first delay and then at an
 * interval, never without a sink, and a worker's events reach the reporter's listener over its
 * local socket and come out as lines. (The e2e test runs a real Vitest in a pseudo-terminal.)
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { progressTiming, setProgressSink, watchProgress } from '../../src/common/progress.js'
import type { ProgressEvent } from '../../src/common/progress.js'
import { runLoad } from '../../src/measure/load.js'
import { ProgressListener, progressSocketVariable, sendProgressToReporter, wantsProgress } from '../../src/runners/progress-channel.js'

const timing = { ...progressTiming }
afterEach(() => {
  setProgressSink(undefined)
  Object.assign(progressTiming, timing)
})

describe('progress', () => {
  it('is told past the first delay, then at each interval, with what runs and how far; and not after the run', async () => {
    Object.assign(progressTiming, { afterMs: 30, everyMs: 20 })
    const events: ProgressEvent[] = []
    setProgressSink((event) => events.push(event))
    let requests = 0
    const stop = watchProgress('GET /api', 5000, () => ({ requests: ++requests }))
    await vi.waitFor(() => expect(events.length).toBeGreaterThanOrEqual(2), { timeout: 10_000, interval: 10 })
    stop()
    const seen = events.length
    await new Promise((resolve) => setTimeout(resolve, 80))
    expect(events.length).toBe(seen)
    expect(events[0]).toMatchObject({ what: 'GET /api', plannedMs: 5000, requests: 1 })
    expect(events[0]!.elapsedMs).toBeGreaterThanOrEqual(30)
    expect(events[1]!.elapsedMs).toBeGreaterThan(events[0]!.elapsedMs)
  })

  it('costs nothing and says nothing without a sink', async () => {
    Object.assign(progressTiming, { afterMs: 0, everyMs: 1 })
    let read = 0
    const stop = watchProgress('GET /api', null, () => ({ requests: ++read }))
    await new Promise((resolve) => setTimeout(resolve, 30))
    stop()
    expect(read).toBe(0)
  })

  it("goes from a worker's run to the reporter's listener and out as lines", async () => {
    Object.assign(progressTiming, { afterMs: 20, everyMs: 20 })
    const lines: string[] = []
    const listener = new ProgressListener({ write: (text: string) => lines.push(text) })
    try {
      sendProgressToReporter({ [progressSocketVariable]: listener.path })
      // A real load run on a function target, long enough for a few events.
      await runLoad(() => new Promise((resolve) => setTimeout(resolve, 2)), { duration: 300, concurrency: 2 })
      await vi.waitFor(() => expect(lines.length).toBeGreaterThanOrEqual(1), { timeout: 10_000, interval: 10 })
    } finally {
      listener.close()
    }
    expect(lines[0]).toMatch(/^perfgate ▸ .+ \(load\) {2}\d+\.\d s \/ 0\.3 s {2}[\d ]+ requests?\n$/)
  })

  it('is drawn only on an interactive terminal, never in CI', () => {
    expect(wantsProgress({ isTTY: true }, {})).toBe(true)
    expect(wantsProgress({ isTTY: true }, { CI: 'false' })).toBe(true)
    expect(wantsProgress({ isTTY: true }, { CI: 'true' })).toBe(false)
    expect(wantsProgress({ isTTY: false }, {})).toBe(false)
    expect(wantsProgress({}, {})).toBe(false)
  })
})
