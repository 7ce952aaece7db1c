// Bad input never crashes the validator: whatever the text, the result is
// problems with positions (or a policy), never an exception.

import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { validatePolicyText } from '../../src/policy/load.js';

const ODD_INPUTS = [
  '',
  '~',
  '42',
  '"just a string"',
  'version: 1\nrules: [~]\n',
  'version: 1\nrules:\n  - id: [a]\n    title: {x: 1}\n',
  'version: 1\n? [a, b]\n: c\n',
  'version: 1\nexceptions:\n  - rules: [~, 3]\n    reason: 1234567890\n    expires: 2027-01-01T00:00:00Z\n',
  'version: 1\nrules:\n  - id: a\n    title: t\n    match: { source: { outside: [~], overlaps: [[1]] } }\n',
  'version: 1\nrules:\n  - &r { id: a, title: t }\n  - *r\n',
  'version: 1\nrules:\n  - id: a\n    title: t\n    match: { ports: *nowhere }\n',
  '\u0000\u0001binary',
  'version: 1\n---\nversion: 1\n',
];

// Fragments that, glued together, make YAML-looking text with many shapes of mistakes.
const FRAGMENT = fc.constantFrom(
  'version: 1\n', 'version: "1"\n', 'rules:\n', '  - id: ssh\n', '    title: SSH\n', '  - ', 'match:\n', '      ports: [22, "1-2", 70000]\n',
  '      protocol: [tcp, icmp]\n', '      icmp: {type: 8}\n', '      source: world\n', '      source: {outside: [office, 10.0.0.5/8]}\n',
  'networks:\n', '  office: [198.51.100.0/24]\n', 'exceptions:\n', '  - rules: [ssh]\n', '    reason: short\n', '    expires: 2027-02-30\n',
  'extends: [nope]\n', '[', ']', '{', '}', '"', ':', '\t', '  ', '\n', '- ', '&a ', '*a ', '# c\n',
);

describe('validatePolicyText on arbitrary input', () => {
  it.each(ODD_INPUTS)('does not throw on %j', (text) => {
    const r = validatePolicyText(text, 'odd.yaml');
    expect(r.policy !== undefined || r.problems.length > 0).toBe(true);
  });

  it('returns positioned problems for any mix of fragments', () => {
    fc.assert(
      fc.property(fc.array(FRAGMENT, { maxLength: 25 }), fc.string({ maxLength: 20 }), (parts, noise) => {
        const r = validatePolicyText(parts.join('') + noise, 'fuzz.yaml');
        for (const p of r.problems) {
          expect(p.file).toBe('fuzz.yaml');
          expect(p.line).toBeGreaterThanOrEqual(1);
          expect(p.col).toBeGreaterThanOrEqual(1);
          expect(p.message.length).toBeGreaterThan(0);
        }
        expect(r.policy === undefined).toBe(r.problems.length > 0);
      }),
      { numRuns: 300 },
    );
  });
});
