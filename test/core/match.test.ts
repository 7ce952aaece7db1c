// Table-driven: which open port states violate which rule conditions, covering
// the traps other scanners fall into (anchors.md): exact-port matching, IPv6
// ignored, `all` misread, split world ranges, aliases taken for addresses.
import { describe, expect, test } from '@jest/globals';
import { parseCidr, addressSetOf } from '../../src/core/cidr.js';
import { allowCovers, matchesSource, matchesTraffic } from '../../src/core/match.js';
import { normalizePortState } from '../../src/core/normalize.js';
import type { AddressList, AllowEntry, RawPortState, RuleMatch } from '../../src/core/types.js';

function st(protocol: unknown, fromPort: unknown, toPort: unknown, cidrs: string[] = ['0.0.0.0/0'], ipv6Cidrs: string[] = [], cidrListAliases: string[] = []): RawPortState {
  return { protocol, fromPort, toPort, state: 'open', cidrs, ipv6Cidrs, cidrListAliases };
}

function list(...cidrs: string[]): AddressList {
  const parsed = cidrs.map((c) => {
    const r = parseCidr(c);
    if (!r.ok) throw new Error(c);
    return r.cidr;
  });
  return { names: cidrs, set: addressSetOf(parsed) };
}

function traffic(match: Omit<RuleMatch, 'source'>, raw: RawPortState): boolean {
  return matchesTraffic({ ...match, source: 'any' }, normalizePortState(raw).state);
}

describe('protocol, ports and icmp (3.1)', () => {
  const cases: Array<[string, Omit<RuleMatch, 'source'>, RawPortState, boolean]> = [
    ['exact port', { protocols: ['tcp'], ports: [{ from: 22, to: 22 }] }, st('tcp', 22, 22), true],
    ['a range that includes the port (not exact equality)', { protocols: ['tcp'], ports: [{ from: 22, to: 22 }] }, st('tcp', 0, 1024), true],
    ['every port', { protocols: ['tcp'], ports: [{ from: 3389, to: 3389 }] }, st('tcp', 0, 65535), true],
    ['a range next to the port', { protocols: ['tcp'], ports: [{ from: 22, to: 22 }] }, st('tcp', 20, 21), false],
    ['a range just after the port', { protocols: ['tcp'], ports: [{ from: 22, to: 22 }] }, st('tcp', 23, 25), false],
    ['rule range touching state range', { ports: [{ from: 8000, to: 8999 }] }, st('tcp', 8999, 9100), true],
    ['udp for a tcp+udp rule', { protocols: ['tcp', 'udp'], ports: [{ from: 3389, to: 3389 }] }, st('udp', 3389, 3389), true],
    ['udp for a tcp-only rule', { protocols: ['tcp'], ports: [{ from: 22, to: 22 }] }, st('udp', 22, 22), false],
    ['state all matches a tcp rule with ports', { protocols: ['tcp'], ports: [{ from: 22, to: 22 }] }, st('all', -1, -1), true],
    ['state "-1" is all', { protocols: ['udp'], ports: [{ from: 53, to: 53 }] }, st('-1', 0, 65535), true],
    ['numeric -1 protocol is all', { protocols: ['tcp'] }, st(-1, 0, 0), true],
    ['rule all does not match tcp', { protocols: ['all'] }, st('tcp', 0, 65535), false],
    ['rule all matches all', { protocols: ['all'] }, st('all', -1, -1), true],
    ['upper-case TCP', { protocols: ['tcp'], ports: [{ from: 22, to: 22 }] }, st(' TCP ', 22, 22), true],
    ['icmp never matches a rule with ports', { ports: [{ from: 0, to: 65535 }] }, st('icmp', -1, -1), false],
    ['icmp6 is icmpv6', { protocols: ['icmpv6'] }, st('icmp6', 128, 0), true],
    ['icmp type 8 in every-type state', { icmp: { type: 8 } }, st('icmp', -1, -1), true],
    ['icmp type 8 vs echo reply', { icmp: { type: 8 } }, st('icmp', 0, 0), false],
    ['icmp type 8 code 0 vs type 8 every code', { icmp: { type: 8, code: 0 } }, st('icmp', 8, -1), true],
    ['icmp code 3 vs type 8 code 0', { icmp: { type: 8, code: 3 } }, st('icmp', 8, 0), false],
    ['icmp rule and state all', { icmp: { type: 8 } }, st('all', -1, -1), true],
    ['icmp rule and a tcp state', { icmp: { type: 8 } }, st('tcp', 8, 8), false],
    ['icmpv6 state for icmp-only rule', { protocols: ['icmp'] }, st('icmpv6', -1, -1), false],
    ['malformed icmp type is every type (fail closed)', { icmp: { type: 8 } }, st('icmp', 300, 0), true],
    ['unknown protocol and a rule without narrowing', {}, st('gre', 47, 47), true],
    ['unknown protocol and a protocol rule', { protocols: ['tcp'] }, st('gre', 47, 47), false],
    ['unknown protocol and a ports rule', { ports: [{ from: 47, to: 47 }] }, st('gre', 47, 47), false],
    ['malformed range is every port (fail closed)', { protocols: ['udp'], ports: [{ from: 22, to: 22 }] }, st('udp', 70000, 70010), true],
    ['reversed range is every port', { protocols: ['tcp'], ports: [{ from: 443, to: 443 }] }, st('tcp', 500, 400), true],
    ['missing toPort is every port', { protocols: ['tcp'], ports: [{ from: 22, to: 22 }] }, st('tcp', 22, undefined), true],
  ];
  test.each(cases)('%s', (_name, match, raw, expected) => {
    expect(traffic(match, raw)).toBe(expected);
  });
});

