/**
 * The HTML page's charts, as inline SVG: a baseline's and the current distribution on one axis,
 * a change with its interval against the threshold, and a latency histogram against its budget.
 * Scales, bins and ticks come from d3; colours from the page's CSS through the `tone-*` classes.
 */
import { bin, extent, max, quantile } from 'd3-array'
import { scaleLinear } from 'd3-scale'
import type { ScaleLinear } from 'd3-scale'
import { detectableTexts } from '../gate/compare.js'
import type { Comparison } from '../gate/compare.js'
import type { LatencyCheckRecord } from '../gate/records.js'
import { formatDuration } from './html-format.js'
import { bottomAxis, chart, element, label, leftAxis, plotArea } from './svg.js'
import type { Frame } from './svg.js'

/** One side of a distribution chart. */
export interface DistributionSide {
  /** `baseline` or `current`. */
  readonly name: string
  /** A compact sorted sample, in ms. */
  readonly sample: readonly number[]
  /** The compared statistic, in ms, marked on the row. */
  readonly statistic: number | null
  /** The CSS class that colours this side. */
  readonly tone: string
}

const rowHeight = 66

/** A domain for a linear scale that also works when every value is the same. */
function spreadDomain(values: readonly number[]): [number, number] {
  const [low = 0, high = 1] = extent(values)
  if (high > low) return [low, high]
  const pad = Math.abs(low) * 0.1 || 1
  return [low - pad, high + pad]
}

/**
 * An axis of milliseconds in the unit its values read best in: the same positions, the domain
 * in µs below 1 ms and in ns below 1 µs (a function of 0.55 ns had ticks of 0.00000055 ms);
 * from 1 ms up it stays in ms (labels write seconds from 1 s).
 */
function inTimeUnit(x: ScaleLinear<number, number>): { readonly scale: ScaleLinear<number, number>; readonly unit: 'ms' | 'µs' | 'ns' } {
  const highest = Math.max(...x.domain().map(Math.abs))
  const [unit, factor] = highest < 0.001 ? (['ns', 1e6] as const) : highest < 1 ? (['µs', 1e3] as const) : (['ms', 1] as const)
  return { scale: factor === 1 ? x : x.copy().domain(x.domain().map((value) => value * factor)), unit }
}

/**
 * Histograms of each side's sample, one row each, over one shared x axis and one set of bins;
 * each side's statistic marked, the first side's continued as a dashed line through the others.
 */
export function distributionChart(sides: readonly DistributionSide[], statisticName: string, title: string): string {
  const frame: Frame = { width: 650, height: 10 + rowHeight * sides.length + 44, top: 10, right: 20, bottom: 44, left: 84 }
  const area = plotArea(frame)
  // The axis spans the middle 98% of the points (and the statistics): a few slow outliers (a GC,
  // a busy moment) would otherwise squeeze every bar into a sliver. Points beyond sit in the edge bars.
  const pooled = sides.flatMap((side) => side.sample)
  const statistics = sides.flatMap((side) => (side.statistic === null ? [] : [side.statistic]))
  const middle = pooled.length === 0 ? [] : [quantile(pooled, 0.01) ?? 0, quantile(pooled, 0.99) ?? 0]
  const x = scaleLinear()
    .domain(spreadDomain([...middle, ...statistics]))
    .nice()
    .range([area.x0, area.x1])
  const [low, high] = x.domain() as [number, number]
  const binner = bin().domain([low, high]).thresholds(x.ticks(36))
  let body = ''
  const reference = sides[0]?.statistic ?? null
  sides.forEach((side, row) => {
    const rowTop = area.y0 + row * rowHeight
    const rowBottom = rowTop + rowHeight - 6
    const beyond = side.sample.filter((value) => value < low || value > high).length
    const bins = binner(side.sample.map((value) => Math.min(high, Math.max(low, value))))
    const y = scaleLinear()
      .domain([0, max(bins, (b) => b.length) ?? 1])
      .range([rowBottom, rowTop + 16])
    body += element('line', { class: 'row-base', x1: area.x0, x2: area.x1, y1: rowBottom, y2: rowBottom })
    for (const b of bins) {
      if (b.length === 0 || b.x0 === undefined || b.x1 === undefined) continue
      const left = x(b.x0)
      const width = Math.max(1, x(b.x1) - left - 1)
      body += element('rect', { class: `mark bar ${side.tone}`, x: left + 0.5, y: y(b.length), width, height: rowBottom - y(b.length) })
    }
    body += label(area.x0 - 10, rowTop + rowHeight / 2 - 2, side.name, { class: 'row-label', 'text-anchor': 'end' })
    body += label(area.x0 - 10, rowTop + rowHeight / 2 + 13, `${side.sample.length} points`, { class: 'row-note', 'text-anchor': 'end' })
    if (beyond > 0) body += label(area.x1, rowTop + 13, `${beyond} beyond the axis, in the edge bars`, { class: 'row-note', 'text-anchor': 'end' })
    if (side.statistic !== null) {
      const at = x(side.statistic)
      body += element('line', { class: `statistic ${side.tone}`, x1: at, x2: at, y1: rowTop + 4, y2: rowBottom })
      const anchor = at > (area.x0 + area.x1) / 2 ? 'end' : 'start'
      body += label(anchor === 'end' ? at - 5 : at + 5, rowTop + 13, `${statisticName} ${formatDuration(side.statistic)}`, { class: `statistic-label ${side.tone}`, 'text-anchor': anchor })
    }
    if (row > 0 && reference !== null) {
      const at = x(reference)
      body += element('line', { class: 'reference', x1: at, x2: at, y1: rowTop, y2: rowBottom })
    }
  })
  const shown = inTimeUnit(x)
  body += bottomAxis(shown.scale, area.y1, { ticks: 8, title: shown.unit, gridTo: area.y0 })
  return chart('distribution', frame, title, body)
}

