/**
 * Terminal columns: how wide a string is on screen, and how to cut it to a width. Wide
 * characters (CJK, most emoji) take two columns, combining marks none; a table laid out by
 * `.length` would drift on them.
 */

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' })

// East Asian Wide and Fullwidth blocks (Unicode EastAsianWidth.txt, the ranges wcwidth uses).
const wideRanges: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xa960, 0xa97f],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe10, 0xfe19],
  [0xfe30, 0xfe6f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x1f300, 0x1f64f],
  [0x1f900, 0x1f9ff],
  [0x20000, 0x2fffd],
  [0x30000, 0x3fffd],
]

function isWide(codePoint: number): boolean {
  return wideRanges.some(([from, to]) => codePoint >= from && codePoint <= to)
}

/** Columns one grapheme (a user-perceived character) takes in a terminal. */
function graphemeWidth(grapheme: string): number {
  const codePoint = grapheme.codePointAt(0) ?? 0
  // Control characters are escaped before anything is laid out; format characters take no room.
  if (codePoint < 0x20 || (codePoint >= 0x7f && codePoint < 0xa0)) return 0
  if (/^[\p{Mn}\p{Me}\p{Cf}]+$/u.test(grapheme)) return 0
  if (/\p{Emoji_Presentation}|\p{Extended_Pictographic}\uFE0F/u.test(grapheme)) return 2
  return isWide(codePoint) ? 2 : 1
}

/**
 * Columns `text` takes in a terminal (no ANSI codes in it).
 * @example displayWidth('日本') // => 4
 */
export function displayWidth(text: string): number {
  let width = 0
  for (const { segment } of graphemes.segment(text)) width += graphemeWidth(segment)
  return width
}

/**
 * `text` cut to at most `width` columns, ending in `…` when it was cut; never splits a
 * grapheme or a wide character.
 * @example truncateToWidth('checkout > applies the discount', 12) // => 'checkout > …'
 */
export function truncateToWidth(text: string, width: number): string {
  if (displayWidth(text) <= width) return text
  let kept = ''
  let used = 0
  for (const { segment } of graphemes.segment(text)) {
    const next = graphemeWidth(segment)
    if (used + next > width - 1) break
    kept += segment
    used += next
  }
  return `${kept}…`
}
