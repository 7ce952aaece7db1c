import { describe, expect, test } from '@jest/globals';
import { setToCidrs } from '../../src/core/cidr.js';
import { createStateNormalizer, normalizePortState } from '../../src/core/normalize.js';
import type { IntRange, NormalizedProtocol, RawPortState } from '../../src/core/types.js';

const WEB = { cidrs: ['203.0.113.0/24'], ipv6Cidrs: [], cidrListAliases: [] };

function codes(raw: RawPortState): string[] {
  return normalizePortState(raw).diagnostics.map((d) => d.code);
}

describe('protocol', () => {
  const cases: Array<[unknown, string, NormalizedProtocol]> = [
    ['tcp', 'tcp', 'tcp'],
    ['TCP', 'tcp', 'tcp'],
    [' Tcp ', 'tcp', 'tcp'],
    ['udp', 'udp', 'udp'],
    ['icmp', 'icmp', 'icmp'],
    ['icmpv6', 'icmpv6', 'icmpv6'],
    ['icmp6', 'icmpv6', 'icmpv6'],
    ['ICMP6', 'icmpv6', 'icmpv6'],
    ['all', 'all', 'all'],
    ['-1', 'all', 'all'],
    [' -1 ', 'all', 'all'],
    [-1, 'all', 'all'],
    ['gre', 'gre', 'unknown'],
    [' GRE ', 'gre', 'unknown'],
    [6, '6', 'unknown'],
    ['', '', 'unknown'],
  ];
  test.each(cases)('%j -> %j (%s)', (protocol, protocolText, expected) => {
    const { state, diagnostics, unreadable } = normalizePortState({ protocol, fromPort: 22, toPort: 22, state: 'open', ...WEB });
    expect(unreadable).toBeUndefined();
    expect(state.protocolText).toBe(protocolText);
    expect(state.protocol).toBe(expected);
    const unknown = diagnostics.filter((d) => d.code === 'unknown-protocol');
    expect(unknown).toHaveLength(expected === 'unknown' ? 1 : 0);
    if (expected === 'unknown') expect(unknown[0]!.level).toBe('warning');
  });

  test('the unknown-protocol diagnostic names the value', () => {
    const d = normalizePortState({ protocol: ' GRE ', state: 'open', ...WEB }).diagnostics;
    expect(d).toEqual([{ level: 'warning', code: 'unknown-protocol', message: expect.stringContaining('"gre"') }]);
    expect(normalizePortState({ protocol: ' ', state: 'open', ...WEB }).diagnostics[0]!.message).toMatch(/no usable protocol \(got " "\)/);
  });

  test.each<[string, unknown, string]>([
    ['missing', undefined, 'protocol is missing'],
    ['null', null, 'protocol is null, not a string'],
    ['a list', ['tcp'], 'protocol is a list, not a string'],
    ['an object', { name: 'tcp' }, 'protocol is an object, not a string'],
    ['true', true, 'protocol is the boolean true, not a string'],
  ])('a protocol that is %s makes the state unreadable (the instance is not read), and the state is still judged as unknown', (_label, protocol, reason) => {
    const r = normalizePortState({ protocol, fromPort: 22, toPort: 22, state: 'open', ...WEB });
    expect(r.unreadable).toBe(reason);
    expect(r.state.protocol).toBe('unknown');
    expect(r.diagnostics.map((d) => [d.level, d.code])).toEqual([['error', 'unreadable-port-state']]);
  });

  test('a closed state exposes nothing, whatever its protocol: no protocol is no reason to count it unread', () => {
    const r = normalizePortState({ fromPort: 22, toPort: 22, state: 'closed', ...WEB });
    expect(r.unreadable).toBeUndefined();
    expect(r.state.open).toBe(false);
  });

  test('a value nested without end is named by its kind, never walked (no stack overflow)', () => {
    let deep: unknown = [];
    for (let i = 0; i < 200_000; i++) deep = [deep];
    const r = normalizePortState({ protocol: deep, fromPort: deep, toPort: 22, state: deep, ...WEB });
    expect(r.unreadable).toBe('protocol is a list, not a string');
    expect(r.diagnostics.map((d) => d.code)).toEqual(['unreadable-port-state', 'unknown-state']);
    expect(r.diagnostics[1]!.message).toBe('state a list of 1 is not "open" or "closed"; evaluated as open');
  });

  test('an unknown protocol has no ports and no ICMP sets', () => {
    const { state } = normalizePortState({ protocol: 'gre', fromPort: 22, toPort: 22, ...WEB });
    expect(state).toMatchObject({ ports: null, icmpType: null, icmpCode: null, rawFromPort: 22, rawToPort: 22 });
  });
});

