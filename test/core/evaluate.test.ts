import { describe, expect, test } from '@jest/globals';
import { evaluate, expiryInstant, fingerprintOf } from '../../src/core/evaluate.js';
import type { Inventory, InventoryInstance, Policy, PolicyException, RawPortState, Rule } from '../../src/core/types.js';

const pos = { file: 'p.yaml', line: 1, col: 1 };

function rule(id: string, over: Partial<Rule> = {}): Rule {
  return { id, title: `${id} title`, severity: 'high', match: { protocols: ['tcp'], ports: [{ from: 22, to: 22 }], source: 'world' }, position: pos, ...over };
}

function policy(rules: Rule[], exceptions: PolicyException[] = []): Policy {
  return { path: 'p.yaml', files: ['p.yaml'], networks: {}, rules, exceptions };
}

function open(protocol: string, fromPort: number, toPort: number, cidrs: string[] = ['0.0.0.0/0'], ipv6Cidrs: string[] = []): RawPortState {
  return { protocol, fromPort, toPort, state: 'open', cidrs, ipv6Cidrs, cidrListAliases: [] };
}

function inst(name: string, region: string, portStates: RawPortState[], extra: Partial<InventoryInstance> = {}): InventoryInstance {
  return { name, region, arn: `arn:aws:lightsail:${region}:111122223333:Instance/${name}`, tags: [], portStates, ...extra };
}

function inventory(instances: InventoryInstance[], regions = ['us-east-1', 'eu-west-1']): Inventory {
  return { version: 1, collectedAt: '2026-11-25T00:00:00Z', regions: regions.map((name) => ({ name, status: 'ok' as const })), instances };
}

const NOW = new Date('2026-11-25T12:00:00Z');

