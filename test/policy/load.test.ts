// Valid policies and what they load into: the pure validator table-driven,
// then extends through the file system (bundled packs, relative paths,
// diamonds, merge order, network resolution).

import { describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { addressSetOf, parseCidr, PRIVATE_SET, unionSets } from '../../src/core/cidr.js';
import { PolicyError } from '../../src/core/errors.js';
import type { AddressSet, ParsedCidr, Policy, PolicyException, Rule } from '../../src/core/types.js';
import { bundledRulesDir, listBundledPacks, loadPolicy, validatePolicyText } from '../../src/policy/load.js';

function cidr(text: string): ParsedCidr {
  const r = parseCidr(text);
  if (!r.ok) throw new Error(r.error);
  return r.cidr;
}

function set(...texts: string[]): AddressSet {
  return addressSetOf(texts.map(cidr));
}

function load(text: string): Policy {
  const r = validatePolicyText(text, 'p.yaml');
  expect(r.problems).toEqual([]);
  return r.policy!;
}

const pos = (line: number, col: number) => ({ file: 'p.yaml', line, col });

describe('validatePolicyText: valid policies', () => {
  it('a bare version is an empty policy', () => {
    expect(load('version: 1\n')).toEqual({ path: 'p.yaml', files: ['p.yaml'], networks: {}, rules: [], exceptions: [] });
  });

  const ruleCases: { name: string; yaml: string; rule: Rule }[] = [
    {
      name: 'defaults: severity medium, source any, position of the id value',
      yaml: 'version: 1\nrules:\n  - title: "  SSH  "\n    id: ssh\n',
      rule: { id: 'ssh', title: 'SSH', severity: 'medium', match: { source: 'any' }, position: pos(4, 9) },
    },
    {
      name: 'protocols: a single string, case-insensitive, icmp6 read as icmpv6, duplicates dropped',
      yaml: 'version: 1\nrules:\n  - id: p\n    title: t\n    match: { protocol: [TCP, udp, tcp, icmp6] }\n',
      rule: { id: 'p', title: 't', severity: 'medium', match: { protocols: ['tcp', 'udp', 'icmpv6'], source: 'any' }, position: pos(3, 9) },
    },
    {
      name: 'ports: integers, ranges with spaces, integer strings, YAML 1.2 010 is 10',
      yaml: 'version: 1\nrules:\n  - id: p\n    title: t\n    match: { protocol: tcp, ports: [22, "8000 - 8999", "443", 010, "0-65535"], source: world }\n',
      rule: {
        id: 'p',
        title: 't',
        severity: 'medium',
        match: {
          protocols: ['tcp'],
          ports: [
            { from: 22, to: 22 },
            { from: 8000, to: 8999 },
            { from: 443, to: 443 },
            { from: 10, to: 10 },
            { from: 0, to: 65535 },
          ],
          source: 'world',
        },
        position: pos(3, 9),
      },
    },
    {
      name: 'icmp without protocol',
      yaml: 'version: 1\nrules:\n  - id: p\n    title: t\n    severity: low\n    match: { icmp: { type: 8, code: -1 }, source: public }\n',
      rule: { id: 'p', title: 't', severity: 'low', match: { icmp: { type: 8, code: -1 }, source: 'public' }, position: pos(3, 9) },
    },
    {
      name: 'ports with protocol all',
      yaml: 'version: 1\nrules:\n  - id: p\n    title: t\n    match: { protocol: all, ports: [22] }\n',
      rule: { id: 'p', title: 't', severity: 'medium', match: { protocols: ['all'], ports: [{ from: 22, to: 22 }], source: 'any' }, position: pos(3, 9) },
    },
    {
      name: 'description, remediation and scope (tag values read as written)',
      yaml: [
        'version: 1',
        'rules:',
        '  - id: rule.v2_x',
        '    title: t',
        '    description: " d "',
        '    remediation: r',
        '    scope:',
        '      regions: [us-east-1]',
        '      instances: ["web-*", "db-?"]',
        '      tags: { env: prod, cost: 0123, any: "*", on: true }',
        '',
      ].join('\n'),
      rule: {
        id: 'rule.v2_x',
        title: 't',
        severity: 'medium',
        description: 'd',
        remediation: 'r',
        scope: { regions: ['us-east-1'], instances: ['web-*', 'db-?'], tags: { env: 'prod', cost: '0123', any: '*', on: 'true' } },
        match: { source: 'any' },
        position: pos(3, 9),
      },
    },
    {
      name: 'source object: covers, widerThan, alias',
      yaml: 'version: 1\nrules:\n  - id: p\n    title: t\n    match:\n      source: { covers: world-ipv6, widerThan: { ipv4: 16 }, alias: lightsail-connect }\n',
      rule: {
        id: 'p',
        title: 't',
        severity: 'medium',
        match: { source: { covers: 'world-ipv6', widerThan: { ipv4: 16 }, alias: 'lightsail-connect' } },
        position: pos(3, 9),
      },
    },
    {
      name: 'allow entries, and an anchored port list reused through an alias',
      yaml: [
        'version: 1',
        'rules:',
        '  - id: p',
        '    title: t',
        '    match: { source: public, ports: &web [80, 443] }',
        '    allow:',
        '      - { protocol: tcp, ports: *web }',
        '      - { protocol: [icmp], icmp: { type: 8 } }',
        '      - { protocol: all }',
        '      - {}',
        '',
      ].join('\n'),
      rule: {
        id: 'p',
        title: 't',
        severity: 'medium',
        match: { ports: [{ from: 80, to: 80 }, { from: 443, to: 443 }], source: 'public' },
        allow: [
          { protocols: ['tcp'], ports: [{ from: 80, to: 80 }, { from: 443, to: 443 }] },
          { protocols: ['icmp'], icmp: { type: 8 } },
          { protocols: ['all'] },
          {},
        ],
        position: pos(3, 9),
      },
    },
  ];

  it.each(ruleCases)('$name', ({ yaml, rule }) => {
    expect(load(yaml).rules).toEqual([rule]);
  });

  it('resolves network names, private and literal CIDRs in outside/overlaps', () => {
    const policy = load(
      [
        'version: 1',
        'networks:',
        '  office: [198.51.100.0/24, "2001:db8:10::/48"]',
        'rules:',
        '  - id: p',
        '    title: t',
        '    match:',
        '      source:',
        '        outside: [office, private, 8.8.8.0/24, "::ffff:1.2.3.0/120"]',
        '        overlaps: [office]',
        '',
      ].join('\n'),
    );
    const office = set('198.51.100.0/24', '2001:db8:10::/48');
    expect(policy.networks).toEqual({ office: { names: ['198.51.100.0/24', '2001:db8:10::/48'], set: office } });
    const source = policy.rules[0]!.match.source;
    expect(source).toEqual({
      outside: {
        names: ['office', 'private', '8.8.8.0/24', '::ffff:1.2.3.0/120'],
        set: unionSets(unionSets(office, PRIVATE_SET), set('8.8.8.0/24', '1.2.3.0/24')),
      },
      overlaps: { names: ['office'], set: office },
    });
  });

  const exceptionCases: { name: string; yaml: string; exception: PolicyException }[] = [
    {
      name: 'unquoted date, trimmed reason, every selector',
      yaml: [
        'version: 1',
        'rules: [{ id: ssh, title: t }]',
        'exceptions:',
        '  - rules: [ssh]',
        '    instances: ["bastion-*"]',
        '    regions: [eu-west-1]',
        '    tags: { role: bastion, n: 7 }',
        '    ports: [22, "2222-2223"]',
        '    reason: "   Bastion behind MFA   "',
        '    expires: 2024-02-29',
        '',
      ].join('\n'),
      exception: {
        rules: ['ssh'],
        instances: ['bastion-*'],
        regions: ['eu-west-1'],
        tags: { role: 'bastion', n: '7' },
        ports: [
          { from: 22, to: 22 },
          { from: 2222, to: 2223 },
        ],
        reason: 'Bastion behind MFA',
        expires: '2024-02-29',
        position: pos(4, 5),
      },
    },
    {
      name: 'wildcard rules, quoted date',
      yaml: 'version: 1\nexceptions:\n  - { rules: ["*"], reason: "ten chars!", expires: "2027-01-31" }\n',
      exception: { rules: ['*'], reason: 'ten chars!', expires: '2027-01-31', position: pos(3, 5) },
    },
  ];

  it.each(exceptionCases)('exception: $name', ({ yaml, exception }) => {
    expect(load(yaml).exceptions).toEqual([exception]);
  });

  it('without file access, extends is a problem, not a crash', () => {
    expect(validatePolicyText('version: 1\nextends: [baseline]\n', 'p.yaml')).toEqual({
      problems: [{ file: 'p.yaml', line: 2, col: 11, message: 'extends[0]: "baseline" cannot be loaded without file access (use loadPolicy)' }],
    });
  });
});

describe('loadPolicy: extends', () => {
  const F = 'test/policy/fixtures';

  it('loads a diamond once per file, merging extended entries before the including file', () => {
    const policy = loadPolicy(`${F}/diamond/root.yaml`);
    expect(policy.path).toBe(`${F}/diamond/root.yaml`);
    expect(policy.files).toEqual([`${F}/diamond/root.yaml`, `${F}/diamond/left.yaml`, `${F}/diamond/common.yaml`, `${F}/diamond/right.yaml`]);
    expect(policy.rules.map((r) => r.id)).toEqual(['common-rule', 'left-rule', 'right-rule', 'root-rule']);
    expect(policy.rules.map((r) => r.position)).toEqual([
      { file: `${F}/diamond/common.yaml`, line: 5, col: 9 },
      { file: `${F}/diamond/left.yaml`, line: 6, col: 9 },
      { file: `${F}/diamond/right.yaml`, line: 4, col: 9 },
      { file: `${F}/diamond/root.yaml`, line: 4, col: 9 },
    ]);
    // The same network defined in two files with the same addresses is fine.
    expect(policy.networks.office!.set).toEqual(set('198.51.100.0/24'));
    expect(policy.rules[3]!.match.source).toEqual({ outside: { names: ['office'], set: set('198.51.100.0/24') } });
    // An exception in an extended file may name a rule of the root file.
    expect(policy.exceptions).toEqual([
      { rules: ['root-rule'], reason: 'Exception ids resolve over the merged policy', position: { file: `${F}/diamond/right.yaml`, line: 7, col: 5 } },
    ]);
  });

  it('mixes a bundled pack with paths relative to the including file', () => {
    const policy = loadPolicy(`${F}/nested/root.yaml`);
    expect(policy.files).toEqual([`${F}/nested/root.yaml`, 'rules/baseline.yaml', `${F}/nested/sub/child.yml`, `${F}/nested/shared.yaml`]);
    const baselineIds = loadPolicy('rules/baseline.yaml').rules.map((r) => r.id);
    expect(policy.rules.map((r) => r.id)).toEqual([...baselineIds, 'child', 'own']);
    expect(policy.rules[0]!.position.file).toBe('rules/baseline.yaml');
    expect(policy.rules.find((r) => r.id === 'child')!.match.source).toEqual({
      overlaps: { names: ['lab'], set: set('192.0.2.0/24', '2001:db8:1::/48') },
    });
  });

  it('refuses a network defined twice with different addresses', () => {
    expect(() => loadPolicy(`${F}/conflict/root.yaml`)).toThrow(
      new PolicyError([
        {
          file: `${F}/conflict/root.yaml`,
          line: 4,
          col: 3,
          message: `networks.office: network "office" is already defined with other addresses at ${F}/conflict/other.yaml:3:3`,
        },
      ]),
    );
  });

  it('reports an unreadable root file as one problem at 1:1', () => {
    let caught: unknown;
    try {
      loadPolicy('no/such/policy.yaml');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(PolicyError);
    expect((caught as PolicyError).lines).toEqual(['no/such/policy.yaml:1:1: cannot read policy file: ENOENT (no such file or directory)']);
  });

  it('takes bundled packs from another directory when told to', () => {
    const policy = loadPolicy(`${F}/nested/shared.yaml`, { bundledDir: join(F, 'nested') });
    expect(policy.networks.lab!.names).toEqual(['192.0.2.0/24', '2001:db8:1::/48']);
    expect(() => loadPolicy(`test/policy/invalid/duplicate-rule-id-extends.yaml`, { bundledDir: join(F, 'nested') })).toThrow(
      /extends\[0\]: unknown bundled pack "baseline"; available: root, shared/,
    );
  });
});

describe('bundled packs', () => {
  it('live in the repository rules/ directory', () => {
    const dir = bundledRulesDir();
    expect(dir.endsWith('/rules/')).toBe(true);
    expect(existsSync(join(dir, 'baseline.yaml'))).toBe(true);
    expect(listBundledPacks()).toEqual(['baseline', 'example-team', 'strict']);
  });
});