describe('state', () => {
  const cases: Array<[unknown, boolean, string[]]> = [
    ['open', true, []],
    ['closed', false, []],
    [undefined, true, []],
    ['Closed', true, ['unknown-state']],
    [' closed', true, ['unknown-state']],
    ['opened', true, ['unknown-state']],
    [null, true, ['unknown-state']],
    [false, true, ['unknown-state']],
  ];
  test.each(cases)('state %j -> open %s', (value, open, expectedCodes) => {
    const raw: RawPortState = { protocol: 'tcp', fromPort: 22, toPort: 22, ...WEB };
    if (value !== undefined) raw.state = value;
    const r = normalizePortState(raw);
    expect(r.state.open).toBe(open);
    expect(r.diagnostics.map((d) => d.code)).toEqual(expectedCodes);
  });
});

describe('tcp/udp port ranges', () => {
  // [protocol, fromPort, toPort, ports, raw from, raw to, diagnostic message or null]
  const cases: Array<[string, unknown, unknown, IntRange, number | null, number | null, RegExp | null]> = [
    ['tcp', 22, 22, { from: 22, to: 22 }, 22, 22, null],
    ['udp', 0, 65535, { from: 0, to: 65535 }, 0, 65535, null],
    ['tcp', 8000, 8999, { from: 8000, to: 8999 }, 8000, 8999, null],
    ['tcp', 70000, 70010, { from: 0, to: 65535 }, 70000, 70010, /^port range 70000-70010 is outside 0-65535; evaluated as 0-65535$/],
    ['tcp', -1, -1, { from: 0, to: 65535 }, -1, -1, /port range -1--1 is outside 0-65535/],
    ['tcp', 30, 20, { from: 0, to: 65535 }, 30, 20, /^port range 30-20 has fromPort greater than toPort; evaluated as 0-65535$/],
    ['tcp', 22, undefined, { from: 0, to: 65535 }, 22, null, /^tcp port range has no toPort; evaluated as 0-65535$/],
    ['udp', undefined, undefined, { from: 0, to: 65535 }, null, null, /udp port range has no fromPort and toPort/],
    ['tcp', '22', 22, { from: 0, to: 65535 }, null, 22, /^fromPort "22" is not an integer; evaluated as 0-65535$/],
    ['tcp', 22, 22.5, { from: 0, to: 65535 }, 22, 22.5, /toPort 22.5 is not an integer/],
    ['tcp', Number.NaN, 22, { from: 0, to: 65535 }, null, 22, /fromPort NaN is not an integer/],
    ['tcp', Number.POSITIVE_INFINITY, 22, { from: 0, to: 65535 }, null, 22, /fromPort Infinity is not an integer/],
  ];
  test.each(cases)('%s %j-%j', (protocol, fromPort, toPort, ports, rawFrom, rawTo, message) => {
    const { state, diagnostics } = normalizePortState({ protocol, fromPort, toPort, state: 'open', ...WEB });
    expect(state.ports).toEqual(ports);
    expect(state.rawFromPort).toBe(rawFrom);
    expect(state.rawToPort).toBe(rawTo);
    expect(state.icmpType).toBeNull();
    expect(state.icmpCode).toBeNull();
    if (message === null) {
      expect(diagnostics).toEqual([]);
    } else {
      expect(diagnostics).toHaveLength(1);
      expect(diagnostics[0]).toEqual({ level: 'warning', code: 'malformed-port-range', message: expect.stringMatching(message) });
    }
  });
});

describe('all', () => {
  test.each([
    [0, 65535],
    [-1, -1],
    [undefined, undefined],
  ])('protocol all with ports %j-%j covers every port, type and code', (fromPort, toPort) => {
    const { state, diagnostics } = normalizePortState({ protocol: 'all', fromPort, toPort, ...WEB });
    expect(state).toMatchObject({
      protocol: 'all',
      ports: { from: 0, to: 65535 },
      icmpType: { from: 0, to: 255 },
      icmpCode: { from: 0, to: 255 },
    });
    expect(diagnostics).toEqual([]);
  });
});

