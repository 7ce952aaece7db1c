// Untrusted values (inventory and organization file contents, request fields)
// on their way into a message: a short, JSON-quoted excerpt, so a control
// character or a huge value can never forge a line or flood the output.

/** How many characters of an untrusted value a message quotes. */
export const EXCERPT_LIMIT = 60;

// JSON.stringify leaves these visible-as-nothing characters alone: C1 controls,
// bidi marks, embeddings, overrides and isolates, line and paragraph separators.
const INVISIBLE = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1; // never split a surrogate pair
  return `${text.slice(0, end)}...`;
}

/** A JSON-quoted excerpt of any value: `"abc"`, `42`, `an object`, `an array`. */
export function excerpt(value: unknown, max = EXCERPT_LIMIT): string {
  if (typeof value === 'string') {
    const quoted = JSON.stringify(cut(value, max)).replace(INVISIBLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    return value.length > max ? `${quoted} (${value.length} characters)` : quoted;
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (value === undefined) return 'undefined';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return `a ${typeof value}`;
}

/** Plain own-property object test: arrays and null are not objects here. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
