/**
 * A load run over its time, from the record's timeline: requests answered per second (failures
 * stacked in red, the scheduled rate dashed) and latency per bucket (p50, p95 and max). Stretches
 * with nothing answered — a stall — are shaded in both.
 */
import { max, quantile } from 'd3-array'
import { scaleLinear } from 'd3-scale'
import type { ScaleLinear } from 'd3-scale'
import { area as areaShape, curveStepAfter, line as lineShape } from 'd3-shape'
import type { LoadCheckRecord } from '../gate/records.js'
import type { TimelineBucket } from '../measure/timeline.js'
import { formatDuration } from './html-format.js'
import { bottomAxis, chart, element, label, leftAxis, plotArea } from './svg.js'
import type { Frame } from './svg.js'

const width = 1000
const margins = { top: 28, right: 24, bottom: 44, left: 64 }

/** A stretch of the run in which no request ended. */
export interface Silence {
  readonly fromMs: number
  readonly toMs: number
}

/** Stretches of at least three buckets, and 5% of the run, in which nothing was answered. */
export function silences(record: LoadCheckRecord): Silence[] {
  const { bucketMs, buckets } = record.timeline
  const found: Silence[] = []
  let start = -1
  const close = (end: number): void => {
    const fromMs = start * bucketMs
    const toMs = Math.min(end * bucketMs, record.durationMs)
    if (end - start >= 3 && toMs - fromMs >= record.durationMs * 0.05) found.push({ fromMs, toMs })
    start = -1
  }
  buckets.forEach((bucket, index) => {
    if (bucket.completed === 0) {
      if (start < 0) start = index
    } else if (start >= 0) {
      close(index)
    }
  })
  if (start >= 0) close(buckets.length)
  return found
}

interface TimeAxis {
  readonly x: ScaleLinear<number, number>
  /** ms → the axis unit. */
  readonly unit: (ms: number) => number
  readonly title: string
}

function timeAxis(record: LoadCheckRecord, frame: Frame): TimeAxis {
  const area = plotArea(frame)
  const endMs = Math.max(record.durationMs, 1)
  const seconds = endMs >= 2000
  const unit = seconds ? (ms: number): number => ms / 1000 : (ms: number): number => ms
  return { x: scaleLinear().domain([0, unit(endMs)]).range([area.x0, area.x1]), unit, title: seconds ? 'time since the start (s)' : 'time since the start (ms)' }
}

function shadeSilences(record: LoadCheckRecord, time: TimeAxis, frame: Frame, withLabels: boolean): string {
  const area = plotArea(frame)
  let markup = ''
  for (const silence of silences(record)) {
    const from = time.x(time.unit(silence.fromMs))
    const to = time.x(time.unit(silence.toMs))
    markup += element('rect', { class: 'silence', x: from, y: area.y0, width: Math.max(1, to - from), height: area.y1 - area.y0 })
    if (withLabels) {
      markup += label((from + to) / 2, area.y0 + 14, `nothing answered for ${formatDuration(silence.toMs - silence.fromMs)}`, { class: 'silence-label', 'text-anchor': 'middle' })
    }
  }
  return markup
}

/** The time a bucket covers, in seconds: the last one ends with the run (half a bucket at least, so a sliver does not spike). */
function coveredSeconds(bucket: TimelineBucket, bucketMs: number, durationMs: number): number {
  return Math.max(bucketMs / 2, Math.min(bucketMs, durationMs - bucket.startMs)) / 1000
}