describe('icmp/icmpv6 type and code', () => {
  const every = { from: 0, to: 255 };
  // [protocol, fromPort (type), toPort (code), type set, code set, diagnostic messages]
  const cases: Array<[string, unknown, unknown, IntRange, IntRange, RegExp[]]> = [
    ['icmp', 8, 0, { from: 8, to: 8 }, { from: 0, to: 0 }, []],
    ['icmp', 8, -1, { from: 8, to: 8 }, every, []],
    ['icmp', -1, -1, every, every, []],
    ['icmpv6', 128, 0, { from: 128, to: 128 }, { from: 0, to: 0 }, []],
    ['icmp', 0, 255, { from: 0, to: 0 }, { from: 255, to: 255 }, []],
    ['icmp', 300, 0, every, { from: 0, to: 0 }, [/^icmp type 300 \(fromPort\) is outside -1..255; evaluated as every type$/]],
    ['icmp', 8, -2, { from: 8, to: 8 }, every, [/icmp code -2 \(toPort\) is outside -1..255; evaluated as every code/]],
    ['icmpv6', undefined, undefined, every, every, [/icmpv6 type \(fromPort\) is missing/, /icmpv6 code \(toPort\) is missing/]],
    ['icmp', '8', 1.5, every, every, [/icmp type "8" \(fromPort\) is not an integer/, /icmp code 1.5 \(toPort\) is not an integer/]],
  ];
  test.each(cases)('%s %j/%j', (protocol, fromPort, toPort, icmpType, icmpCode, messages) => {
    const { state, diagnostics } = normalizePortState({ protocol, fromPort, toPort, ...WEB });
    expect(state.icmpType).toEqual(icmpType);
    expect(state.icmpCode).toEqual(icmpCode);
    expect(state.ports).toBeNull();
    expect(diagnostics.map((d) => [d.level, d.code])).toEqual(messages.map(() => ['warning', 'malformed-icmp']));
    messages.forEach((m, i) => { expect(diagnostics[i]!.message).toMatch(m); });
  });

  test('raw ports stay as given for the finding identity', () => {
    const { state } = normalizePortState({ protocol: 'icmp', fromPort: 300, toPort: -1, ...WEB });
    expect([state.rawFromPort, state.rawToPort]).toEqual([300, -1]);
  });
});

