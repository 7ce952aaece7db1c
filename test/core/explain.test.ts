import { describe, expect, test } from '@jest/globals';
import { explainRule } from '../../src/core/explain.js';
import type { Policy } from '../../src/core/types.js';
import { validatePolicyText } from '../../src/policy/load.js';

function policyOf(text: string): Policy {
  const r = validatePolicyText(text, 'p.yaml');
  if (!r.policy) throw new Error(r.problems.map((p) => p.message).join('\n'));
  return r.policy;
}

const NOW = new Date('2026-12-01T00:00:00Z');

describe('explainRule: a rule in plain words', () => {
  test.each([
    [
      'world SSH',
      'match: { protocol: [tcp, udp], ports: [22, 3389], source: world }',
      'Flags: open tcp or udp port states whose port range includes 22 or 3389 (a state of protocol "all" counts too), open to the whole IPv4 or the whole IPv6 internet',
    ],
    ['public anything', 'match: { source: public }', 'Flags: open any protocol port states, open to at least one public address'],
    ['ping', 'match: { protocol: icmp, icmp: { type: 8 } }', 'Flags: open icmp port states for ICMP type 8'],
    ['outside networks', 'match: { ports: [22], source: { outside: [office, private] } }', 'admitting an address outside office and private'],
    ['wide ranges', 'match: { source: { widerThan: { ipv4: 24, ipv6: 48 } } }', 'with an IPv4 source wider than /24 or an IPv6 source wider than /48'],
    ['scope', 'scope: { regions: [us-east-1], instances: ["web-*"], tags: { env: prod, team: "*" } }', 'Looks at: instances named web-*, in us-east-1, tagged env=prod and team (any value).'],
  ])('%s', (_label, yaml, words) => {
    const policy = policyOf(`version: 1\nnetworks: { office: [198.51.100.0/24] }\nrules:\n  - id: r\n    title: T\n    ${yaml}\n`);
    expect(explainRule(policy.rules[0]!, policy, NOW).join('\n')).toContain(words);
  });

  test('names the allow-list and every exception that applies, with its state at --now', () => {
    const policy = policyOf(
      [
        'version: 1',
        'rules:',
        '  - { id: web-only, title: Web only, severity: high, match: { source: public }, allow: [{ protocol: tcp, ports: [80, 443] }] }',
        '  - { id: other, title: Other }',
        'exceptions:',
        '  - { rules: [web-only], instances: [lb-*], reason: "Load balancer health checks", expires: 2026-11-30 }',
        '  - { rules: ["*"], regions: [eu-west-1], ports: [8080], reason: "Staging region, ticket OPS-1" }',
        '  - { rules: [other], reason: "Not about web-only at all" }',
      ].join('\n'),
    );
    const text = explainRule(policy.rules[0]!, policy, NOW).join('\n');
    expect(text).toContain('Except: what the allow-list covers completely (tcp 80, 443)');
    expect(text).toContain('Exceptions that apply (2):');
    expect(text).toContain('p.yaml:6: this rule, instances lb-*; EXPIRED at the end of 2026-11-30, suppresses nothing; "Load balancer health checks"');
    expect(text).toContain('p.yaml:7: every rule, regions eu-west-1, ports 8080; no expiry; "Staging region, ticket OPS-1"');
    expect(text).not.toContain('Not about web-only');
  });
});
