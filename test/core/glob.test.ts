import { expect, test } from '@jest/globals';
import { globMatch } from '../../src/core/glob.js';

// Section 6: `*` any run (also empty), `?` one character, the rest literal,
// case-sensitive, whole name.
test.each([
  ['web-*', 'web-1', true],
  ['web-*', 'web-', true],
  ['web-*', 'xweb-1', false],
  ['web-?', 'web-12', false],
  ['web-?', 'web-1', true],
  ['*', '', true],
  ['Web-*', 'web-1', false],
  ['db.[a]', 'db.[a]', true],
  ['db.[a]', 'db.a', false],
  ['a.c', 'abc', false],
  ['a+b', 'a+b', true],
  ['(x)|y', '(x)|y', true],
  ['*-prod-*', 'api-prod-3', true],
  ['?', 'é', true],
  ['web-1', 'web-1 ', false],
])('%s vs %s -> %s', (pattern, name, expected) => {
  expect(globMatch(pattern, name)).toBe(expected);
});

test('globs match in time linear in the name: no backtracking blow-up', () => {
  // A backtracking regex took 21 s for six stars against 203 characters; this is
  // far worse for it (hours), and instant for a greedy matcher. Jest's timeout fails a regression.
  const name = `${'a-'.repeat(2000)}x`;
  expect(globMatch('*-*-*-*-*-*-*-*-*-*-*-*-prod', name)).toBe(false);
  expect(globMatch('*-*-*-*-*-*-*-*-*-*-*-*-x', name)).toBe(true);
  expect(globMatch('a*?*?*?*?-x', name)).toBe(true);
});

test('every glob agrees with a regex built from it on short names (property)', async () => {
  const fc = (await import('fast-check')).default;
  const toRegex = (p: string): RegExp =>
    new RegExp(`^${Array.from(p).map((c) => (c === '*' ? '[\\s\\S]*' : c === '?' ? '[\\s\\S]' : c.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&'))).join('')}$`, 'u');
  fc.assert(
    fc.property(fc.stringMatching(/^[ab*?-]{0,8}$/), fc.stringMatching(/^[ab-]{0,10}$/), (pattern, name) => {
      expect(globMatch(pattern, name)).toBe(toRegex(pattern).test(name));
    }),
    { numRuns: 2000 },
  );
});
