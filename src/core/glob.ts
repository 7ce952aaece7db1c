// Instance-name globs (spec section 6): `*` is any run (also empty), `?` is one
// character (one code point), everything else literal, case-sensitive, whole
// name. Matched without regular expressions: a backtracking regex turns
// `*-*-*-*-*-*-prod` against a long name into seconds of work; the greedy
// match below backs up only to the last `*`, so it costs at most
// pattern length x name length steps.

const compiled = new Map<string, readonly string[]>();
/** Compiled patterns kept at most: policies hold few globs, but a cache must not grow without end. */
const CACHE_LIMIT = 10_000;

function codePoints(text: string): string[] {
  return Array.from(text);
}

function compile(pattern: string): readonly string[] {
  let parts = compiled.get(pattern);
  if (!parts) {
    if (compiled.size >= CACHE_LIMIT) compiled.clear();
    parts = codePoints(pattern);
    compiled.set(pattern, parts);
  }
  return parts;
}

function matchPoints(p: readonly string[], s: readonly string[]): boolean {
  let pi = 0;
  let si = 0;
  let starAt = -1; // pattern index just after the last `*`
  let starMatch = 0; // name index that `*` has consumed up to
  while (si < s.length) {
    const pc = p[pi];
    if (pc !== undefined && pc !== '*' && (pc === '?' || pc === s[si])) {
      pi++;
      si++;
    } else if (pc === '*') {
      starAt = ++pi;
      starMatch = si;
    } else if (starAt >= 0) {
      pi = starAt;
      si = ++starMatch;
    } else {
      return false;
    }
  }
  while (p[pi] === '*') pi++;
  return pi === p.length;
}

export function globMatch(pattern: string, name: string): boolean {
  if (!pattern.includes('*') && !pattern.includes('?')) return pattern === name;
  return matchPoints(compile(pattern), codePoints(name));
}

export function anyGlobMatch(patterns: readonly string[], name: string): boolean {
  for (const p of patterns) if (globMatch(p, name)) return true;
  return false;
}
