/**
 * Escaping for the places a report's text lands: GitHub-flavoured Markdown (a pull-request
 * comment, the job summary) and GitHub Actions workflow commands. Test names, keys, targets and
 * error messages are user text: they must never break a table, inject HTML or drive a terminal.
 */
import { printableName } from '../common/validate.js'

const markdownEntities: Readonly<Record<string, string>> = { '<': '&lt;', '>': '&gt;', '&': '&amp;' }

/**
 * Text as it may stand in a Markdown table cell or list item: control characters become
 * visible `\u001b`-style escapes; `<`, `>` and `&` become HTML entities (no tag can open);
 * the characters of inline Markdown (`\` `` ` `` `*` `_` `[` `]` `~` `$` `|`) are backslash-escaped,
 * so nothing turns into emphasis, code, a link, math or a table cell boundary.
 * @example escapeMarkdown('<img> | *a*') // => '&lt;img&gt; \\| \\*a\\*'
 */
export function escapeMarkdown(text: string): string {
  return printableName(text).replace(/[<>&\\`*_[\]~$|]/g, (char) => markdownEntities[char] ?? `\\${char}`)
}

/**
 * The message of a workflow command (`::error …::message`), escaped as `@actions/core` does:
 * `%`, `\r` and `\n` are percent-encoded, so a message may span lines but not end the command.
 */
export function escapeWorkflowData(text: string): string {
  return text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A')
}

/** A property of a workflow command (`file=…`, `title=…`): as data, and `:` and `,` too. */
export function escapeWorkflowProperty(text: string): string {
  return escapeWorkflowData(text).replaceAll(':', '%3A').replaceAll(',', '%2C')
}
