/**
 * The HTML report in a real browser: Debian's Chromium, headless, driven by puppeteer-core.
 * The page for a realistic run (every kind of record, a regression, a stall in a load run, a
 * hostile test name) is written to a temporary file and opened from file://. The screenshot
 * goes to .tmp/html-report.png, for a person to look at.
 *
 * Skipped, and says so, only when no Chromium is installed (CI installs it: .ci/run).
 */
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import puppeteer from 'puppeteer-core'
import type { Browser, Page } from 'puppeteer-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hostileTestName, sampleRunReport } from '../../fixtures/run-report.js'
import { printableName } from '../../src/common/validate.js'
import { renderHtml } from '../../src/report/html.js'

const repoRoot = fileURLToPath(new URL('../..', import.meta.url))
const screenshotPath = join(repoRoot, '.tmp', 'html-report.png')
/** Launching, loading and closing each get this long before the test gives up (and kills the browser). */
const browserTimeoutMs = 60_000

function findChromium(): string | undefined {
  const candidates = [process.env['PERFGATE_CHROMIUM'], '/usr/bin/chromium', '/usr/bin/chromium-browser']
  return candidates.find((path): path is string => path !== undefined && path !== '' && existsSync(path))
}

const chromium = findChromium()
const skipReason = 'skipped: no Chromium at /usr/bin/chromium (apt-get install chromium, or set PERFGATE_CHROMIUM)'
if (chromium === undefined) console.warn(`test/e2e/html-report.test.ts ${skipReason}`)

/** What the page shows, read in the page (a string expression: this project's types have no DOM). */
interface PageFacts {
  charts: { kind: string; marks: number; width: number; textsOutside: string[] }[]
  images: number
  scripts: number
  headings: string[]
  status: string
  resources: number
}

const readPage = `(() => {
  const charts = [...document.querySelectorAll('svg.chart')].map((svg) => ({
    kind: svg.getAttribute('data-chart'),
    marks: [...svg.querySelectorAll('path.mark, rect.mark, circle.mark')].filter((mark) => mark.tagName !== 'path' || (mark.getAttribute('d') ?? '').length > 1).length,
    width: svg.getBoundingClientRect().width,
    textsOutside: [...svg.querySelectorAll('text')].filter((text) => {
      const frame = svg.getBoundingClientRect()
      const box = text.getBoundingClientRect()
      return box.left < frame.left - 1 || box.right > frame.right + 1 || box.top < frame.top - 1 || box.bottom > frame.bottom + 1
    }).map((text) => text.textContent),
  }))
  return {
    charts,
    images: document.querySelectorAll('img').length,
    scripts: document.querySelectorAll('script').length,
    headings: [...document.querySelectorAll('h3')].map((heading) => heading.textContent),
    status: document.querySelector('.status')?.textContent ?? '',
    resources: performance.getEntriesByType('resource').length,
  }
})()`

describe.skipIf(chromium === undefined)(`the HTML report in Chromium${chromium === undefined ? ` (${skipReason})` : ''}`, () => {
  let workDir: string | undefined
  let browser: Browser | undefined
  let page: Page | undefined
  let pageUrl = ''
  const requests: string[] = []
  const consoleErrors: string[] = []
  const dialogs: string[] = []
  let facts: PageFacts | undefined

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'perfgate-html-'))
    const file = join(workDir, 'perfgate-report.html')
    await writeFile(file, renderHtml(sampleRunReport()))
    pageUrl = pathToFileURL(file).href
    browser = await puppeteer.launch({
      executablePath: chromium,
      headless: true, // puppeteer passes --headless=new
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
      timeout: browserTimeoutMs,
      protocolTimeout: browserTimeoutMs,
    })
    page = await browser.newPage()
    await page.setViewport({ width: 1200, height: 900 })
    await page.setRequestInterception(true)
    page.on('request', (request) => {
      requests.push(request.url())
      if (request.url() === pageUrl) void request.continue()
      else void request.abort()
    })
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text())
    })
    page.on('pageerror', (error) => consoleErrors.push(String(error)))
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message())
      void dialog.dismiss()
    })
    await page.goto(pageUrl, { waitUntil: 'load', timeout: browserTimeoutMs })
    facts = (await page.evaluate(readPage)) as PageFacts
    await mkdir(join(repoRoot, '.tmp'), { recursive: true })
    await page.screenshot({ path: screenshotPath as `${string}.png`, fullPage: true })
  }, 3 * browserTimeoutMs)

  afterAll(async () => {
    const child = browser?.process()
    if (browser !== undefined) {
      let timer: NodeJS.Timeout | undefined
      const closed = browser.close().catch(() => undefined)
      await Promise.race([closed, new Promise((resolve) => (timer = setTimeout(resolve, 15_000)))])
      clearTimeout(timer)
    }
    // A browser that did not close in time is killed, so the test run never hangs on it.
    if (child != null && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    if (workDir !== undefined) await rm(workDir, { recursive: true, force: true })
  }, 30_000)

  it('draws every chart, each with marks in it', () => {
    const charts = facts?.charts ?? []
    const byKind = (kind: string): number => charts.filter((chart) => chart.kind === kind).length
    // Four compared baselines and one new one; two latency budgets; two load runs.
    expect(byKind('distribution')).toBe(5)
    expect(byKind('change')).toBe(4)
    expect(byKind('latency-histogram')).toBe(2)
    expect(byKind('throughput')).toBe(2)
    expect(byKind('latency-timeline')).toBe(2)
    expect(charts).toHaveLength(15)
    for (const chart of charts) {
      expect(chart.marks, `${chart.kind} chart`).toBeGreaterThan(0)
      expect(chart.width, `${chart.kind} chart`).toBeGreaterThan(100)
    }
  })

  it('keeps every label inside its chart (an improvement\'s wide interval was cut at the left edge)', () => {
    const outside = facts?.charts.flatMap((chart) => chart.textsOutside.map((text) => `${chart.kind}: ${text}`))
    expect(outside).toEqual([])
  })

  it('requests nothing but the page itself', () => {
    expect(requests).toEqual([pageUrl])
    expect(facts?.resources).toBe(0)
  })

  it('logs no error to the console and opens no dialog', () => {
    expect(consoleErrors).toEqual([])
    expect(dialogs).toEqual([])
  })

  it('shows a hostile test name as text: no element injected, control characters escaped', () => {
    expect(facts?.images).toBe(0)
    expect(facts?.scripts).toBe(0)
    expect(facts?.headings).toContain(printableName(hostileTestName))
    expect(printableName(hostileTestName)).toContain('<img src=x onerror=alert(1)>')
  })

  it('leads with what failed and why', () => {
    expect(facts?.status).toContain('3 of 9 perf assertions failed')
    expect(facts?.status).toContain('api > serializes a large order')
    expect(facts?.status).toMatch(/nothing was answered for \d+ ms/)
  })

  it('writes a screenshot', async () => {
    const png = await readFile(screenshotPath)
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG')
  })
})