/**
 * The change on an axis of relative change: the band within ± threshold shaded, the smallest
 * detectable slowdown marked when it is past the threshold, and what the machine's state
 * explained in this run when that is past it again (a slowdown up to there is inconclusive),
 * the estimate with its interval.
 */
export function changeChart(comparison: Comparison, tone: string): string {
  const frame: Frame = { width: 360, height: 10 + rowHeight * 2 + 44, top: 10, right: 22, bottom: 44, left: 22 }
  const area = plotArea(frame)
  const { change, interval, threshold, minimumDetectable } = comparison
  // Drawn when the texts differ, as the tables show it: never "+25%" twice.
  const drawnMachine = comparison.machineExplains !== null && detectableTexts(comparison).now !== null ? comparison.machineExplains : null
  // What the machine explains can be far off the scale of the change (+6 300% with others at 75%
  // of the CPU against a share unknown at recording): beyond three times the rest, it is named
  // at the edge instead of squeezing the interval to a dot.
  const rest = Math.max(Math.abs(change), Math.abs(interval.lower), Math.abs(interval.upper), threshold, minimumDetectable)
  const machine = drawnMachine !== null && drawnMachine <= rest * 3 ? drawnMachine : null
  const offScale = drawnMachine !== null && machine === null ? drawnMachine : null
  const x = scaleLinear()
    .domain(spreadDomain([0, change, interval.lower, interval.upper, threshold, -threshold, minimumDetectable, ...(machine === null ? [] : [machine])]))
    .nice()
    .range([area.x0, area.x1])
  // Pad the domain so the interval's end caps are not on the frame.
  const [low, high] = x.domain() as [number, number]
  const pad = (high - low) * 0.06
  x.domain([low - pad, high + pad]).nice()
  const middle = area.y0 + (area.y1 - area.y0) * 0.58
  let body = element('rect', { class: 'zone', x: x(-threshold), y: area.y0, width: x(threshold) - x(-threshold), height: area.y1 - area.y0 })
  body += label(x(0), area.y0 + 12, `within ±${Math.round(threshold * 100)}%`, { class: 'zone-label', 'text-anchor': 'middle' })
  body += element('line', { class: 'zero', x1: x(0), x2: x(0), y1: area.y0, y2: area.y1 })
  if (minimumDetectable > threshold + 1e-9) {
    const at = x(minimumDetectable)
    body += element('line', { class: 'floor', x1: at, x2: at, y1: area.y0, y2: area.y1 })
    const nearEdge = at > area.x1 - 100
    body += label(nearEdge ? at - 4 : at + 4, area.y0 + 26, `noise floor +${Math.round(minimumDetectable * 100)}%`, { class: 'zone-label', 'text-anchor': nearEdge ? 'end' : 'start' })
  }
  if (machine !== null) {
    const at = x(machine)
    body += element('line', { class: 'machine', x1: at, x2: at, y1: area.y0, y2: area.y1 })
    const nearEdge = at > area.x1 - 130
    body += label(nearEdge ? at - 4 : at + 4, area.y0 + 40, `machine in this run +${Math.round(machine * 100)}%`, { class: 'zone-label', 'text-anchor': nearEdge ? 'end' : 'start' })
  }
  if (offScale !== null) {
    body += label(area.x1, area.y0 + 40, `machine in this run +${Math.round(offScale * 100)}% →`, { class: 'zone-label', 'text-anchor': 'end' })
  }
  const lower = x(interval.lower)
  const upper = x(interval.upper)
  body += element('line', { class: `mark interval ${tone}`, x1: lower, x2: upper, y1: middle, y2: middle })
  body += element('line', { class: `mark cap ${tone}`, x1: lower, x2: lower, y1: middle - 8, y2: middle + 8 })
  body += element('line', { class: `mark cap ${tone}`, x1: upper, x2: upper, y1: middle - 8, y2: middle + 8 })
  body += element('circle', { class: `mark point ${tone}`, cx: x(change), cy: middle, r: 6.5 })
  const percent = x.tickFormat(1, '+.0%')
  body += label(x(change), middle - 16, percent(change), { class: `change-label ${tone}`, 'text-anchor': 'middle' })
  const intervalText = `${Math.round(interval.confidence * 100)}% CI ${percent(interval.lower)} … ${percent(interval.upper)}`
  // Centred under the interval, but kept inside the chart (11 px text, at most ~6.5 px a
  // character): a wide interval near an edge was cut by the frame.
  const halfText = intervalText.length * 3.25
  const intervalAt = Math.min(Math.max((lower + upper) / 2, halfText + 2), frame.width - halfText - 2)
  body += label(intervalAt, middle + 26, intervalText, { class: 'row-note', 'text-anchor': 'middle' })
  body += bottomAxis(x, area.y1, { ticks: 5, format: '+.0%', title: 'change (slower →)', gridTo: area.y0 })
  const machineTitle = drawnMachine === null ? '' : `, the machine in this run explains up to +${Math.round(drawnMachine * 100)}%`
  return chart('change', frame, `change ${percent(change)}, interval ${percent(interval.lower)} to ${percent(interval.upper)}, threshold ${Math.round(threshold * 100)}%${machineTitle}`, body)
}