describe('findings', () => {
  test('one finding per rule, instance, protocol and range; TCP and tcp merge with their sources', () => {
    const r = evaluate(
      policy([rule('ssh')]),
      inventory([inst('a', 'us-east-1', [open('TCP', 22, 22, ['0.0.0.0/0']), open('tcp', 22, 22, [], ['::/0']), open('tcp', 0, 65535)])]),
      { now: NOW },
    );
    expect(r.findings.map((f) => [f.portState.protocol, f.portState.fromPort, f.portState.toPort])).toEqual([
      ['tcp', 0, 65535],
      ['tcp', 22, 22],
    ]);
    const merged = r.findings.find((f) => f.portState.fromPort === 22)!;
    expect(merged.portState.cidrs).toEqual(['0.0.0.0/0']);
    expect(merged.portState.ipv6Cidrs).toEqual(['::/0']);
  });

  test('alike states on many instances share their source lists, and a merge on one instance leaves the others as they were', () => {
    const r = evaluate(
      policy([rule('ssh')]),
      inventory([
        inst('a', 'us-east-1', [open('tcp', 22, 22, ['0.0.0.0/0']), open('tcp', 22, 22, ['198.51.100.0/24', '0.0.0.0/0'])]),
        inst('b', 'us-east-1', [open('tcp', 22, 22, ['0.0.0.0/0'])]),
        inst('c', 'us-east-1', [open('tcp', 22, 22, ['0.0.0.0/0'])]),
      ]),
      { now: NOW },
    );
    const byName = new Map(r.findings.map((f) => [f.instance.name, f.portState]));
    expect(byName.get('a')?.cidrs).toEqual(['0.0.0.0/0', '198.51.100.0/24']);
    expect(byName.get('b')?.cidrs).toEqual(['0.0.0.0/0']);
    expect(byName.get('c')?.cidrs).toEqual(['0.0.0.0/0']);
    expect(byName.get('b')?.cidrs).toBe(byName.get('c')?.cidrs);
    expect(byName.get('b')).toBe(byName.get('c'));
    expect(Object.isFrozen(byName.get('b'))).toBe(true);
    expect(Object.isFrozen(byName.get('b')?.cidrs)).toBe(true);
  });

  test('messages say what is open to whom, first sentence standing alone', () => {
    const r = evaluate(
      policy([rule('ssh')]),
      inventory([inst('web-1', 'us-east-1', [open('tcp', 0, 65535, ['0.0.0.0/1', '128.0.0.0/1']), open('tcp', 22, 22, [], ['::/0'])])]),
      { now: NOW },
    );
    expect(r.findings[0]!.message).toMatch(/^web-1 \(us-east-1\): tcp 0-65535 includes 22 open to sources 0\.0\.0\.0\/1, 128\.0\.0\.0\/1 together cover the whole IPv4 internet\./);
    expect(r.findings[1]!.message).toMatch(/^web-1 \(us-east-1\): tcp 22 open to ::\/0, the whole IPv6 internet\./);
  });

  test('closed states never match, whatever they admit', () => {
    const r = evaluate(policy([rule('ssh')]), inventory([inst('a', 'us-east-1', [{ ...open('tcp', 22, 22), state: 'closed' }])]), { now: NOW });
    expect(r.findings).toEqual([]);
  });

  test('a missing or unexpected state value counts as open (fail closed)', () => {
    const { state: _s, ...noState } = open('tcp', 22, 22);
    const r = evaluate(policy([rule('ssh')]), inventory([inst('a', 'us-east-1', [noState, { ...open('tcp', 0, 100), state: 'Closed ' }])]), { now: NOW });
    expect(r.findings).toHaveLength(2);
  });

  test('scope: regions, globs and tags must all hold', () => {
    const scoped = rule('ssh', { scope: { regions: ['us-east-1'], instances: ['web-?', 'db-*'], tags: { env: 'prod', team: '*' } } });
    const tags = [{ key: 'env', value: 'prod' }, { key: 'team', value: '' }];
    const r = evaluate(
      policy([scoped]),
      inventory([
        inst('web-1', 'us-east-1', [open('tcp', 22, 22)], { tags }),
        inst('web-12', 'us-east-1', [open('tcp', 22, 22)], { tags }),
        inst('db-', 'us-east-1', [open('tcp', 22, 22)], { tags }),
        inst('web-2', 'eu-west-1', [open('tcp', 22, 22)], { tags }),
        inst('web-3', 'us-east-1', [open('tcp', 22, 22)], { tags: [{ key: 'env', value: 'prod' }] }),
        inst('Web-4', 'us-east-1', [open('tcp', 22, 22)], { tags }),
      ]),
      { now: NOW },
    );
    expect(r.findings.map((f) => f.instance.name).sort()).toEqual(['db-', 'web-1']);
  });

  test('allow-list rule: everything public that is not allowed', () => {
    const strict = rule('strict', { match: { source: 'public' }, allow: [{ protocols: ['tcp'], ports: [{ from: 80, to: 80 }, { from: 443, to: 443 }] }, { protocols: ['icmp'], icmp: { type: 8 } }] });
    const r = evaluate(
      policy([strict]),
      inventory([inst('a', 'us-east-1', [open('tcp', 80, 80), open('tcp', 443, 443), open('tcp', 8080, 8080), open('icmp', 8, 0), open('icmp', -1, -1), open('tcp', 22, 22, ['10.0.0.0/8'])])]),
      { now: NOW },
    );
    expect(r.findings.map((f) => `${f.portState.protocol} ${f.portState.fromPort}`)).toEqual(['icmp -1', 'tcp 8080']);
    expect(r.findings[1]!.message).toContain('Not in the allow-list of strict');
  });

  test('output order is deterministic whatever the inventory order', () => {
    const instances = [
      inst('b', 'us-east-1', [open('tcp', 22, 22), open('all', -1, -1)]),
      inst('a', 'eu-west-1', [open('tcp', 0, 100)]),
      inst('c', 'us-east-1', [open('udp', 22, 22)]),
    ];
    const rules = [rule('ssh', { match: { protocols: ['tcp', 'udp'], ports: [{ from: 22, to: 22 }], source: 'world' } }), rule('all', { severity: 'critical', match: { protocols: ['all'], source: 'public' } })];
    const one = evaluate(policy(rules), inventory(instances), { now: NOW });
    const two = evaluate(policy(rules), inventory([...instances].reverse()), { now: NOW });
    expect(two.findings).toEqual(one.findings);
    expect(one.findings.map((f) => `${f.severity} ${f.ruleId} ${f.instance.name}`)).toEqual(['critical all b', 'high ssh a', 'high ssh b', 'high ssh b', 'high ssh c']);
  });

  test('fingerprints depend on rule, instance, protocol and range only', () => {
    const i = { name: 'a', region: 'us-east-1', arn: 'arn:x' };
    const f = fingerprintOf('ssh', i, 'tcp', 22, 22);
    expect(f).toMatch(/^[0-9a-f]{32}$/);
    expect(fingerprintOf('ssh', { ...i, name: 'renamed' }, 'tcp', 22, 22)).toBe(f);
    expect(fingerprintOf('ssh', i, 'tcp', 22, 23)).not.toBe(f);
    expect(fingerprintOf('ssh', i, 'udp', 22, 22)).not.toBe(f);
    expect(fingerprintOf('rdp', i, 'tcp', 22, 22)).not.toBe(f);
    expect(fingerprintOf('ssh', { name: 'a', region: 'us-east-1' }, 'tcp', 22, 22)).not.toBe(fingerprintOf('ssh', { name: 'a', region: 'eu-west-1' }, 'tcp', 22, 22));
  });
});

