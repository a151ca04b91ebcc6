/** Formatting shared by the matchers' messages, the gate's and the reports. */

/** A rate as a percentage, with as many decimals as it takes to not round to 100% or 0%. */
export function formatPercent(rate: number): string {
  const percent = rate * 100
  if (rate === 1 || rate === 0) return `${percent.toFixed(0)}%`
  // As written when that is exact (0.99 → 99%), and never rounded to 100% or 0% otherwise.
  for (const digits of [0, 1, 2]) {
    const text = percent.toFixed(digits)
    if (Math.abs(Number(text) - percent) < 1e-9) return `${text}%`
  }
  for (const digits of [1, 2, 3]) {
    const text = percent.toFixed(digits)
    if (Number(text) > 0 && Number(text) < 100) return `${text}%`
  }
  return `${percent.toPrecision(6)}%`
}

/** The first line of a message (an error's headline), without trailing blanks. */
export function firstLine(message: string): string {
  return (message.split('\n', 1)[0] ?? '').trimEnd()
}
