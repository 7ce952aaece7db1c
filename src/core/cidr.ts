// CIDR parsing and exact set algebra over IPv4 and IPv6 address intervals.
//
// Every address is a bigint and every set keeps its two families apart, so an
// IPv6 address can never land inside an IPv4 range. The address text is read
// by hand, for speed: a general-purpose library (ip-cidr, which this module
// used before) costs 15-25 us per distinct address, and an inventory of 100k
// instances carries tens of thousands of distinct ones. ip-cidr remains the
// test oracle: test/core/cidr.property.test.ts checks that both agree on which
// texts are addresses and on their values. This module owns everything around
// the address itself too: trimming, the prefix length, bare addresses, zone
// ids, dotted IPv4 tails in IPv6 text, host-bit clearing, IPv4-mapped ranges
// and the canonical text.

import type { AddressSet, CidrParseResult, Family, Interval, ParsedCidr } from './types.js';

const V4_BITS = 32;
const V6_BITS = 128;
const V4_MAX = (1n << 32n) - 1n;
const V6_MAX = (1n << 128n) - 1n;
/** ::ffff:0:0/96, the IPv4-mapped block, shifted down by the 32 IPv4 bits. */
const MAPPED_HIGH_BITS = 0xffffn;

function bitsOf(family: Family): number {
  return family === 4 ? V4_BITS : V6_BITS;
}

function maxOf(family: Family): bigint {
  return family === 4 ? V4_MAX : V6_MAX;
}

// ---------------------------------------------------------------- parsing

/** The value of one address text of a known family, or an error text. */
type AddressRead = { ok: true; value: bigint } | { ok: false; error: string };

const NOT_AN_ADDRESS = 'not an IP address or CIDR';
const NOT_AN_ADDRESS_READ: AddressRead = Object.freeze({ ok: false, error: NOT_AN_ADDRESS });

/** 0-15 for a hex digit (either case), -1 for anything else. */
function hexDigit(code: number): number {
  if (code >= 48 && code <= 57) return code - 48; // 0-9
  const lower = code | 0x20; // A-F folds onto a-f
  if (lower >= 97 && lower <= 102) return lower - 87;
  return -1;
}

const COLON = 58;
/** Groups of the address being read, in text order; "::" is expanded afterwards. */
const groupScratch = new Array<number>(8).fill(0);

/**
 * Reads RFC 4291 text without dots: 1-4 hex digits per group, either exactly
 * 8 groups or one "::" standing for one or more zero groups. "::" for a single
 * group is accepted (RFC 5952 only forbids writing it so, and ip-cidr accepts
 * it too). Rejected: a second "::", ":::", a group of 5+ digits, an empty
 * group, a leading or trailing single ":", more than 8 groups, any other
 * character.
 */
function readIpv6Hex(text: string): AddressRead {
  const fail = NOT_AN_ADDRESS_READ;
  const length = text.length;
  let count = 0; // groups read so far
  let gapAt = -1; // number of groups before "::", -1 without one
  let i = 0;
  if (length >= 2 && text.charCodeAt(0) === COLON && text.charCodeAt(1) === COLON) {
    gapAt = 0;
    i = 2;
  }
  while (i < length) {
    let group = 0;
    let digits = 0;
    for (; i < length; i++) {
      const d = hexDigit(text.charCodeAt(i));
      if (d < 0) break;
      if (++digits > 4) return fail;
      group = group * 16 + d;
    }
    // An empty group: a leading single ":", ":::", or a stray character.
    if (digits === 0 || count === 8) return fail;
    groupScratch[count++] = group;
    if (i === length) break;
    if (text.charCodeAt(i) !== COLON) return fail;
    i++;
    if (i === length) return fail; // a trailing single ":"
    if (text.charCodeAt(i) === COLON) {
      if (gapAt >= 0) return fail; // a second "::"
      gapAt = count;
      i++;
    }
  }
  const zeros = 8 - count;
  if (gapAt < 0 ? zeros !== 0 : zeros < 1) return fail;

  // Four 32-bit words as exact Numbers, then one bigint: cheaper than a BigInt per group.
  const words = [0, 0, 0, 0];
  for (let k = 0; k < 8; k++) {
    const group = gapAt < 0 || k < gapAt ? groupScratch[k]! : k < gapAt + zeros ? 0 : groupScratch[k - zeros]!;
    words[k >> 1] = words[k >> 1]! * 65536 + group;
  }
  return {
    ok: true,
    value: (BigInt(words[0]!) << 96n) | (BigInt(words[1]!) << 64n) | (BigInt(words[2]!) << 32n) | BigInt(words[3]!),
  };
}

