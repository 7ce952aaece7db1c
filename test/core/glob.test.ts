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