describe('sources', () => {
  test('both fields are read by the family of their text, in order, deduplicated by canonical text', () => {
    const { state, diagnostics } = normalizePortState({
      protocol: 'tcp',
      fromPort: 22,
      toPort: 22,
      cidrs: ['10.0.0.0/8', '2001:db8::/32', '10.0.0.5/8', '1.2.3.4'],
      ipv6Cidrs: ['::/0', '192.0.2.0/24', '2001:DB8::/32'],
      cidrListAliases: [],
    });
    expect(state.sources.cidrs.map((c) => [c.text, c.family])).toEqual([
      ['10.0.0.0/8', 4],
      ['2001:db8::/32', 6],
      ['1.2.3.4/32', 4],
      ['::/0', 6],
      ['192.0.2.0/24', 4],
    ]);
    expect(setToCidrs(state.sources.addresses)).toEqual(['1.2.3.4/32', '10.0.0.0/8', '192.0.2.0/24', '::/0']);
    expect(diagnostics).toEqual([
      { level: 'info', code: 'cidr-in-other-field', message: '2001:db8::/32 in cidrs is an IPv6 range; read as IPv6' },
      { level: 'info', code: 'host-bits-set', message: '10.0.0.5/8 in cidrs has host bits set; read as 10.0.0.0/8' },
      { level: 'info', code: 'cidr-in-other-field', message: '192.0.2.0/24 in ipv6Cidrs is an IPv4 range; read as IPv4' },
    ]);
    expect(diagnostics.some((d) => d.level !== 'info')).toBe(false);
  });

  test('IPv4-mapped ranges in ipv6Cidrs become IPv4; below /96 they stay IPv6', () => {
    const { state, diagnostics } = normalizePortState({
      protocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      cidrs: [],
      ipv6Cidrs: ['::ffff:0.0.0.0/96', '::ffff:1.2.3.4/64'],
    });
    expect(state.sources.cidrs.map((c) => c.text)).toEqual(['0.0.0.0/0', '::/64']);
    expect(state.sources.addresses.v4).toEqual([{ start: 0n, end: 0xffffffffn }]);
    expect(diagnostics.map((d) => d.code)).toEqual(['ipv4-mapped-cidr', 'host-bits-set']);
    expect(diagnostics[0]!.message).toBe('::ffff:0.0.0.0/96 in ipv6Cidrs is an IPv4-mapped IPv6 range; read as 0.0.0.0/0');
    expect(diagnostics[1]!.message).toBe('::ffff:1.2.3.4/64 in ipv6Cidrs has host bits set; read as ::/64');
  });

  test('unparseable strings admit nothing (spec 2); a non-string entry makes the state unreadable, never "admits nothing"', () => {
    const r = normalizePortState({
      protocol: 'tcp',
      fromPort: 22,
      toPort: 22,
      cidrs: ['garbage', 42, '10.0.0.0/33', null, '198.51.100.7'],
      ipv6Cidrs: ['fe80::1%eth0'],
    });
    expect(r.state.sources.cidrs.map((c) => c.text)).toEqual(['198.51.100.7/32']);
    expect(r.unreadable).toBe('cidrs[1] is the number 42, not a string');
    expect(r.diagnostics.map((d) => [d.level, d.code])).toEqual([
      ['warning', 'invalid-cidr'],
      ['warning', 'invalid-cidr'],
      ['warning', 'invalid-cidr'],
      ['error', 'unreadable-port-state'],
    ]);
    expect(r.diagnostics.map((d) => d.message)).toEqual([
      'invalid CIDR "garbage" in cidrs: not an IP address or CIDR; it admits nothing',
      'invalid CIDR "10.0.0.0/33" in cidrs: prefix length 33 is out of range for IPv4 (0-32); it admits nothing',
      expect.stringMatching(/^invalid CIDR "fe80::1%eth0" in ipv6Cidrs: zone id/),
      'cidrs[1] is the number 42, not a string: the sources of this port state cannot be read; the instance counts as not read',
    ]);
  });

  test.each<[string, Record<string, unknown>, string]>([
    ['cidrs an object', { cidrs: { a: 1 } }, 'cidrs is an object, not a list of strings'],
    ['ipv6Cidrs a number', { ipv6Cidrs: 0 }, 'ipv6Cidrs is the number 0, not a list of strings'],
    ['aliases true', { cidrListAliases: true }, 'cidrListAliases is the boolean true, not a list of strings'],
    ['a null entry', { cidrs: ['0.0.0.0/0', null] }, 'cidrs[1] is null, not a string'],
    ['a list entry', { ipv6Cidrs: [['::/0']] }, 'ipv6Cidrs[0] is a list, not a string'],
  ])('a wrong-typed source field is unreadable: %s', (_label, fields, reason) => {
    const r = normalizePortState({ protocol: 'tcp', fromPort: 22, toPort: 22, ...fields });
    expect(r.unreadable).toBe(reason);
    expect(r.diagnostics.at(-1)).toMatchObject({ level: 'error', code: 'unreadable-port-state' });
  });

  test('a lone string is read as the one entry it is (cidrs: "0.0.0.0/0" is the world, not nothing)', () => {
    const r = normalizePortState({ protocol: 'tcp', fromPort: 22, toPort: 22, cidrs: '0.0.0.0/0' });
    expect(r.state.sources.cidrs.map((c) => c.text)).toEqual(['0.0.0.0/0']);
    expect(r.unreadable).toBeUndefined();
    expect(r.diagnostics).toEqual([
      { level: 'warning', code: 'source-not-a-list', message: 'cidrs is a string, not a list; read as the one entry "0.0.0.0/0"' },
    ]);
    const bare = normalizePortState({ protocol: 'tcp', fromPort: 22, toPort: 22 });
    expect(bare.diagnostics).toEqual([]);
    expect(bare.state.sources).toEqual({ cidrs: [], addresses: { v4: [], v6: [] }, aliases: [] });
  });

  test('aliases are kept (trimmed, deduplicated, in order); bad entries are reported', () => {
    const r = normalizePortState({
      protocol: 'tcp',
      fromPort: 22,
      toPort: 22,
      cidrListAliases: ['lightsail-connect', ' lightsail-connect ', 'other', 7, ''],
    });
    expect(r.state.sources.aliases).toEqual(['lightsail-connect', 'other']);
    expect(r.state.sources.cidrs).toEqual([]);
    expect(r.diagnostics.map((d) => d.code)).toEqual(['invalid-alias', 'unreadable-port-state']);
    expect(r.unreadable).toBe('cidrListAliases[3] is the number 7, not a string');
  });

  test('empty entries differ from empty lists (cache keys keep them apart)', () => {
    expect(codes({ protocol: 'tcp', fromPort: 1, toPort: 1, cidrs: [] })).toEqual([]);
    expect(codes({ protocol: 'tcp', fromPort: 1, toPort: 1, cidrs: [''] })).toEqual(['invalid-cidr']);
    expect(codes({ protocol: 'tcp', fromPort: 1, toPort: 1, cidrs: ['', ''] })).toEqual(['invalid-cidr', 'invalid-cidr']);
    // Same strings, different fields: the field name is in the message.
    const a = normalizePortState({ protocol: 'tcp', fromPort: 1, toPort: 1, cidrs: ['x'], ipv6Cidrs: [] }).diagnostics[0]!.message;
    const b = normalizePortState({ protocol: 'tcp', fromPort: 1, toPort: 1, cidrs: [], ipv6Cidrs: ['x'] }).diagnostics[0]!.message;
    expect(a).toMatch(/in cidrs/);
    expect(b).toMatch(/in ipv6Cidrs/);
    // Entries holding the separators bypass the cache and still work.
    const odd = normalizePortState({ protocol: 'tcp', fromPort: 1, toPort: 1, cidrs: ['10.0.0.0/8\u0000'], ipv6Cidrs: ['\u0001'] });
    expect(odd.diagnostics.map((d) => d.code)).toEqual(['invalid-cidr', 'invalid-cidr']);
  });

  test('the sources of a state are frozen: a shared state can never be changed through one of its users', () => {
    const a = normalizePortState({ protocol: 'tcp', fromPort: 22, toPort: 22, cidrs: ['10.0.0.5/8'], ipv6Cidrs: ['::/0'] });
    expect(Object.isFrozen(a.state.sources)).toBe(true);
    expect(Object.isFrozen(a.state.sources.cidrs)).toBe(true);
  });
});