describe('source keywords and conditions (3.1)', () => {
  const office = list('198.51.100.0/24', '2001:db8:10::/48');
  const cases: Array<[string, RuleMatch['source'], RawPortState, boolean]> = [
    ['0.0.0.0/0 is world', 'world', st('tcp', 22, 22), true],
    ['::/0 alone is world (IPv6 not ignored)', 'world', st('tcp', 22, 22, [], ['::/0']), true],
    ['split IPv4 world', 'world', st('tcp', 22, 22, ['0.0.0.0/1', '128.0.0.0/1']), true],
    ['split IPv6 world', 'world', st('tcp', 22, 22, [], ['::/1', '8000::/1']), true],
    ['four /2 pieces are world', 'world', st('tcp', 22, 22, ['0.0.0.0/2', '64.0.0.0/2', '128.0.0.0/2', '192.0.0.0/2']), true],
    ['half the internet is not world', 'world', st('tcp', 22, 22, ['0.0.0.0/1']), false],
    ['half the internet is public', 'public', st('tcp', 22, 22, ['0.0.0.0/1']), true],
    ['IPv4-mapped ::ffff:0.0.0.0/96 is the IPv4 world', 'world', st('tcp', 22, 22, ['::ffff:0.0.0.0/96']), true],
    ['an IPv4 world in ipv6Cidrs still counts', 'world', st('tcp', 22, 22, [], ['0.0.0.0/0']), true],
    ['mixed halves of different families are not world', 'world', st('tcp', 22, 22, ['0.0.0.0/1'], ['8000::/1']), false],
    ['private ranges are not public', 'public', st('tcp', 22, 22, ['10.0.0.0/8', '192.168.0.0/16', '172.16.0.0/12']), false],
    ['documentation ranges are not public', 'public', st('tcp', 22, 22, ['203.0.113.0/24'], ['2001:db8::/32']), false],
    ['a single public host is public', 'public', st('tcp', 22, 22, ['8.8.8.8']), true],
    ['a public IPv6 range is public', 'public', st('tcp', 22, 22, [], ['2600:1f14::/32']), true],
    ['a private range with host bits is still private', 'public', st('tcp', 22, 22, ['10.0.0.5/8']), false],
    ['10.0.0.0/7 reaches outside the private set', 'public', st('tcp', 22, 22, ['10.0.0.0/7']), true],
    ['lightsail-connect alias is any', 'any', st('tcp', 22, 22, [], [], ['lightsail-connect']), true],
    ['lightsail-connect alias is not world', 'world', st('tcp', 22, 22, [], [], ['lightsail-connect']), false],
    ['lightsail-connect alias is not public', 'public', st('tcp', 22, 22, [], [], ['lightsail-connect']), false],
    ['garbage admits nothing', 'any', st('tcp', 22, 22, ['not-a-cidr'], ['zz::/0']), false],
    ['no sources at all', 'any', st('tcp', 22, 22, []), false],
    ['covers world-ipv6 with v4 world only', { covers: 'world-ipv6' }, st('tcp', 22, 22), false],
    ['covers world-ipv4', { covers: 'world-ipv4' }, st('tcp', 22, 22), true],
    ['covers world (either family)', { covers: 'world' }, st('tcp', 22, 22, [], ['::/0']), true],
    ['outside office: office range itself', { outside: office }, st('tcp', 22, 22, ['198.51.100.0/25']), false],
    ['outside office: a wider range', { outside: office }, st('tcp', 22, 22, ['198.51.100.0/23']), true],
    ['outside is family-aware: IPv6 source vs IPv4-only list', { outside: list('0.0.0.0/0') }, st('tcp', 22, 22, [], ['2001:db8:10::/64']), true],
    ['outside office: IPv6 office range', { outside: office }, st('tcp', 22, 22, [], ['2001:db8:10:1::/64']), false],
    ['overlaps office', { overlaps: office }, st('tcp', 22, 22, ['198.51.100.7']), true],
    ['overlaps is family-aware', { overlaps: list('::/0') }, st('tcp', 22, 22, ['0.0.0.0/0']), false],
    ['widerThan ipv4 16: a /8', { widerThan: { ipv4: 16 } }, st('tcp', 22, 22, ['10.0.0.0/8']), true],
    ['widerThan ipv4 16: a /16 is not shorter', { widerThan: { ipv4: 16 } }, st('tcp', 22, 22, ['10.1.0.0/16']), false],
    ['widerThan ipv4 only ignores IPv6', { widerThan: { ipv4: 16 } }, st('tcp', 22, 22, [], ['::/0']), false],
    ['widerThan ipv6 48', { widerThan: { ipv6: 48 } }, st('tcp', 22, 22, [], ['2001:db8::/32']), true],
    ['alias condition', { alias: 'lightsail-connect' }, st('tcp', 22, 22, [], [], ['lightsail-connect']), true],
    ['alias condition without alias', { alias: 'lightsail-connect' }, st('tcp', 22, 22), false],
    ['all keys must hold', { covers: 'world', alias: 'lightsail-connect' }, st('tcp', 22, 22), false],
  ];
  test.each(cases)('%s', (_name, source, raw, expected) => {
    expect(matchesSource(source, normalizePortState(raw).state.sources)).toBe(expected);
  });
});

