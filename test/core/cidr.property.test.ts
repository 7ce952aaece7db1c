// Property tests: the interval algebra against brute-force Set<number>
// arithmetic over small address universes, and the CIDR cover's exactness and
// minimality against an independent trie decomposition.
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import {
  addressSetOf,
  coversFamily,
  formatAddress,
  hasAddressOutside,
  intersectSets,
  intervalToCidrs,
  isEmptySet,
  parseCidr,
  setsIntersect,
  setToCidrs,
  subtractSets,
  unionSets,
} from '../../src/core/cidr.js';
import type { AddressSet, Family, Interval, ParsedCidr } from '../../src/core/types.js';

const RUNS = 200;

function parsed(text: string): ParsedCidr {
  const r = parseCidr(text);
  if (!r.ok) throw new Error(`${text}: ${r.error}`);
  return r.cidr;
}

// ---------------------------------------------------------------- small-universe reference

/** A raw interval of one family inside 0..63, possibly empty-ordered inputs sorted out by the generator. */
const UNIVERSE = 64;
const rawInterval = fc
  .tuple(fc.constantFrom<Family>(4, 6), fc.nat(UNIVERSE - 1), fc.nat(UNIVERSE - 1))
  .map(([family, a, b]) => ({ family, start: Math.min(a, b), end: Math.max(a, b) }));
const rawSet = fc.array(rawInterval, { maxLength: 8 });

type RawInterval = { family: Family; start: number; end: number };

/** addressSetOf only reads family/start/end, so arbitrary (unaligned) intervals can go through it. */
function setFrom(list: RawInterval[]): AddressSet {
  return addressSetOf(
    list.map((iv) => ({
      input: '',
      text: '',
      family: iv.family,
      prefix: 0,
      start: BigInt(iv.start),
      end: BigInt(iv.end),
      hostBitsCleared: false,
      mappedFromIpv6: false,
    })),
  );
}

function membersOfRaw(list: RawInterval[]): Set<string> {
  const out = new Set<string>();
  for (const iv of list) for (let n = iv.start; n <= iv.end; n++) out.add(`${iv.family}:${n}`);
  return out;
}

function membersOf(s: AddressSet): Set<string> {
  const out = new Set<string>();
  for (const [family, list] of [[4, s.v4], [6, s.v6]] as const) {
    for (const iv of list) for (let n = iv.start; n <= iv.end; n++) out.add(`${family}:${n}`);
  }
  return out;
}

/** Sorted, disjoint, and not adjacent: the one canonical form of a set. */
function isCanonical(list: readonly Interval[]): boolean {
  for (let i = 0; i < list.length; i++) {
    const iv = list[i]!;
    if (iv.start > iv.end) return false;
    const prev = list[i - 1];
    if (prev !== undefined && prev.end + 1n >= iv.start) return false;
  }
  return true;
}

function expectCanonical(s: AddressSet): void {
  expect(isCanonical(s.v4) && isCanonical(s.v6)).toBe(true);
}

const sorted = (s: Set<string>): string[] => [...s].sort();

describe('interval algebra matches Set arithmetic on a small universe', () => {
  test('addressSetOf, union, intersection, difference', () => {
    fc.assert(
      fc.property(rawSet, rawSet, (ra, rb) => {
        const a = setFrom(ra);
        const b = setFrom(rb);
        const ma = membersOfRaw(ra);
        const mb = membersOfRaw(rb);
        expectCanonical(a);
        expect(sorted(membersOf(a))).toEqual(sorted(ma));

        const u = unionSets(a, b);
        const i = intersectSets(a, b);
        const d = subtractSets(a, b);
        for (const s of [u, i, d]) expectCanonical(s);
        expect(sorted(membersOf(u))).toEqual(sorted(new Set([...ma, ...mb])));
        expect(sorted(membersOf(i))).toEqual(sorted(new Set([...ma].filter((x) => mb.has(x)))));
        expect(sorted(membersOf(d))).toEqual(sorted(new Set([...ma].filter((x) => !mb.has(x)))));
      }),
      { numRuns: RUNS },
    );
  });

  test('predicates: isEmptySet, setsIntersect, hasAddressOutside', () => {
    fc.assert(
      fc.property(rawSet, rawSet, (ra, rb) => {
        const a = setFrom(ra);
        const b = setFrom(rb);
        const ma = membersOfRaw(ra);
        const mb = membersOfRaw(rb);
        expect(isEmptySet(a)).toBe(ma.size === 0);
        expect(setsIntersect(a, b)).toBe([...ma].some((x) => mb.has(x)));
        expect(hasAddressOutside(a, b)).toBe([...ma].some((x) => !mb.has(x)));
      }),
      { numRuns: RUNS },
    );
  });
});