describe('exceptions', () => {
  const ex = (over: Partial<PolicyException>): PolicyException => ({ rules: ['ssh'], reason: 'bastion behind MFA', position: pos, ...over });
  const fleet = inventory([
    inst('bastion-1', 'us-east-1', [open('tcp', 22, 22), open('tcp', 0, 65535)], { tags: [{ key: 'role', value: 'bastion' }] }),
    inst('web-1', 'us-east-1', [open('tcp', 22, 22)]),
  ]);

  test('expiry: valid through the end of the day UTC', () => {
    expect(new Date(expiryInstant('2027-01-31')).toISOString()).toBe('2027-02-01T00:00:00.000Z');
    const p = policy([rule('ssh')], [ex({ instances: ['bastion-*'], expires: '2027-01-31' })]);
    const before = evaluate(p, fleet, { now: new Date('2027-01-31T23:59:59.999Z') });
    expect(before.findings.filter((f) => f.suppressed).map((f) => f.instance.name)).toEqual(['bastion-1', 'bastion-1']);
    expect(before.findings.find((f) => f.suppressed)!.suppression).toEqual({ reason: 'bastion behind MFA', expires: '2027-01-31' });
    expect(before.exceptions[0]).toMatchObject({ status: 'active', suppressed: 2 });
    const after = evaluate(p, fleet, { now: new Date('2027-02-01T00:00:00Z') });
    expect(after.findings.filter((f) => f.suppressed)).toEqual([]);
    expect(after.exceptions[0]).toMatchObject({ status: 'expired', suppressed: 0, matchedAfterExpiry: 2 });
    expect(after.diagnostics.filter((d) => d.code === 'expired-exception')).toHaveLength(1);
    expect(after.summary.bySeverity.high).toBe(3);
  });

  test('ports: the whole finding range must lie inside', () => {
    const p = policy([rule('ssh')], [ex({ instances: ['bastion-1'], ports: [{ from: 22, to: 22 }] })]);
    const r = evaluate(p, fleet, { now: NOW });
    const b = r.findings.filter((f) => f.instance.name === 'bastion-1');
    expect(b.map((f) => [f.portState.toPort, f.suppressed])).toEqual([[65535, false], [22, true]]);
  });

  test('tags, regions and "*" rules; unused exceptions are reported', () => {
    const p = policy([rule('ssh')], [ex({ rules: ['*'], tags: { role: 'bastion' }, regions: ['us-east-1'] }), ex({ instances: ['nothing-*'] })]);
    const r = evaluate(p, fleet, { now: NOW });
    expect(r.summary.suppressed).toBe(2);
    expect(r.exceptions.map((e) => e.status)).toEqual(['active', 'unused']);
    expect(r.diagnostics.filter((d) => d.code === 'unused-exception')).toHaveLength(1);
  });

  test('an exception with ports never suppresses an ICMP finding', () => {
    const icmpRule = rule('icmp', { match: { protocols: ['icmp'], source: 'world' } });
    const p = policy([icmpRule], [ex({ rules: ['icmp'], ports: [{ from: 0, to: 65535 }] })]);
    const r = evaluate(p, inventory([inst('a', 'us-east-1', [open('icmp', -1, -1)])]), { now: NOW });
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]!.suppressed).toBe(false);
  });
});

describe('coverage', () => {
  test('unread regions and instances are named; gone instances do not make coverage incomplete', () => {
    const inv = inventory([
      inst('ok', 'us-east-1', []),
      inst('gone', 'us-east-1', [], { status: 'gone', portStates: undefined }),
    ]);
    const r = evaluate(policy([rule('ssh')]), inv, { now: NOW });
    expect(r.coverage).toMatchObject({ instances: 2, scanned: 1, failed: 0, gone: 1, complete: true });
    expect(r.coverage.unread).toEqual([{ name: 'gone', region: 'us-east-1', arn: 'arn:aws:lightsail:us-east-1:111122223333:Instance/gone', status: 'gone' }]);

    const bad: Inventory = {
      ...inventory([inst('broken', 'us-east-1', [], { status: 'error', error: { code: 'ServiceException', message: 'boom' }, portStates: undefined }), inst('no-states', 'us-east-1', [], { portStates: undefined })]),
      regions: [{ name: 'us-east-1', status: 'ok' }, { name: 'ap-south-1', status: 'error', error: { code: 'AccessDeniedException', message: 'denied' } }],
    };
    const r2 = evaluate(policy([rule('ssh')]), bad, { now: NOW });
    expect(r2.coverage).toMatchObject({ instances: 2, scanned: 0, failed: 2, gone: 0, complete: false });
    expect(r2.diagnostics.map((d) => d.code)).toEqual(['region-unreadable', 'instance-unreadable', 'instance-unreadable']);
    expect(r2.diagnostics[0]!.message).toContain('ap-south-1');
  });
});