describe('allow-lists (3.3 and section 6)', () => {
  const web: AllowEntry[] = [{ protocols: ['tcp'], ports: [{ from: 80, to: 80 }, { from: 443, to: 443 }] }];
  const cases: Array<[string, AllowEntry[], RawPortState, boolean]> = [
    ['an allowed port', web, st('tcp', 443, 443), true],
    ['a range only partly allowed', web, st('tcp', 80, 443), false],
    ['udp on an allowed tcp port', web, st('udp', 80, 80), false],
    ['pieced together from several entries', [{ protocols: ['tcp'], ports: [{ from: 80, to: 80 }] }, { ports: [{ from: 81, to: 90 }] }], st('tcp', 80, 90), true],
    ['a gap between entries', [{ ports: [{ from: 80, to: 80 }] }, { ports: [{ from: 82, to: 90 }] }], st('tcp', 80, 90), false],
    ['an entry without ports covers its protocol', [{ protocols: ['udp'] }], st('udp', 0, 65535), true],
    ['malformed range is judged as 0-65535', web, st('tcp', 80, 70000), false],
    ['an entry with ports never covers icmp', [{ ports: [{ from: 0, to: 65535 }] }], st('icmp', 8, 0), false],
    ['icmp echo allowed', [{ protocols: ['icmp'], icmp: { type: 8 } }], st('icmp', 8, 0), true],
    ['icmp every type is not echo', [{ protocols: ['icmp'], icmp: { type: 8 } }], st('icmp', -1, -1), false],
    ['icmp entry without protocol covers icmpv6', [{ icmp: { type: 128 } }], st('icmpv6', 128, 0), true],
    ['icmp entry never covers tcp', [{ icmp: {} }], st('tcp', 80, 80), false],
    ['all state vs tcp entry', [{ protocols: ['tcp'] }], st('all', -1, -1), false],
    ['all state vs all entry', [{ protocols: ['all'] }], st('all', -1, -1), true],
    ['all state vs narrowed all entry', [{ protocols: ['all'], ports: [{ from: 80, to: 80 }] }], st('all', -1, -1), false],
    ['all state vs empty entry', [{}], st('all', -1, -1), true],
    ['tcp state vs all entry', [{ protocols: ['all'] }], st('tcp', 80, 80), false],
    ['unknown protocol vs empty entry', [{}], st('gre', 47, 47), true],
    ['unknown protocol vs tcp entry', [{ protocols: ['tcp'] }], st('gre', 47, 47), false],
  ];
  test.each(cases)('%s', (_name, entries, raw, expected) => {
    expect(allowCovers(entries, normalizePortState(raw).state)).toBe(expected);
  });
});