// ---------------------------------------------------------------- real CIDR text

/** A CIDR inside 10.0.0.0/24 (IPv4, IPv6 2001:db8::/120, or mapped ::ffff:10.0.0.0/120), with its last-byte value and host-bit count. */
const smallCidr = fc
  .tuple(fc.constantFrom('v4', 'v6', 'mapped'), fc.nat(255), fc.integer({ min: 0, max: 8 }))
  .map(([kind, x, hostBits]) => {
    const p = 32 - hostBits;
    const text =
      kind === 'v4' ? `10.0.0.${x}/${p}` : kind === 'v6' ? `2001:db8::${x.toString(16)}/${p + 96}` : `::ffff:10.0.0.${x}/${p + 96}`;
    const family: Family = kind === 'v6' ? 6 : 4;
    return { text, family, x, hostBits };
  });

type SmallCidr = { text: string; family: Family; x: number; hostBits: number };

/** Reference membership without the parser: last byte i is inside when it shares the network bits. */
function smallMembers(list: SmallCidr[]): Set<string> {
  const out = new Set<string>();
  for (const c of list) for (let i = 0; i < 256; i++) if (i >> c.hostBits === c.x >> c.hostBits) out.add(`${c.family}:${i}`);
  return out;
}

const V4_BASE = parsed('10.0.0.0').start;
const V6_BASE = parsed('2001:db8::').start;

function smallMembersOf(s: AddressSet): Set<string> {
  const out = new Set<string>();
  for (const [family, list, base] of [[4, s.v4, V4_BASE], [6, s.v6, V6_BASE]] as const) {
    for (const iv of list) {
      if (iv.start < base || iv.end > base + 255n) throw new Error(`interval ${iv.start}-${iv.end} left the test universe`);
      for (let n = iv.start; n <= iv.end; n++) out.add(`${family}:${n - base}`);
    }
  }
  return out;
}

describe('set operations on parsed CIDRs inside 10.0.0.0/24 and 2001:db8::/120', () => {
  test('parse + set algebra agree with bitwise membership', () => {
    const list = fc.array(smallCidr, { maxLength: 6 });
    fc.assert(
      fc.property(list, list, (la, lb) => {
        const a = addressSetOf(la.map((c) => parsed(c.text)));
        const b = addressSetOf(lb.map((c) => parsed(c.text)));
        const ma = smallMembers(la);
        const mb = smallMembers(lb);
        expect(sorted(smallMembersOf(a))).toEqual(sorted(ma));
        expect(sorted(smallMembersOf(unionSets(a, b)))).toEqual(sorted(new Set([...ma, ...mb])));
        expect(sorted(smallMembersOf(intersectSets(a, b)))).toEqual(sorted(new Set([...ma].filter((x) => mb.has(x)))));
        expect(sorted(smallMembersOf(subtractSets(a, b)))).toEqual(sorted(new Set([...ma].filter((x) => !mb.has(x)))));
        expect(setsIntersect(a, b)).toBe([...ma].some((x) => mb.has(x)));
        expect(hasAddressOutside(a, b)).toBe([...ma].some((x) => !mb.has(x)));
        // "covers the whole /24" through the same predicates the rules use.
        const whole = addressSetOf([parsed('10.0.0.0/24')]);
        const coversV4 = [...Array(256).keys()].every((i) => ma.has(`4:${i}`));
        expect(!hasAddressOutside(whole, a)).toBe(coversV4);
        // Canonical text of the set re-parses to the same set.
        expect(addressSetOf(setToCidrs(a).map(parsed))).toEqual(a);
      }),
      { numRuns: RUNS },
    );
  });
});

// ---------------------------------------------------------------- world covers

