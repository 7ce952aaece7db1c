import { describe, expect, test } from '@jest/globals';
import {
  addressSetOf,
  coversFamily,
  EMPTY_SET,
  formatAddress,
  hasAddressOutside,
  intersectSets,
  intervalToCidrs,
  isEmptySet,
  parseCidr,
  PRIVATE_SET,
  setContainsAddress,
  setsIntersect,
  setToCidrs,
  subtractSets,
  unionSets,
  WORLD_SET,
} from '../../src/core/cidr.js';
import type { AddressSet, Family, ParsedCidr } from '../../src/core/types.js';

function parsed(text: string): ParsedCidr {
  const r = parseCidr(text);
  if (!r.ok) throw new Error(`${text}: ${r.error}`);
  return r.cidr;
}

function setOf(...texts: string[]): AddressSet {
  return addressSetOf(texts.map(parsed));
}

/** A single address as a one-address set. */
function addr(text: string): AddressSet {
  return setOf(text);
}

describe('parseCidr: accepted inputs', () => {
  // [input, canonical text, family, prefix, hostBitsCleared, mappedFromIpv6]
  const cases: Array<[string, string, Family, number, boolean, boolean]> = [
    ['10.0.0.0/8', '10.0.0.0/8', 4, 8, false, false],
    ['1.2.3.4', '1.2.3.4/32', 4, 32, false, false],
    ['2001:db8::1', '2001:db8::1/128', 6, 128, false, false],
    ['10.0.0.5/8', '10.0.0.0/8', 4, 8, true, false],
    ['192.168.1.77/24', '192.168.1.0/24', 4, 24, true, false],
    ['2001:db8::ff/64', '2001:db8::/64', 6, 64, true, false],
    ['0.0.0.0/0', '0.0.0.0/0', 4, 0, false, false],
    ['::/0', '::/0', 6, 0, false, false],
    ['8.8.8.8/0', '0.0.0.0/0', 4, 0, true, false],
    ['::ffff:1.2.3.4/104', '1.0.0.0/8', 4, 8, true, true],
    ['::ffff:1.2.3.4/128', '1.2.3.4/32', 4, 32, false, true],
    ['::ffff:1.2.3.4', '1.2.3.4/32', 4, 32, false, true],
    ['::ffff:0102:0304/120', '1.2.3.0/24', 4, 24, true, true],
    ['::FFFF:102:304/128', '1.2.3.4/32', 4, 32, false, true],
    ['::ffff:0:0/96', '0.0.0.0/0', 4, 0, false, true],
    ['::ffff:1.2.3.4/64', '::/64', 6, 64, true, false],
    ['::ffff:1.2.3.4/95', '::fffe:0:0/95', 6, 95, true, false],
    ['64:ff9b::1.2.3.4/96', '64:ff9b::/96', 6, 96, true, false],
    ['::1.2.3.4/128', '::102:304/128', 6, 128, false, false],
    ['  10.1.0.0/16 \n', '10.1.0.0/16', 4, 16, false, false],
    ['\t::1 ', '::1/128', 6, 128, false, false],
    ['2001:DB8::ABCD/128', '2001:db8::abcd/128', 6, 128, false, false],
    ['2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1/128', 6, 128, false, false],
    ['10.0.0.0/08', '10.0.0.0/8', 4, 8, false, false],
    ['fe80::/010', 'fe80::/10', 6, 10, false, false],
  ];
  test.each(cases)('%j -> %s', (input, text, family, prefix, hostBitsCleared, mappedFromIpv6) => {
    const r = parseCidr(input);
    expect(r).toEqual({ ok: true, cidr: expect.objectContaining({ input, text, family, prefix, hostBitsCleared, mappedFromIpv6 }) });
  });

  test('start and end are the exact range bounds', () => {
    expect(parsed('10.0.0.5/8')).toMatchObject({ start: 0x0a000000n, end: 0x0affffffn });
    expect(parsed('::/0')).toMatchObject({ start: 0n, end: (1n << 128n) - 1n });
    expect(parsed('::ffff:1.2.3.4/104')).toMatchObject({ start: 0x01000000n, end: 0x01ffffffn });
  });

  test('the same input returns the cached (frozen) result', () => {
    const a = parseCidr('172.16.5.0/24');
    expect(parseCidr('172.16.5.0/24')).toBe(a);
    expect(Object.isFrozen(a.ok ? a.cidr : null)).toBe(true);
  });
});

