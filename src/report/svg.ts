/**
 * SVG markup as strings, for charts in a page without scripts: elements with escaped
 * attributes and text, a chart's frame, and axes drawn from a d3 scale's own ticks.
 */
import type { ScaleLinear } from 'd3-scale'
import { escapeHtml } from './html-escape.js'

/** Attribute values of an element; undefined ones are left out. */
export type Attributes = Readonly<Record<string, string | number | undefined>>

/** A number as an SVG coordinate: two decimals at most. */
export function coordinate(value: number): string {
  return String(Math.round(value * 100) / 100)
}

function attributeList(attributes: Attributes): string {
  let markup = ''
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined) continue
    markup += ` ${name}="${escapeHtml(typeof value === 'number' ? coordinate(value) : value)}"`
  }
  return markup
}

/** An element; `children` is markup already (built by these functions), everything else is escaped here. */
export function element(name: string, attributes: Attributes, children = ''): string {
  return `<${name}${attributeList(attributes)}>${children}</${name}>`
}

/** A `<text>` element whose content is escaped. */
export function label(x: number, y: number, content: string, attributes: Attributes = {}): string {
  return element('text', { x, y, ...attributes }, escapeHtml(content))
}

/** The size of a chart and the room around its plot area for axes and labels. */
export interface Frame {
  readonly width: number
  readonly height: number
  readonly top: number
  readonly right: number
  readonly bottom: number
  readonly left: number
}

/** The plot area's edges in the chart's coordinates. */
export function plotArea(frame: Frame): { x0: number; x1: number; y0: number; y1: number } {
  return { x0: frame.left, x1: frame.width - frame.right, y0: frame.top, y1: frame.height - frame.bottom }
}

/**
 * A chart: an `<svg class="chart" data-chart="kind">` that scales with the page, with a title
 * for screen readers. The data marks inside carry the class `mark`.
 */
export function chart(kind: string, frame: Frame, title: string, body: string): string {
  return element(
    'svg',
    { class: 'chart', 'data-chart': kind, viewBox: `0 0 ${frame.width} ${frame.height}`, width: frame.width, height: frame.height, role: 'img', 'aria-label': title },
    element('title', {}, escapeHtml(title)) + body,
  )
}

/** Options of an axis. */
export interface AxisOptions {
  /** About how many ticks (d3 picks round values near it). */
  readonly ticks: number
  /** A d3-format specifier for the tick labels, e.g. `+%`; d3's default for the scale otherwise. */
  readonly format?: string
  /** The axis title. */
  readonly title?: string
  /** Grid lines across the plot area, from the axis to this other edge. */
  readonly gridTo?: number
}

/** A horizontal axis at `y`, ticks and labels from the scale. */
export function bottomAxis(scale: ScaleLinear<number, number>, y: number, options: AxisOptions): string {
  const format = scale.tickFormat(options.ticks, options.format)
  const [x0, x1] = scale.range() as [number, number]
  let markup = element('line', { class: 'axis-line', x1: x0, x2: x1, y1: y, y2: y })
  for (const tick of scale.ticks(options.ticks)) {
    const x = scale(tick)
    if (options.gridTo !== undefined) markup += element('line', { class: 'grid', x1: x, x2: x, y1: options.gridTo, y2: y })
    markup += element('line', { class: 'tick', x1: x, x2: x, y1: y, y2: y + 4 })
    markup += label(x, y + 16, format(tick), { class: 'tick-label', 'text-anchor': 'middle' })
  }
  if (options.title !== undefined) markup += label((x0 + x1) / 2, y + 32, options.title, { class: 'axis-title', 'text-anchor': 'middle' })
  return markup
}

/** A vertical axis at `x`, ticks and labels from the scale. */
export function leftAxis(scale: ScaleLinear<number, number>, x: number, options: AxisOptions): string {
  const format = scale.tickFormat(options.ticks, options.format)
  const [y0, y1] = scale.range() as [number, number]
  let markup = element('line', { class: 'axis-line', x1: x, x2: x, y1: y0, y2: y1 })
  for (const tick of scale.ticks(options.ticks)) {
    const y = scale(tick)
    if (options.gridTo !== undefined) markup += element('line', { class: 'grid', x1: x, x2: options.gridTo, y1: y, y2: y })
    markup += element('line', { class: 'tick', x1: x - 4, x2: x, y1: y, y2: y })
    markup += label(x - 7, y + 4, format(tick), { class: 'tick-label', 'text-anchor': 'end' })
  }
  if (options.title !== undefined) {
    const middle = (y0 + y1) / 2
    markup += label(12, middle, options.title, { class: 'axis-title', 'text-anchor': 'middle', transform: `rotate(-90 12 ${coordinate(middle)})` })
  }
  return markup
}