const MAX: Record<Family, bigint> = { 4: (1n << 32n) - 1n, 6: (1n << 128n) - 1n };

function bigintIn(family: Family): fc.Arbitrary<bigint> {
  return fc.bigInt({ min: 0n, max: MAX[family] });
}

describe('coversFamily', () => {
  test('any partition of a family into CIDRs covers it; dropping one CIDR does not', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<Family>(4, 6).chain((family) =>
          fc.tuple(fc.constant(family), fc.uniqueArray(bigintIn(family), { maxLength: 3 }), fc.nat()),
        ),
        ([family, cuts, pick]) => {
          const points = [...new Set(cuts.filter((c) => c > 0n))].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
          const texts: string[] = [];
          let start = 0n;
          for (const cut of [...points, MAX[family] + 1n]) {
            texts.push(...intervalToCidrs({ start, end: cut - 1n }, family));
            start = cut;
          }
          const all = texts.map(parsed);
          const set = addressSetOf(all);
          expect(coversFamily(set, family)).toBe(true);
          expect(coversFamily(set, family === 4 ? 6 : 4)).toBe(false);
          const without = all.filter((_, i) => i !== pick % all.length);
          expect(coversFamily(addressSetOf(without), family)).toBe(false);
        },
      ),
      { numRuns: 100 },
    );
  });
});

// ---------------------------------------------------------------- intervalToCidrs

/** Minimal CIDR count by walking the prefix trie: a block inside the interval counts once, a partial one splits. */
function minimalCount(lo: bigint, hi: bigint, blockStart: bigint, blockBits: number): number {
  const blockEnd = blockStart + (1n << BigInt(blockBits)) - 1n;
  if (blockEnd < lo || blockStart > hi) return 0;
  if (lo <= blockStart && blockEnd <= hi) return 1;
  const half = 1n << BigInt(blockBits - 1);
  return minimalCount(lo, hi, blockStart, blockBits - 1) + minimalCount(lo, hi, blockStart + half, blockBits - 1);
}

describe('intervalToCidrs', () => {
  test('is an exact, ordered, minimal cover of the interval', () => {
    const arb = fc.constantFrom<Family>(4, 6).chain((family) =>
      fc.tuple(fc.constant(family), bigintIn(family), bigintIn(family), fc.nat(40)),
    );
    fc.assert(
      fc.property(arb, ([family, a, b, span]) => {
        // Half the time a short interval, so small ranges near any address are common too.
        const start = a < b ? a : b;
        let end = a < b ? b : a;
        if (span % 2 === 0 && start + BigInt(span) <= MAX[family]) end = start + BigInt(span);
        const cidrs = intervalToCidrs({ start, end }, family).map(parsed);
        let next = start;
        for (const c of cidrs) {
          expect(c.family).toBe(family);
          expect(c.hostBitsCleared).toBe(false);
          expect(c.start).toBe(next);
          next = c.end + 1n;
        }
        expect(next).toBe(end + 1n);
        expect(cidrs.length).toBe(minimalCount(start, end, 0n, family === 4 ? 32 : 128));
      }),
      { numRuns: 120 },
    );
  });
});

describe('formatAddress', () => {
  test('round-trips through parseCidr and is the canonical text', () => {
    const arb = fc.constantFrom<Family>(4, 6).chain((family) => fc.tuple(fc.constant(family), bigintIn(family)));
    fc.assert(
      fc.property(arb, ([family, value]) => {
        const text = formatAddress(value, family);
        const back = parsed(`${text}/${family === 4 ? 32 : 128}`);
        // IPv6 inside ::ffff:0:0/96 reads back as the IPv4 it maps.
        if (family === 6 && value >> 32n === 0xffffn) {
          expect(back).toMatchObject({ family: 4, start: value & MAX[4], mappedFromIpv6: true });
        } else {
          expect(back).toMatchObject({ family, start: value, text: `${text}/${family === 4 ? 32 : 128}` });
        }
        if (family === 6) {
          expect(text).toMatch(/^[0-9a-f:]+$/);
          expect(text).not.toMatch(/(^|:)0[0-9a-f]/); // no leading zeros
          expect(text.split('::').length).toBeLessThanOrEqual(2);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