const DOTTED_QUAD = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function readIpv4(address: string): AddressRead {
  // A dotted quad is read here: ip-cidr costs 12-23 us a parse and a fleet's
  // unique source addresses are mostly IPv4. Leading zeros in an octet
  // (01.2.3.4) are rejected, as ip-cidr does: some tools read them as octal.
  const m = DOTTED_QUAD.exec(address);
  if (!m) return { ok: false, error: NOT_AN_ADDRESS };
  let value = 0;
  for (let i = 1; i <= 4; i++) {
    const octet = m[i]!;
    if (octet.length > 1 && octet.charCodeAt(0) === 48 /* 0 */) return { ok: false, error: NOT_AN_ADDRESS };
    const n = Number(octet);
    if (n > 255) return { ok: false, error: NOT_AN_ADDRESS };
    value = value * 256 + n;
  }
  return { ok: true, value: BigInt(value) };
}

function readIpv6(address: string): AddressRead {
  if (address.includes('%')) return { ok: false, error: 'zone ids (%...) are not allowed in an address' };
  if (!/^[0-9A-Fa-f:.]+$/.test(address)) return { ok: false, error: NOT_AN_ADDRESS };
  // The hex reader takes no dots: rewrite a dotted IPv4 tail as two hex
  // groups; only the last group may be dotted.
  let text = address;
  const lastColon = address.lastIndexOf(':');
  const tail = address.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = readIpv4(tail);
    if (!v4.ok) return { ok: false, error: NOT_AN_ADDRESS };
    const high = (v4.value >> 16n).toString(16);
    const low = (v4.value & 0xffffn).toString(16);
    text = `${address.slice(0, lastColon + 1)}${high}:${low}`;
  }
  if (text.includes('.')) return { ok: false, error: NOT_AN_ADDRESS };
  return readIpv6Hex(text);
}

/**
 * Reads the prefix length. Leading zeros are accepted and read as decimal
 * ("/08" is /8): no tool reads a prefix length as octal, and rejecting an
 * inventory entry would make it admit nothing, which fails open.
 */
function readPrefix(text: string, family: Family): { ok: true; prefix: number } | { ok: false; error: string } {
  if (text === '') return { ok: false, error: 'missing prefix length after "/"' };
  if (!/^\d+$/.test(text)) return { ok: false, error: `prefix length "${text}" is not a number` };
  const prefix = Number(text);
  if (prefix > bitsOf(family)) {
    return { ok: false, error: `prefix length ${text} is out of range for IPv${family} (0-${bitsOf(family)})` };
  }
  return { ok: true, prefix };
}

function rangeOf(value: bigint, prefix: number, family: Family): Interval {
  const hostBits = BigInt(bitsOf(family) - prefix);
  const hostMask = (1n << hostBits) - 1n;
  const start = value & ~hostMask & maxOf(family);
  return { start, end: start | hostMask };
}

function parseUncached(input: string): CidrParseResult {
  const text = input.trim();
  if (text === '') return { ok: false, error: 'empty address' };
  const slash = text.indexOf('/');
  const addressText = slash < 0 ? text : text.slice(0, slash);
  const prefixText = slash < 0 ? null : text.slice(slash + 1);
  if (prefixText !== null && prefixText.includes('/')) return { ok: false, error: NOT_AN_ADDRESS };

  const family: Family = addressText.includes(':') ? 6 : 4;
  const address = family === 4 ? readIpv4(addressText) : readIpv6(addressText);
  if (!address.ok) return address;

  let prefix = bitsOf(family);
  if (prefixText !== null) {
    const read = readPrefix(prefixText, family);
    if (!read.ok) return read;
    prefix = read.prefix;
  }

  let value = address.value;
  let finalFamily = family;
  let mappedFromIpv6 = false;
  if (family === 6 && prefix >= 96 && value >> 32n === MAPPED_HIGH_BITS) {
    // ::ffff:a.b.c.d/n with n >= 96 lies wholly inside ::ffff:0:0/96: it is
    // the IPv4 range a.b.c.d/(n-96). Below /96 the range leaves the mapped
    // block and stays IPv6.
    value &= V4_MAX;
    prefix -= 96;
    finalFamily = 4;
    mappedFromIpv6 = true;
  }

  const { start, end } = rangeOf(value, prefix, finalFamily);
  const cidr: ParsedCidr = Object.freeze({
    input,
    text: `${formatAddress(start, finalFamily)}/${prefix}`,
    family: finalFamily,
    prefix,
    start,
    end,
    hostBitsCleared: start !== value,
    mappedFromIpv6,
  });
  return Object.freeze({ ok: true as const, cidr });
}