/**
 * A histogram of the latencies (the compact sample, scaled to the requests it stands for) with
 * the budget line and the measured statistic. A budget far beyond the latencies is pointed at
 * from the edge rather than squeezing the histogram into a corner.
 */
export function latencyHistogram(record: LatencyCheckRecord, tone: string): string {
  const frame: Frame = { width: 700, height: 210, top: 26, right: 24, bottom: 44, left: 56 }
  const area = plotArea(frame)
  const sample = record.sample
  const measured = [...sample, ...(record.value === null ? [] : [record.value]), ...(record.bound === null ? [] : [record.bound])]
  const [low, high] = spreadDomain(measured)
  const budgetShown = record.budgetMs <= high * 1.6 && record.budgetMs >= low
  const x = scaleLinear()
    .domain(budgetShown ? spreadDomain([...measured, record.budgetMs]) : [low, high])
    .nice()
    .range([area.x0, area.x1])
  const [from, to] = x.domain() as [number, number]
  const bins = bin().domain([from, to]).thresholds(x.ticks(40))(sample as number[])
  // Each point of the compact sample stands for successes / points requests.
  const perPoint = sample.length === 0 ? 0 : record.successes / sample.length
  const y = scaleLinear()
    .domain([0, (max(bins, (b) => b.length) ?? 1) * perPoint])
    .nice()
    .range([area.y1, area.y0 + 8])
  // Fewer ticks than requests, so that a small count gets whole-number ticks.
  const yTicks = Math.max(1, Math.min(4, Math.floor(y.domain()[1] ?? 1)))
  let body = leftAxis(y, area.x0, { ticks: yTicks, title: 'requests', gridTo: area.x1 })
  for (const b of bins) {
    if (b.length === 0 || b.x0 === undefined || b.x1 === undefined) continue
    const left = x(b.x0)
    body += element('rect', { class: `mark bar ${tone}`, x: left + 0.5, y: y(b.length * perPoint), width: Math.max(1, x(b.x1) - left - 1), height: area.y1 - y(b.length * perPoint) })
  }
  if (record.value !== null) {
    const at = x(record.value)
    body += element('line', { class: 'statistic', x1: at, x2: at, y1: area.y0, y2: area.y1 })
    body += label(at, area.y0 - 4, `${record.statistic} ${formatDuration(record.value)}`, { class: 'statistic-label', 'text-anchor': at > area.x1 - 80 ? 'end' : 'middle' })
  }
  if (record.bound !== null && record.value !== null) {
    body += element('line', { class: 'bound', x1: x(record.value), x2: x(record.bound), y1: area.y0 + 14, y2: area.y0 + 14 })
  }
  if (budgetShown) {
    const at = x(record.budgetMs)
    body += element('line', { class: 'budget', x1: at, x2: at, y1: area.y0 - 14, y2: area.y1 })
    body += label(at + 4, area.y0 - 4 + 18, `budget ${formatDuration(record.budgetMs)}`, { class: 'budget-label', 'text-anchor': at > area.x1 - 110 ? 'end' : 'start', dx: at > area.x1 - 110 ? -8 : 0 })
  } else {
    // Off the axis: said in the axis title's row, at the side where the budget lies.
    const beyond = record.budgetMs > to
    body += label(beyond ? area.x1 : area.x0, area.y1 + 32, beyond ? `budget ${formatDuration(record.budgetMs)} →` : `← budget ${formatDuration(record.budgetMs)}`, {
      class: 'budget-label',
      'text-anchor': beyond ? 'end' : 'start',
    })
  }
  const shown = inTimeUnit(x)
  body += bottomAxis(shown.scale, area.y1, { ticks: 8, title: `latency (${shown.unit})` })
  return chart('latency-histogram', frame, `latency histogram of ${record.target}, budget ${formatDuration(record.budgetMs)}`, body)
}
