/**
 * Sizes that the schemas enforce and the workflows respect. Free of zod on purpose: the
 * workflows import it, and the schema library stays out of the workflow bundle.
 */

/** Longest log line or account error stored; longer text is cut, with a marker, by the workflow. */
export const MAX_LOG_MESSAGE_CHARS = 10_000;

/** Cuts text to at most `max` characters, saying how much was left out. */
export function clipText(text: string, max = MAX_LOG_MESSAGE_CHARS): string {
  if (text.length <= max) return text;
  const marker = (kept: number) => ` … [${text.length - kept} more characters cut]`;
  // The marker's length depends on the count it names: shrink until text and marker fit.
  let kept = Math.max(0, max - marker(0).length);
  while (kept > 0 && kept + marker(kept).length > max) kept--;
  return text.slice(0, kept) + marker(kept);
}
