// Instance-name globs (spec section 6): `*` is any run (also empty), `?` is one
// character, everything else literal, case-sensitive, whole name. Compiled once
// per pattern: scope checks run for every instance of a fleet.

const compiled = new Map<string, RegExp>();

function compile(pattern: string): RegExp {
  let source = '^';
  for (const ch of pattern) {
    if (ch === '*') source += '[\\s\\S]*';
    else if (ch === '?') source += '[\\s\\S]';
    else source += ch.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
  }
  // `u` so that `?` matches one code point, not one UTF-16 unit.
  return new RegExp(source + '$', 'u');
}

export function globMatch(pattern: string, name: string): boolean {
  if (!pattern.includes('*') && !pattern.includes('?')) return pattern === name;
  let re = compiled.get(pattern);
  if (!re) {
    re = compile(pattern);
    compiled.set(pattern, re);
  }
  return re.test(name);
}

export function anyGlobMatch(patterns: readonly string[], name: string): boolean {
  for (const p of patterns) if (globMatch(p, name)) return true;
  return false;
}