describe('parseCidr: rejected inputs', () => {
  const cases: Array<[string, RegExp]> = [
    ['', /empty/],
    ['   ', /empty/],
    ['garbage', /not an IP address or CIDR/],
    ['1.2.3.4/33', /prefix length 33 is out of range for IPv4/],
    ['::/129', /prefix length 129 is out of range for IPv6/],
    ['::ffff:1.2.3.4/129', /prefix length 129 is out of range for IPv6/],
    ['1.2.3.4/', /missing prefix length/],
    ['1.2.3.4/-1', /prefix length "-1" is not a number/],
    ['1.2.3.4/8/8', /not an IP address/],
    ['1.2.3.4/ 8', /not a number/],
    ['1.2.3', /not an IP address/],
    ['1.2.3.256', /not an IP address/],
    ['01.2.3.4', /not an IP address/],
    ['1.2.3.4.5', /not an IP address/],
    ['0x1.2.3.4', /not an IP address/],
    ['1.2.3.4 /8', /not an IP address/],
    ['fe80::1%eth0', /zone id/],
    ['fe80::1%eth0/64', /zone id/],
    ['[::1]', /not an IP address/],
    ['1::2::3', /not an IP address/],
    [':::', /not an IP address/],
    ['1:2:3:4:5:6:7:8:9', /not an IP address/],
    ['12345::', /not an IP address/],
    ['g::1', /not an IP address/],
    ['1.2.3.4::', /not an IP address/],
    ['::1.2.3.4:5', /not an IP address/],
    ['::ffff:1.2.3', /not an IP address/],
    ['/8', /not an IP address/],
  ];
  test.each(cases)('%j is rejected (%s)', (input, message) => {
    const r = parseCidr(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(message);
  });
});

describe('parseCidr: RFC 4291 edge cases of the hand-written IPv6 reader', () => {
  // "::" may stand for a single zero group on input (RFC 4291; only RFC 5952's
  // canonical output forbids it), as ip-cidr also accepts.
  const accepted: Array<[string, string]> = [
    ['1:2:3:4:5:6::8', '1:2:3:4:5:6:0:8/128'],
    ['::2:3:4:5:6:7:8', '0:2:3:4:5:6:7:8/128'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0/128'],
    ['::', '::/128'],
    ['0000:0000::0', '::/128'],
    ['aBcD:EF01::', 'abcd:ef01::/128'],
    ['1::0:0:2', '1::2/128'],
    ['1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:102:304/128'],
    ['1::1.2.3.4', '1::102:304/128'], // ip-cidr reads this as the IPv4 1.2.3.4
  ];
  test.each(accepted)('%j -> %s', (input, text) => {
    expect(parseCidr(input)).toEqual({ ok: true, cidr: expect.objectContaining({ text, family: 6 }) });
  });

  const rejected = [
    '1:2:3:4:5:6:7::8', // "::" must stand for at least one group
    '1:2:3:4:5:6:7:8::',
    '::1:2:3:4:5:6:7:8',
    '1:2:3:4:5:6:7', // too few groups without "::"
    '1::2::3',
    '::1::',
    '1:::2',
    '::::',
    '00000::',
    '1::10000',
    ':',
    ':1::',
    '::1:',
    '1:2:3:4:5:6:7:8:',
    ':1:2:3:4:5:6:7:8',
    '1::2:',
    '1:2:3:4:5:6:7:1.2.3.4', // nine groups with the dotted tail
    '1:2:3:4:5:1.2.3.4',
    '1::g',
    '1::-1',
    '1:: 2',
  ];
  test.each(rejected)('%j is rejected', (input) => {
    expect(parseCidr(input)).toEqual({ ok: false, error: 'not an IP address or CIDR' });
  });
});

describe('formatAddress', () => {
  const cases: Array<[bigint, Family, string]> = [
    [0n, 4, '0.0.0.0'],
    [0xffffffffn, 4, '255.255.255.255'],
    [0x0a010203n, 4, '10.1.2.3'],
    [0n, 6, '::'],
    [1n, 6, '::1'],
    [0x20010db8000000000000000000000001n, 6, '2001:db8::1'],
    [0x20010db8000000000001000000000001n, 6, '2001:db8::1:0:0:1'], // first of two equal runs
    [0x20010db8000000010001000100010001n, 6, '2001:db8:0:1:1:1:1:1'], // a single zero group stays
    [0x00010000000000020000000000000003n, 6, '1:0:0:2::3'], // the longer run wins
    [0xfe800000000000000000000000000000n, 6, 'fe80::'],
    [0xffffffffffffffffffffffffffffffffn, 6, 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
    [0x0000000000000000000000000000ffffn, 6, '::ffff'],
    [0x00000000000000000000ffff01020304n, 6, '::ffff:102:304'],
  ];
  test.each(cases)('%s (IPv%s) -> %s', (value, family, text) => {
    expect(formatAddress(value, family)).toBe(text);
  });
});

describe('set algebra', () => {
  test('addressSetOf sorts, merges overlaps and joins adjacent ranges per family', () => {
    const s = setOf('10.0.1.0/24', '2001:db8::/33', '10.0.0.0/24', '10.0.0.128/25', '2001:db8:8000::/33', '9.0.0.0/8');
    expect(s.v4).toEqual([{ start: 0x09000000n, end: 0x0a0001ffn }]);
    expect(setToCidrs(s)).toEqual(['9.0.0.0/8', '10.0.0.0/23', '2001:db8::/32']);
  });

  test('0.0.0.0/1 + 128.0.0.0/1 covers the IPv4 world, ::/1 + 8000::/1 the IPv6 world', () => {
    const v4 = setOf('0.0.0.0/1', '128.0.0.0/1');
    expect(coversFamily(v4, 4)).toBe(true);
    expect(coversFamily(v4, 6)).toBe(false);
    const v6 = setOf('8000::/1', '::/1');
    expect(coversFamily(v6, 6)).toBe(true);
    expect(coversFamily(v6, 4)).toBe(false);
    expect(coversFamily(setOf('0.0.0.0/1', '128.0.0.0/2', '192.0.0.0/2'), 4)).toBe(true);
    expect(coversFamily(setOf('0.0.0.0/1', '128.0.0.0/2'), 4)).toBe(false);
    expect(coversFamily(WORLD_SET, 4) && coversFamily(WORLD_SET, 6)).toBe(true);
    expect(coversFamily(EMPTY_SET, 4)).toBe(false);
  });

  test('families never mix: IPv4 world and IPv6 world are disjoint', () => {
    const v4World = setOf('0.0.0.0/0');
    const v6World = setOf('::/0');
    expect(setsIntersect(v4World, v6World)).toBe(false);
    expect(isEmptySet(intersectSets(v4World, v6World))).toBe(true);
    expect(hasAddressOutside(v6World, v4World)).toBe(true);
    expect(hasAddressOutside(v4World, v4World)).toBe(false);
    expect(subtractSets(v6World, v4World)).toEqual(v6World);
    expect(setToCidrs(unionSets(v4World, v6World))).toEqual(['0.0.0.0/0', '::/0']);
    // A mapped range is IPv4 and meets IPv4 sets, not IPv6 ones.
    expect(setsIntersect(setOf('::ffff:10.0.0.0/104'), setOf('10.1.0.0/16'))).toBe(true);
    expect(setsIntersect(setOf('::ffff:10.0.0.0/104'), setOf('::/0'))).toBe(false);
  });

  test('union, intersection and difference are exact', () => {
    const a = setOf('10.0.0.0/8', '2001:db8::/32');
    const b = setOf('10.128.0.0/9', '11.0.0.0/8', '2001:db8:1::/48');
    expect(setToCidrs(unionSets(a, b))).toEqual(['10.0.0.0/7', '2001:db8::/32']);
    expect(setToCidrs(intersectSets(a, b))).toEqual(['10.128.0.0/9', '2001:db8:1::/48']);
    expect(setToCidrs(subtractSets(a, b))).toEqual(['10.0.0.0/9', '2001:db8::/48', '2001:db8:2::/47', '2001:db8:4::/46', '2001:db8:8::/45', '2001:db8:10::/44', '2001:db8:20::/43', '2001:db8:40::/42', '2001:db8:80::/41', '2001:db8:100::/40', '2001:db8:200::/39', '2001:db8:400::/38', '2001:db8:800::/37', '2001:db8:1000::/36', '2001:db8:2000::/35', '2001:db8:4000::/34', '2001:db8:8000::/33']);
    expect(setToCidrs(subtractSets(setOf('10.0.0.0/24'), setOf('10.0.0.5', '10.0.0.7')))).toEqual([
      '10.0.0.0/30', '10.0.0.4/32', '10.0.0.6/32', '10.0.0.8/29', '10.0.0.16/28', '10.0.0.32/27', '10.0.0.64/26', '10.0.0.128/25',
    ]);
    expect(isEmptySet(subtractSets(b, unionSets(a, b)))).toBe(true);
    expect(isEmptySet(EMPTY_SET)).toBe(true);
    expect(isEmptySet(a)).toBe(false);
  });

  test('hasAddressOutside agrees with subtraction on split covers', () => {
    const outside = setOf('10.0.0.0/9', '10.128.0.0/9');
    expect(hasAddressOutside(setOf('10.1.0.0/16', '10.200.0.0/16'), outside)).toBe(false);
    expect(hasAddressOutside(setOf('10.1.0.0/16', '11.0.0.0/32'), outside)).toBe(true);
    expect(hasAddressOutside(setOf('9.255.255.255/32'), outside)).toBe(true);
    expect(hasAddressOutside(EMPTY_SET, outside)).toBe(false);
    expect(hasAddressOutside(setOf('10.0.0.0/8'), EMPTY_SET)).toBe(true);
  });
});

describe('PRIVATE_SET (spec 3.4)', () => {
  const inside = ['10.1.2.3', '100.64.0.1', '100.127.255.255', '127.0.0.1', '169.254.169.254', '172.31.0.1', '192.168.0.1', '192.0.0.8', '192.0.2.1',
    '198.19.255.255', '198.51.100.9', '203.0.113.10', '224.0.0.1', '255.255.255.255', '0.1.2.3',
    '2001:db8::1', '::1', '::', 'fd00::1', 'fe80::1', 'ff02::1', '64:ff9b:1::1', '100::1'];
  const outside = ['8.8.8.8', '100.128.0.1', '100.63.255.255', '172.32.0.1', '192.0.1.1', '198.20.0.0', '11.0.0.1', '1.1.1.1',
    '2600::', '2001:db9::1', '::2', '64:ff9b::1', '100:0:0:1::1', 'fec0::1', '2001:4860:4860::8888'];
  test.each(inside)('%s is private', (a) => {
    expect(hasAddressOutside(addr(a), PRIVATE_SET)).toBe(false);
    expect(setsIntersect(addr(a), PRIVATE_SET)).toBe(true);
  });
  test.each(outside)('%s is public', (a) => {
    expect(hasAddressOutside(addr(a), PRIVATE_SET)).toBe(true);
    expect(setsIntersect(addr(a), PRIVATE_SET)).toBe(false);
  });
  test('setContainsAddress finds single addresses per family', () => {
    const ten = parsed('10.1.2.3');
    expect(setContainsAddress(PRIVATE_SET, ten.start, 4)).toBe(true);
    expect(setContainsAddress(PRIVATE_SET, ten.start, 6)).toBe(false); // ::a01:203 is not private
    expect(setContainsAddress(PRIVATE_SET, parsed('8.8.8.8').start, 4)).toBe(false);
  });
});

describe('intervalToCidrs', () => {
  const cases: Array<[string, string, Family, string[]]> = [
    ['10.0.0.0', '10.0.0.255', 4, ['10.0.0.0/24']],
    ['10.0.0.1', '10.0.0.6', 4, ['10.0.0.1/32', '10.0.0.2/31', '10.0.0.4/31', '10.0.0.6/32']],
    ['0.0.0.0', '255.255.255.255', 4, ['0.0.0.0/0']],
    ['255.255.255.255', '255.255.255.255', 4, ['255.255.255.255/32']],
    ['0.0.0.1', '255.255.255.254', 4, [
      '0.0.0.1/32', '0.0.0.2/31', '0.0.0.4/30', '0.0.0.8/29', '0.0.0.16/28', '0.0.0.32/27', '0.0.0.64/26', '0.0.0.128/25',
      '0.0.1.0/24', '0.0.2.0/23', '0.0.4.0/22', '0.0.8.0/21', '0.0.16.0/20', '0.0.32.0/19', '0.0.64.0/18', '0.0.128.0/17',
      '0.1.0.0/16', '0.2.0.0/15', '0.4.0.0/14', '0.8.0.0/13', '0.16.0.0/12', '0.32.0.0/11', '0.64.0.0/10', '0.128.0.0/9',
      '1.0.0.0/8', '2.0.0.0/7', '4.0.0.0/6', '8.0.0.0/5', '16.0.0.0/4', '32.0.0.0/3', '64.0.0.0/2', '128.0.0.0/2',
      '192.0.0.0/3', '224.0.0.0/4', '240.0.0.0/5', '248.0.0.0/6', '252.0.0.0/7', '254.0.0.0/8', '255.0.0.0/9', '255.128.0.0/10',
      '255.192.0.0/11', '255.224.0.0/12', '255.240.0.0/13', '255.248.0.0/14', '255.252.0.0/15', '255.254.0.0/16', '255.255.0.0/17',
      '255.255.128.0/18', '255.255.192.0/19', '255.255.224.0/20', '255.255.240.0/21', '255.255.248.0/22', '255.255.252.0/23',
      '255.255.254.0/24', '255.255.255.0/25', '255.255.255.128/26', '255.255.255.192/27', '255.255.255.224/28', '255.255.255.240/29',
      '255.255.255.248/30', '255.255.255.252/31', '255.255.255.254/32',
    ]],
    ['::', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 6, ['::/0']],
    ['2001:db8::', '2001:db8:1::ffff', 6, ['2001:db8::/48', '2001:db8:1::/112']],
  ];
  test.each(cases)('%s-%s', (from, to, family, cidrs) => {
    expect(intervalToCidrs({ start: parsed(from).start, end: parsed(to).start }, family)).toEqual(cidrs);
  });
  test('an empty or out-of-family interval gives no CIDRs', () => {
    expect(intervalToCidrs({ start: 5n, end: 4n }, 4)).toEqual([]);
    expect(intervalToCidrs({ start: 0n, end: 1n << 32n }, 4)).toEqual([]);
  });
});
