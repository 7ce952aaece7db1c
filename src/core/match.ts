// Does one normalized port state violate one rule? Spec sections 3.1 and 3.3,
// with the readings of section 6. Pure predicates; the evaluator caches the
// source-dependent parts, which are the expensive ones.

import { coversFamily, hasAddressOutside, PRIVATE_SET, setsIntersect } from './cidr.js';
import { EVERY_ICMP_VALUE, EVERY_PORT } from './normalize.js';
import type {
  AllowEntry,
  IcmpMatch,
  IntRange,
  NormalizedState,
  Protocol,
  RuleMatch,
  SourceCondition,
  SourceKeyword,
  SourceSet,
} from './types.js';

export { EVERY_ICMP_VALUE, EVERY_PORT };

function rangesIntersect(a: IntRange, b: IntRange): boolean {
  return a.from <= b.to && b.from <= a.to;
}

/** A rule's icmp key (omitted or -1 = every value) as a range. */
function icmpValueRange(value: number | undefined): IntRange {
  return value === undefined || value === -1 ? EVERY_ICMP_VALUE : { from: value, to: value };
}

function isPortProtocol(p: string): p is 'tcp' | 'udp' {
  return p === 'tcp' || p === 'udp';
}

function isIcmpProtocol(p: string): p is 'icmp' | 'icmpv6' {
  return p === 'icmp' || p === 'icmpv6';
}

/** Protocol, ports and icmp keys of `match` (everything but the source). */
export function matchesTraffic(match: RuleMatch, state: NormalizedState): boolean {
  const p = state.protocol;
  if (p === 'unknown') {
    // Section 6: an unknown protocol matches only rules that narrow none of these.
    return !match.protocols && !match.ports && !match.icmp;
  }
  if (match.protocols && p !== 'all' && !match.protocols.includes(p)) return false;
  if (match.ports) {
    if (!state.ports) return false; // icmp/icmpv6 never match a rule that lists ports
    let hit = false;
    for (const r of match.ports) {
      if (rangesIntersect(state.ports, r)) {
        hit = true;
        break;
      }
    }
    if (!hit) return false;
  }
  if (match.icmp) {
    if (!state.icmpType || !state.icmpCode) return false; // tcp/udp carry no ICMP type
    if (!rangesIntersect(state.icmpType, icmpValueRange(match.icmp.type))) return false;
    if (!rangesIntersect(state.icmpCode, icmpValueRange(match.icmp.code))) return false;
  }
  return true;
}

/** The ports of `match` that the state's range touches, for messages. */
export function matchedPorts(match: RuleMatch, state: NormalizedState): IntRange[] {
  if (!match.ports || !state.ports) return [];
  const ports = state.ports;
  return match.ports.filter((r) => rangesIntersect(ports, r));
}

export function admitsAny(sources: SourceSet): boolean {
  return sources.cidrs.length > 0 || sources.aliases.length > 0;
}

export function isWorld(sources: SourceSet): boolean {
  return coversFamily(sources.addresses, 4) || coversFamily(sources.addresses, 6);
}

export function isPublic(sources: SourceSet): boolean {
  return hasAddressOutside(sources.addresses, PRIVATE_SET);
}

function widerThan(sources: SourceSet, limits: { ipv4?: number; ipv6?: number }): boolean {
  for (const c of sources.cidrs) {
    const limit = c.family === 4 ? limits.ipv4 : limits.ipv6;
    if (limit !== undefined && c.prefix < limit) return true;
  }
  return false;
}

export function matchesSourceCondition(cond: SourceCondition, sources: SourceSet): boolean {
  if (cond.covers !== undefined) {
    const a = sources.addresses;
    const ok =
      cond.covers === 'world-ipv4'
        ? coversFamily(a, 4)
        : cond.covers === 'world-ipv6'
          ? coversFamily(a, 6)
          : coversFamily(a, 4) || coversFamily(a, 6);
    if (!ok) return false;
  }
  if (cond.outside && !hasAddressOutside(sources.addresses, cond.outside.set)) return false;
  if (cond.overlaps && !setsIntersect(sources.addresses, cond.overlaps.set)) return false;
  if (cond.widerThan && !widerThan(sources, cond.widerThan)) return false;
  if (cond.alias !== undefined && !sources.aliases.includes(cond.alias)) return false;
  // An object that gives no key asks for nothing narrower than `any`.
  const givesAddressKey = cond.covers || cond.outside || cond.overlaps || cond.widerThan || cond.alias !== undefined;
  return givesAddressKey ? true : admitsAny(sources);
}

export function matchesSource(source: SourceKeyword | SourceCondition, sources: SourceSet): boolean {
  switch (source) {
    case 'any':
      return admitsAny(sources);
    case 'world':
      return isWorld(sources);
    case 'public':
      return isPublic(sources);
    default:
      return matchesSourceCondition(source, sources);
  }
}

// ---------------------------------------------------------------- allow-lists (3.3)

function entryTakesProtocol(entry: AllowEntry, protocol: Protocol): boolean {
  return !entry.protocols || entry.protocols.includes(protocol);
}

function icmpCovers(icmp: IcmpMatch | undefined, type: IntRange, code: IntRange): boolean {
  if (!icmp) return true;
  const t = icmpValueRange(icmp.type);
  const c = icmpValueRange(icmp.code);
  return t.from <= type.from && type.to <= t.to && c.from <= code.from && code.to <= c.to;
}

/** Whether the union of `pieces` contains every integer of `range`. */
export function rangeCovered(range: IntRange, pieces: readonly IntRange[]): boolean {
  const sorted = [...pieces].sort((a, b) => a.from - b.from);
  let next = range.from; // first port not yet covered
  for (const piece of sorted) {
    if (piece.from > next) break;
    if (piece.to >= next) next = piece.to + 1;
    if (next > range.to) return true;
  }
  return next > range.to;
}

/** Whether the allow entries cover the state completely (then it is not a finding). */
export function allowCovers(entries: readonly AllowEntry[], state: NormalizedState): boolean {
  const p = state.protocol;
  const isBare = (e: AllowEntry) => !e.protocols && !e.ports && !e.icmp;
  if (p === 'unknown') return entries.some(isBare);
  if (p === 'all') {
    return entries.some((e) => isBare(e) || (!!e.protocols?.includes('all') && !e.ports && !e.icmp));
  }
  if (isPortProtocol(p)) {
    const range = state.ports ?? EVERY_PORT;
    const pieces: IntRange[] = [];
    for (const e of entries) {
      if (e.icmp || !entryTakesProtocol(e, p)) continue; // an icmp entry covers only icmp states
      if (!e.ports) return true; // every port of its protocol
      for (const r of e.ports) pieces.push(r);
    }
    return rangeCovered(range, pieces);
  }
  if (isIcmpProtocol(p)) {
    const type = state.icmpType ?? EVERY_ICMP_VALUE;
    const code = state.icmpCode ?? EVERY_ICMP_VALUE;
    return entries.some((e) => !e.ports && entryTakesProtocol(e, p) && icmpCovers(e.icmp, type, code));
  }
  return false;
}
