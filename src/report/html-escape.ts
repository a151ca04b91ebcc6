import { printableName } from '../common/validate.js'

const entities: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/**
 * Text made safe for HTML and SVG, in element content and in quoted attribute values alike:
 * `& < > " '` become entities, and control characters become visible `\u001b`-style escapes
 * (a test name may carry them; a browser would drop some and render others as boxes).
 * @example escapeHtml('<img src=x onerror=alert(1)>') // => '&lt;img src=x onerror=alert(1)&gt;'
 */
export function escapeHtml(text: string): string {
  return printableName(text).replace(/[&<>"']/g, (char) => entities[char] as string)
}