describe('shared states', () => {
  test('stay correct when the cache of distinct states fills up and starts afresh', () => {
    const normalize = createStateNormalizer(() => ({}), 50);
    const common = { protocol: 'tcp', fromPort: 22, toPort: 22, cidrs: ['10.0.0.5/8'] };
    const first = normalize(common);
    expect(normalize({ ...common })).toBe(first); // alike states share one result while it is cached
    for (let i = 0; i < 120; i++) {
      const cidr = `198.51.100.${i % 256}/32`;
      const r = normalize({ protocol: 'tcp', fromPort: 8080, toPort: 8080, cidrs: [cidr], cidrListAliases: [`a${i}`] });
      if (r.result.state.sources.cidrs[0]?.text !== cidr) throw new Error(`wrong sources for state ${i}`);
    }
    const again = normalize({ ...common });
    expect(again).not.toBe(first); // built afresh after the cache started over
    expect(again.result).toEqual(first.result);
  });
});

describe('a whole state', () => {
  test('a typical Lightsail SSH rule', () => {
    expect(
      normalizePortState({
        fromPort: 22,
        toPort: 22,
        protocol: 'tcp',
        state: 'open',
        cidrs: ['0.0.0.0/0'],
        ipv6Cidrs: ['::/0'],
        cidrListAliases: ['lightsail-connect'],
      }),
    ).toEqual({
      state: {
        protocolText: 'tcp',
        protocol: 'tcp',
        open: true,
        rawFromPort: 22,
        rawToPort: 22,
        ports: { from: 22, to: 22 },
        icmpType: null,
        icmpCode: null,
        sources: {
          cidrs: [
            expect.objectContaining({ text: '0.0.0.0/0', family: 4 }),
            expect.objectContaining({ text: '::/0', family: 6 }),
          ],
          addresses: { v4: [{ start: 0n, end: 0xffffffffn }], v6: [{ start: 0n, end: (1n << 128n) - 1n }] },
          aliases: ['lightsail-connect'],
        },
      },
      diagnostics: [],
    });
  });

  test('a closed state is not open but is still read', () => {
    const { state } = normalizePortState({ protocol: 'tcp', fromPort: 22, toPort: 22, state: 'closed', cidrs: ['0.0.0.0/0'] });
    expect(state.open).toBe(false);
    expect(state.ports).toEqual({ from: 22, to: 22 });
  });
});
