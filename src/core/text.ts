// Untrusted text (inventory values, AWS error text, policy scalars, file
// contents) on its way into a message: escaped so it cannot move a cursor,
// forge a line or reorder what is shown, and cut so a file that is not what
// it should be is never echoed whole.

/** How many characters of an untrusted value a message may quote. */
export const QUOTE_LIMIT = 60;

/**
 * Characters that act on a terminal or on the reading order instead of
 * showing: C0 controls (tab and newline too: one message is one line), DEL,
 * C1 controls, bidi embeddings, overrides, isolates and marks, the line and
 * paragraph separators, and lone surrogates (not text at all).
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const SHORT_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function visible(ch: string): string {
  return SHORT_ESCAPES[ch] ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** The text with every unsafe character written as a visible escape (`\u001b`, `\n`, `\u202e`). */
export function escapeUnsafe(text: string): string {
  return text.replace(UNSAFE, visible);
}

/** Whether the text holds a character escapeUnsafe would rewrite. */
export function hasUnsafe(text: string): boolean {
  UNSAFE.lastIndex = 0;
  const found = UNSAFE.test(text);
  UNSAFE.lastIndex = 0;
  return found;
}

/** Cut to at most `max` UTF-16 units without splitting a surrogate pair; `…` marks a cut. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  const last = text.charCodeAt(end - 1);
  if (end > 0 && last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}

/**
 * An untrusted string for a message: double-quoted, escaped, and cut to
 * `max` characters with the full length said when cut:
 * `"PATH=/usr/local/sbin:/usr/l…" (2345 characters)`.
 */
export function quote(text: string, max = QUOTE_LIMIT): string {
  const cut = truncate(text, max);
  const body = escapeUnsafe(cut.replace(/["\\]/g, (c) => (c === '"' ? '\\"' : '\\\\')));
  return cut.length < text.length ? `"${body}" (${text.length} characters)` : `"${body}"`;
}

/** Any untrusted value for a message: strings quoted, other JSON values shown short. */
export function showValue(value: unknown, max = QUOTE_LIMIT): string {
  if (typeof value === 'string') return quote(value, max);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  return typeof value;
}

/** Untrusted text inside a message, without quotes (AWS error messages, names): escaped and cut. */
export function excerpt(text: string, max = 200): string {
  return escapeUnsafe(truncate(text, max));
}

/** The string with lone surrogates replaced by U+FFFD: safe for encodeURIComponent and UTF-8. */
export function wellFormed(text: string): string {
  return text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}