const PARSE_CACHE_LIMIT = 100_000;
const parseCache = new Map<string, CidrParseResult>();

/**
 * Parses a CIDR or a bare address (a /32 or /128). The family comes from the
 * text. Results are cached per distinct input string and frozen: fleets repeat
 * the same few CIDRs, and a parse (bigints, canonical text) costs microseconds.
 */
export function parseCidr(text: string): CidrParseResult {
  let result = parseCache.get(text);
  if (result === undefined) {
    result = Object.freeze(parseUncached(text));
    if (parseCache.size >= PARSE_CACHE_LIMIT) parseCache.clear();
    parseCache.set(text, result);
  }
  return result;
}

// ---------------------------------------------------------------- formatting

/**
 * Dotted quad for IPv4; RFC 5952 canonical text for IPv6 (lowercase, no
 * leading zeros, the first longest run of two or more zero groups as "::").
 * IPv6 is always written in hex, also inside ::ffff:0:0/96: mapped ranges
 * were already turned into IPv4 by parseCidr, and a dotted tail here would
 * read back as IPv4.
 */
export function formatAddress(value: bigint, family: Family): string {
  if (family === 4) {
    const n = Number(value & V4_MAX);
    return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
  }
  const hexDigits = (value & V6_MAX).toString(16).padStart(32, '0');
  const groups: number[] = [];
  for (let i = 0; i < 32; i += 4) groups.push(parseInt(hexDigits.slice(i, i + 4), 16));
  let bestStart = -1;
  let bestLength = 1; // a single zero group is never compressed
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number): string =>
    groups
      .slice(from, to)
      .map((g) => g.toString(16))
      .join(':');
  if (bestStart < 0) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLength, 8)}`;
}

// ---------------------------------------------------------------- sets

function freezeSet(v4: Interval[], v6: Interval[]): AddressSet {
  return Object.freeze({ v4: Object.freeze(v4), v6: Object.freeze(v6) });
}

/** Sorts and merges intervals; overlapping and adjacent ones join. */
function mergeIntervals(list: Interval[]): Interval[] {
  if (list.length <= 1) return list.map((iv) => ({ start: iv.start, end: iv.end }));
  const sorted = [...list].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const out: Interval[] = [];
  let current: Interval | undefined;
  for (const iv of sorted) {
    if (current !== undefined && iv.start <= current.end + 1n) {
      if (iv.end > current.end) current.end = iv.end;
    } else {
      current = { start: iv.start, end: iv.end };
      out.push(current);
    }
  }
  return out;
}

export const EMPTY_SET: AddressSet = freezeSet([], []);

export const WORLD_SET: AddressSet = freezeSet([{ start: 0n, end: V4_MAX }], [{ start: 0n, end: V6_MAX }]);

/** Spec 3.4: addresses that are not globally reachable. */
export const PRIVATE_CIDRS: readonly string[] = Object.freeze([
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/4',
  '240.0.0.0/4',
  '::/128',
  '::1/128',
  '64:ff9b:1::/48',
  '100::/64',
  '2001:db8::/32',
  'fc00::/7',
  'fe80::/10',
  'ff00::/8',
]);

export function addressSetOf(cidrs: Iterable<ParsedCidr>): AddressSet {
  const v4: Interval[] = [];
  const v6: Interval[] = [];
  for (const c of cidrs) (c.family === 4 ? v4 : v6).push({ start: c.start, end: c.end });
  if (v4.length === 0 && v6.length === 0) return EMPTY_SET;
  return freezeSet(mergeIntervals(v4), mergeIntervals(v6));
}

function parsedOrThrow(text: string): ParsedCidr {
  const r = parseCidr(text);
  if (!r.ok) throw new Error(`built-in CIDR ${text}: ${r.error}`);
  return r.cidr;
}

export const PRIVATE_SET: AddressSet = addressSetOf(PRIVATE_CIDRS.map(parsedOrThrow));

function unionIntervals(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  if (a.length === 0) return [...b];
  if (b.length === 0) return [...a];
  return mergeIntervals([...a, ...b]);
}

function intersectIntervals(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    const start = x.start > y.start ? x.start : y.start;
    const end = x.end < y.end ? x.end : y.end;
    if (start <= end) out.push({ start, end });
    if (x.end < y.end) i++;
    else j++;
  }
  return out;
}

function subtractIntervals(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  if (b.length === 0) return [...a];
  const out: Interval[] = [];
  let j = 0;
  for (const x of a) {
    let start = x.start;
    // Skip cut-outs that end before this interval starts; they end before every later one too.
    while (j < b.length && b[j]!.end < start) j++;
    let k = j;
    while (k < b.length && b[k]!.start <= x.end) {
      const cut = b[k]!;
      if (cut.start > start) out.push({ start, end: cut.start - 1n });
      if (cut.end >= x.end) {
        start = x.end + 1n;
        break;
      }
      start = cut.end + 1n;
      k++;
    }
    if (start <= x.end) out.push({ start, end: x.end });
  }
  return out;
}

function intervalsIntersect(a: readonly Interval[], b: readonly Interval[]): boolean {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x.start <= y.end && y.start <= x.end) return true;
    if (x.end < y.end) i++;
    else j++;
  }
  return false;
}

/** Whether some address of `a` lies in no interval of `outside` (both merged). */
function intervalsEscape(a: readonly Interval[], outside: readonly Interval[]): boolean {
  let j = 0;
  for (const x of a) {
    while (j < outside.length && outside[j]!.end < x.start) j++;
    // Merged intervals are disjoint and non-adjacent, so only one can hold all of x.
    const cover = outside[j];
    if (cover === undefined || cover.start > x.start || cover.end < x.end) return true;
  }
  return false;
}

export function unionSets(a: AddressSet, b: AddressSet): AddressSet {
  if (isEmptySet(b)) return a;
  if (isEmptySet(a)) return b;
  return freezeSet(unionIntervals(a.v4, b.v4), unionIntervals(a.v6, b.v6));
}

export function intersectSets(a: AddressSet, b: AddressSet): AddressSet {
  return freezeSet(intersectIntervals(a.v4, b.v4), intersectIntervals(a.v6, b.v6));
}

export function subtractSets(a: AddressSet, b: AddressSet): AddressSet {
  return freezeSet(subtractIntervals(a.v4, b.v4), subtractIntervals(a.v6, b.v6));
}

export function isEmptySet(s: AddressSet): boolean {
  return s.v4.length === 0 && s.v6.length === 0;
}

/** Whether the set holds the whole of 0.0.0.0/0 (family 4) or ::/0 (family 6). */
export function coversFamily(s: AddressSet, family: Family): boolean {
  const list = family === 4 ? s.v4 : s.v6;
  const only = list[0];
  return list.length === 1 && only !== undefined && only.start === 0n && only.end === maxOf(family);
}

export function setsIntersect(a: AddressSet, b: AddressSet): boolean {
  return intervalsIntersect(a.v4, b.v4) || intervalsIntersect(a.v6, b.v6);
}

/** Whether some address of `s` lies outside `outside` (= !isEmptySet(subtractSets(s, outside))), without allocating. */
export function hasAddressOutside(s: AddressSet, outside: AddressSet): boolean {
  return intervalsEscape(s.v4, outside.v4) || intervalsEscape(s.v6, outside.v6);
}

/** Whether one address (parsed text such as "10.1.2.3") lies in the set. */
export function setContainsAddress(s: AddressSet, value: bigint, family: Family): boolean {
  for (const iv of family === 4 ? s.v4 : s.v6) {
    if (value < iv.start) return false;
    if (value <= iv.end) return true;
  }
  return false;
}

// ---------------------------------------------------------------- back to CIDR text

/** Number of binary digits of a positive bigint. */
function bitLength(value: bigint): number {
  return value.toString(2).length;
}

/** The fewest CIDRs whose union is exactly the interval, in address order. */
export function intervalToCidrs(iv: Interval, family: Family): string[] {
  const bits = bitsOf(family);
  const out: string[] = [];
  if (iv.start > iv.end || iv.start < 0n || iv.end > maxOf(family)) return out;
  let start = iv.start;
  while (start <= iv.end) {
    // The largest block aligned at `start` (its trailing zero bits) that does
    // not pass `end` (the largest power of two within the remaining length).
    const alignedBits = start === 0n ? bits : bitLength(start & -start) - 1;
    const fitBits = bitLength(iv.end - start + 1n) - 1;
    const blockBits = Math.min(alignedBits, fitBits);
    out.push(`${formatAddress(start, family)}/${bits - blockBits}`);
    start += 1n << BigInt(blockBits);
  }
  return out;
}

/** The set as CIDR text, IPv4 first, each family in address order. */
export function setToCidrs(s: AddressSet): string[] {
  const out: string[] = [];
  for (const iv of s.v4) out.push(...intervalToCidrs(iv, 4));
  for (const iv of s.v6) out.push(...intervalToCidrs(iv, 6));
  return out;
}