/** Requests answered per second over the run: successes, failures stacked above them, the scheduled rate dashed. */
export function throughputChart(record: LoadCheckRecord): string {
  const frame: Frame = { width, height: 190, ...margins }
  const area = plotArea(frame)
  const time = timeAxis(record, frame)
  const { bucketMs, buckets } = record.timeline
  const points = buckets.map((bucket) => {
    const seconds = coveredSeconds(bucket, bucketMs, record.durationMs)
    return { at: time.unit(bucket.startMs), ok: (bucket.completed - bucket.failures) / seconds, all: bucket.completed / seconds }
  })
  // A step curve needs the end of the last bucket too.
  const last = points.at(-1)
  if (last !== undefined) points.push({ ...last, at: time.unit(Math.min(buckets.length * bucketMs, record.durationMs)) })
  // A burst (the backlog of a stall answered at once) can be many times the usual rate; the
  // axis then stops at a few times the usual rate, and the clipped peaks are labelled.
  const peak = max(points, (point) => point.all) ?? 0
  const usual = quantile(points.filter((point) => point.all > 0), 0.75, (point) => point.all) ?? 0
  const cap = Math.max(usual * 3, (record.rate ?? 0) * 1.5)
  const clipped = cap > 0 && peak > cap * 1.25
  const y = scaleLinear()
    .domain([0, clipped ? cap : Math.max(peak, record.rate ?? 0, 1)])
    .nice()
    .range([area.y1, area.y0])
    .clamp(true)
  const successes = areaShape<(typeof points)[number]>()
    .x((point) => time.x(point.at))
    .y0(area.y1)
    .y1((point) => y(point.ok))
    .curve(curveStepAfter)
    .digits(2)
  const failures = areaShape<(typeof points)[number]>()
    .x((point) => time.x(point.at))
    .y0((point) => y(point.ok))
    .y1((point) => y(point.all))
    .curve(curveStepAfter)
    .digits(2)
  let body = leftAxis(y, area.x0, { ticks: 4, format: ',d', title: 'answered / s', gridTo: area.x1 })
  body += shadeSilences(record, time, frame, true)
  body += element('path', { class: 'mark area tone-ok', d: successes(points) ?? '' })
  if (record.failures > 0) body += element('path', { class: 'mark area tone-failure', d: failures(points) ?? '' })
  if (clipped) {
    // The highest clipped peaks first, each label at least 90 px from the ones before.
    const top = y.domain()[1] ?? cap
    const labelled: number[] = []
    const peaks = points.slice(0, -1).map((point, index) => ({ rate: point.all, at: (time.x(point.at) + time.x(points[index + 1]?.at ?? point.at)) / 2 }))
    for (const peakPoint of peaks.filter((candidate) => candidate.rate > top).sort((a, b) => b.rate - a.rate)) {
      if (labelled.some((at) => Math.abs(at - peakPoint.at) < 90)) continue
      labelled.push(peakPoint.at)
      body += label(peakPoint.at, area.y0 - 3, `↑ ${Math.round(peakPoint.rate).toLocaleString('en-US')}/s`, { class: 'statistic-label', 'text-anchor': 'middle' })
    }
  }
  if (record.rate !== null) {
    body += element('line', { class: 'scheduled', x1: area.x0, x2: area.x1, y1: y(record.rate), y2: y(record.rate) })
    body += label(area.x1, y(record.rate) - 5, `scheduled ${record.rate}/s`, { class: 'row-note', 'text-anchor': 'end' })
  }
  body += legend(area.x0, [
    ['tone-ok', 'successes'],
    ...(record.failures > 0 ? ([['tone-failure', 'failures']] as const) : []),
  ])
  body += bottomAxis(time.x, area.y1, { ticks: 10, title: time.title })
  return chart('throughput', frame, `requests answered per second over the run of ${record.target}`, body)
}

/** Latency of the successes per bucket over the run: p50 and p95 as lines, the max as dots. */
export function latencyTimelineChart(record: LoadCheckRecord): string {
  const frame: Frame = { width, height: 210, ...margins }
  const area = plotArea(frame)
  const time = timeAxis(record, frame)
  const { bucketMs, buckets } = record.timeline
  const middle = (bucket: TimelineBucket): number => time.x(time.unit(bucket.startMs + bucketMs / 2))
  const y = scaleLinear()
    .domain([0, max(buckets, (bucket) => bucket.latency?.max) ?? 1])
    .nice()
    .range([area.y1, area.y0])
  const percentileLine = (pick: (bucket: TimelineBucket) => number | undefined): string =>
    lineShape<TimelineBucket>()
      .defined((bucket) => pick(bucket) !== undefined)
      .x(middle)
      .y((bucket) => y(pick(bucket) ?? 0))
      .digits(2)(buckets as TimelineBucket[]) ?? ''
  let body = leftAxis(y, area.x0, { ticks: 4, title: 'latency (ms)', gridTo: area.x1 })
  body += shadeSilences(record, time, frame, false)
  for (const bucket of buckets) {
    if (bucket.latency !== null) body += element('circle', { class: 'mark dot tone-max', cx: middle(bucket), cy: y(bucket.latency.max), r: 2 })
  }
  body += element('path', { class: 'mark line tone-p95', d: percentileLine((bucket) => bucket.latency?.p95) })
  body += element('path', { class: 'mark line tone-p50', d: percentileLine((bucket) => bucket.latency?.p50) })
  body += legend(area.x0, [
    ['tone-p50', 'p50'],
    ['tone-p95', 'p95'],
    ['tone-max', 'max'],
  ])
  body += bottomAxis(time.x, area.y1, { ticks: 10, title: time.title })
  return chart('latency-timeline', frame, `latency over the run of ${record.target}`, body)
}

/** A row of coloured keys above the plot area. */
function legend(x: number, keys: readonly (readonly [tone: string, text: string])[]): string {
  let markup = ''
  let at = x
  for (const [tone, text] of keys) {
    markup += element('rect', { class: `key ${tone}`, x: at, y: 8, width: 12, height: 12, rx: 2 })
    markup += label(at + 17, 18, text, { class: 'legend-label' })
    at += 30 + text.length * 7
  }
  return markup
}
