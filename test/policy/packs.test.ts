// The bundled rule packs: every file loads cleanly, every rule is documented,
// and the packs flag what they say they flag (through the real evaluator).

import { describe, expect, it } from '@jest/globals';
import { readdirSync } from 'node:fs';
import { evaluate } from '../../src/core/evaluate.js';
import type { Inventory, Policy, RawPortState } from '../../src/core/types.js';
import { loadPolicy } from '../../src/policy/load.js';

const PACKS = readdirSync('rules').filter((f) => f.endsWith('.yaml')).sort();

describe('every file in rules/', () => {
  it('there are packs', () => {
    expect(PACKS).toEqual(expect.arrayContaining(['baseline.yaml', 'strict.yaml', 'example-team.yaml']));
  });

  it.each(PACKS)('%s loads with zero problems and documents each rule', (file) => {
    const policy = loadPolicy(`rules/${file}`);
    expect(policy.rules.length).toBeGreaterThan(0);
    for (const rule of policy.rules) {
      expect(rule.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(rule.title.length).toBeGreaterThan(10);
      expect(rule.description?.length ?? 0).toBeGreaterThan(40);
      // The safe command, and a warning against the one that replaces every port.
      expect(rule.remediation).toContain('aws lightsail close-instance-public-ports --region <region> --instance-name <name> --port-info fromPort=');
      expect(rule.remediation).toMatch(/not use put-instance-public-ports[^.]*: it replaces every port/);
    }
  });
});

// ---------------------------------------------------------------- behaviour

const WORLD4 = ['0.0.0.0/0'];
const WORLD6 = ['::/0'];

function state(protocol: string, from: number, to: number, cidrs: string[], ipv6Cidrs: string[] = [], aliases: string[] = []): RawPortState {
  return { protocol, fromPort: from, toPort: to, state: 'open', cidrs, ipv6Cidrs, cidrListAliases: aliases };
}

/** Rule ids that fire for one port state, sorted. */
function firing(policy: Policy, s: RawPortState): string[] {
  const inventory: Inventory = {
    version: 1,
    collectedAt: '2026-11-25T12:00:00Z',
    regions: [{ name: 'us-east-1', status: 'ok' }],
    instances: [{ name: 'web-1', region: 'us-east-1', portStates: [s] }],
  };
  const result = evaluate(policy, inventory, { now: new Date('2026-11-25T12:00:00Z') });
  return [...new Set(result.findings.map((f) => f.ruleId))].sort();
}

describe('baseline', () => {
  const baseline = loadPolicy('rules/baseline.yaml');
  const cases: { name: string; state: RawPortState; rules: string[] }[] = [
    { name: 'SSH open to 0.0.0.0/0', state: state('tcp', 22, 22, WORLD4), rules: ['high-risk-ports-public', 'ssh-rdp-world'] },
    { name: 'SSH open to ::/0 only', state: state('tcp', 22, 22, [], WORLD6), rules: ['high-risk-ports-public', 'ssh-rdp-world'] },
    { name: 'SSH open to the world in two halves', state: state('tcp', 22, 22, ['0.0.0.0/1', '128.0.0.0/1']), rules: ['high-risk-ports-public', 'ssh-rdp-world'] },
    { name: 'RDP over udp to the world', state: state('udp', 3389, 3389, WORLD4), rules: ['high-risk-ports-public', 'ssh-rdp-world'] },
    { name: 'a range containing 22 to the world', state: state('tcp', 0, 1024, WORLD4), rules: ['high-risk-ports-public', 'ssh-rdp-world'] },
    { name: 'SSH to one public /24', state: state('tcp', 22, 22, ['8.8.8.0/24']), rules: ['high-risk-ports-public'] },
    { name: 'SSH through lightsail-connect only', state: state('tcp', 22, 22, [], [], ['lightsail-connect']), rules: [] },
    { name: 'SSH from a private range', state: state('tcp', 22, 22, ['10.0.0.0/8'], ['fc00::/7']), rules: [] },
    { name: 'MySQL to a public address', state: state('tcp', 3306, 3306, ['8.8.8.8/32']), rules: ['database-ports-public', 'high-risk-ports-public'] },
    { name: 'Redis to IPv6 world', state: state('tcp', 6379, 6379, [], WORLD6), rules: ['database-ports-public'] },
    { name: 'MongoDB secondary port', state: state('tcp', 27019, 27019, WORLD4), rules: ['database-ports-public'] },
    { name: 'HTTPS to the world', state: state('tcp', 443, 443, WORLD4, WORLD6), rules: [] },
    {
      name: 'all traffic to the world',
      state: state('all', 0, 65535, WORLD4),
      rules: ['all-traffic-public', 'database-ports-public', 'high-risk-ports-public', 'icmp-all-world', 'ssh-rdp-world'],
    },
    { name: 'all traffic to one public address', state: state('all', 0, 65535, ['8.8.8.8/32']), rules: ['all-traffic-public', 'database-ports-public', 'high-risk-ports-public'] },
    { name: 'ping (icmp 8) to the world', state: state('icmp', 8, -1, WORLD4), rules: [] },
    { name: 'ICMPv6 echo to the world', state: state('icmpv6', 128, 0, [], WORLD6), rules: [] },
    { name: 'every ICMP type to the world', state: state('icmp', -1, -1, WORLD4), rules: ['icmp-all-world'] },
    { name: 'every ICMPv6 type to the world', state: state('icmpv6', -1, -1, [], WORLD6), rules: ['icmp-all-world'] },
    { name: 'every ICMP type, written icmp6', state: state('icmp6', -1, 0, [], WORLD6), rules: ['icmp-all-world'] },
    { name: 'every ICMP type to one public /24 (not the world)', state: state('icmp', -1, -1, ['8.8.8.0/24']), rules: [] },
  ];

  it.each(cases)('$name', ({ state: s, rules }) => {
    expect(firing(baseline, s)).toEqual(rules);
  });
});

describe('strict', () => {
  const strict = loadPolicy('rules/strict.yaml');
  const cases: { name: string; state: RawPortState; flagged: boolean }[] = [
    { name: 'tcp 80 to the world', state: state('tcp', 80, 80, WORLD4, WORLD6), flagged: false },
    { name: 'tcp 443 to the world', state: state('tcp', 443, 443, WORLD4), flagged: false },
    { name: 'icmp echo', state: state('icmp', 8, -1, WORLD4), flagged: false },
    { name: 'icmpv6 echo', state: state('icmpv6', 128, 0, [], WORLD6), flagged: false },
    { name: 'tcp 8080', state: state('tcp', 8080, 8080, WORLD4), flagged: true },
    { name: 'tcp 79-80 (reaches past 80)', state: state('tcp', 79, 80, WORLD4), flagged: true },
    { name: 'udp 443', state: state('udp', 443, 443, WORLD4), flagged: true },
    { name: 'every icmp type', state: state('icmp', -1, -1, WORLD4), flagged: true },
    { name: 'all traffic', state: state('all', 0, 65535, ['8.8.8.8/32']), flagged: true },
    { name: 'ssh from a private range', state: state('tcp', 22, 22, ['10.0.0.0/8']), flagged: false },
    { name: 'ssh through lightsail-connect', state: state('tcp', 22, 22, [], [], ['lightsail-connect']), flagged: false },
  ];

  it.each(cases)('$name', ({ state: s, flagged }) => {
    expect(firing(strict, s)).toEqual(flagged ? ['only-web-and-ping-public'] : []);
  });
});

describe('example-team', () => {
  const team = loadPolicy('rules/example-team.yaml');

  it('extends baseline and adds its own rules after it', () => {
    expect(team.files).toEqual(['rules/example-team.yaml', 'rules/baseline.yaml']);
    expect(team.rules.map((r) => r.id).slice(-2)).toEqual(['ssh-outside-office', 'admin-ports-wide-range']);
    expect(Object.keys(team.networks)).toEqual(['office', 'vpn']);
    expect(team.exceptions.map((e) => e.rules)).toEqual([['ssh-rdp-world', 'high-risk-ports-public', 'ssh-outside-office', 'admin-ports-wide-range'], ['database-ports-public']]);
    expect(team.exceptions.every((e) => e.expires !== undefined && e.reason.length >= 10)).toBe(true);
  });
});
