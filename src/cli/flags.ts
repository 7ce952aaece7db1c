// Reading commander's parsed options: a flag given with an empty value is a
// mistake (`--policy ""` must not fall back to the default pack, `--now ""`
// must not fall back to the real clock), never "not given".

import { UserInputError } from '../core/errors.js';
import { quote } from '../core/text.js';

/** A string option: undefined when not given, a UserInputError when given empty. */
export function textFlag(opts: Record<string, unknown>, key: string, flag: string): string | undefined {
  const v = opts[key];
  if (v === undefined || v === false) return undefined;
  if (typeof v !== 'string') return undefined;
  if (v.trim() === '') throw new UserInputError(`${flag}: needs a value, got ${quote(v)}`);
  return v;
}

/** A repeatable string option (collected into a list by `collectValues`). */
export function listFlag(opts: Record<string, unknown>, key: string, flag: string): string[] {
  const v = opts[key];
  if (v === undefined) return [];
  const list = Array.isArray(v) ? (v as unknown[]) : [v];
  return list.map((item) => {
    if (typeof item !== 'string' || item.trim() === '') throw new UserInputError(`${flag}: needs a value, got ${quote(String(item))}`);
    return item;
  });
}

/** Commander argParser for a repeatable option: `--input a --input b`. */
export function collectValues(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** An endpoint URL as it may be shown or stored: user name, password, query and fragment removed. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    const hidden = u.username !== '' || u.password !== '' || u.search !== '' || u.hash !== '';
    u.username = '';
    u.password = '';
    u.search = '';
    u.hash = '';
    const text = u.toString().replace(/\/$/, '');
    return hidden ? `${text} (credentials and query removed)` : text;
  } catch {
    return '(an endpoint URL that does not parse)';
  }
}
