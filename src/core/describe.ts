// Words for findings: what a state opens, and to whom, in terms a person can
// act on. Kept apart from matching so that messages can change without
// touching what matches.

import { addressSetOf, coversFamily, hasAddressOutside, PRIVATE_SET, setsIntersect } from './cidr.js';
import { EVERY_PORT, isPublic, isWorld, matchedPorts } from './match.js';
import type {
  AllowEntry,
  IntRange,
  NormalizedState,
  ParsedCidr,
  RuleMatch,
  SourceCondition,
  SourceKeyword,
  SourceSet,
} from './types.js';

const LIST_LIMIT = 6;

export function formatRange(r: IntRange): string {
  return r.from === r.to ? `${r.from}` : `${r.from}-${r.to}`;
}

function listText(items: readonly string[]): string {
  if (items.length <= LIST_LIMIT) return items.join(', ');
  return `${items.slice(0, LIST_LIMIT).join(', ')} and ${items.length - LIST_LIMIT} more`;
}

function icmpText(state: NormalizedState): string {
  const t = state.icmpType;
  const c = state.icmpCode;
  const everyType = !t || (t.from === 0 && t.to === 255);
  const everyCode = !c || (c.from === 0 && c.to === 255);
  if (everyType) return `${state.protocolText} (every type)`;
  return everyCode ? `${state.protocolText} type ${formatRange(t)}` : `${state.protocolText} type ${formatRange(t)} code ${formatRange(c)}`;
}

/** "tcp 22", "tcp 0-65535 includes 22, 3389", "all traffic", "icmp type 8". */
export function trafficText(state: NormalizedState, match?: RuleMatch): string {
  switch (state.protocol) {
    case 'all':
      return 'all traffic (every protocol and port)';
    case 'unknown':
      return `protocol "${state.protocolText}"`;
    case 'icmp':
    case 'icmpv6':
      return icmpText(state);
    default: {
      const range = state.ports ?? EVERY_PORT;
      const base = `${state.protocolText} ${formatRange(range)}`;
      const hits = match ? matchedPorts(match, state) : [];
      // Say which listed ports a wider range includes: "tcp 0-65535 includes 22".
      const inner = hits.filter((h) => !(h.from <= range.from && range.to <= h.to));
      return inner.length > 0 ? `${base} includes ${listText(inner.map(formatRange))}` : base;
    }
  }
}

function familyCidrs(sources: SourceSet, family: 4 | 6): ParsedCidr[] {
  return sources.cidrs.filter((c) => c.family === family);
}

function worldText(sources: SourceSet, family: 4 | 6): string {
  const whole = family === 4 ? 'the whole IPv4 internet' : 'the whole IPv6 internet';
  const cidrs = familyCidrs(sources, family);
  const single = cidrs.find((c) => c.prefix === 0);
  if (single) return `${single.text}, ${whole}`;
  return `sources ${listText(cidrs.map((c) => c.text))} together cover ${whole}`;
}

function worldWords(sources: SourceSet, families: Array<4 | 6>): string {
  const parts = families.filter((f) => coversFamily(sources.addresses, f)).map((f) => worldText(sources, f));
  return parts.join(' and ');
}

function publicCidrs(sources: SourceSet): string[] {
  return sources.cidrs.filter((c) => hasAddressOutside(addressSetOf([c]), PRIVATE_SET)).map((c) => c.text);
}

function allSourcesText(sources: SourceSet): string {
  const items = [...sources.cidrs.map((c) => c.text), ...sources.aliases.map((a) => `alias ${a}`)];
  return items.length > 0 ? listText(items) : 'no valid source';
}

function conditionText(cond: SourceCondition, sources: SourceSet): string {
  if (cond.covers) {
    const fam: Array<4 | 6> = cond.covers === 'world-ipv4' ? [4] : cond.covers === 'world-ipv6' ? [6] : [4, 6];
    return worldWords(sources, fam);
  }
  if (cond.outside) {
    const out = sources.cidrs.filter((c) => hasAddressOutside(addressSetOf([c]), cond.outside!.set)).map((c) => c.text);
    return `${listText(out)} (outside ${cond.outside.names.join(', ')})`;
  }
  if (cond.overlaps) {
    const hit = sources.cidrs.filter((c) => setsIntersect(addressSetOf([c]), cond.overlaps!.set)).map((c) => c.text);
    return `${listText(hit)} (inside ${cond.overlaps.names.join(', ')})`;
  }
  if (cond.widerThan) {
    const w = cond.widerThan;
    const wide = sources.cidrs.filter((c) => {
      const limit = c.family === 4 ? w.ipv4 : w.ipv6;
      return limit !== undefined && c.prefix < limit;
    });
    const limits = [w.ipv4 !== undefined ? `/${w.ipv4} for IPv4` : '', w.ipv6 !== undefined ? `/${w.ipv6} for IPv6` : '']
      .filter(Boolean)
      .join(', ');
    return `${listText(wide.map((c) => c.text))} (wider than ${limits})`;
  }
  if (cond.alias !== undefined) return `alias ${cond.alias}`;
  return allSourcesText(sources);
}

/** To whom the state is open, in the terms of the rule's source condition. */
export function sourcesText(source: SourceKeyword | SourceCondition, sources: SourceSet): string {
  if (source === 'world' || (source === 'public' && isWorld(sources)) || (source === 'any' && isWorld(sources))) {
    return worldWords(sources, [4, 6]);
  }
  if (source === 'public' || (source === 'any' && isPublic(sources))) {
    const pub = publicCidrs(sources);
    return `public sources ${listText(pub)}`;
  }
  if (source === 'any') return allSourcesText(sources);
  return conditionText(source, sources);
}

function allowEntryText(e: AllowEntry): string {
  const proto = e.protocols ? e.protocols.join('/') : 'any protocol';
  if (e.ports) return `${proto} ${e.ports.map(formatRange).join(', ')}`;
  if (e.icmp) {
    const t = e.icmp.type === undefined || e.icmp.type === -1 ? 'any type' : `type ${e.icmp.type}`;
    const c = e.icmp.code === undefined || e.icmp.code === -1 ? '' : ` code ${e.icmp.code}`;
    return `${e.protocols ? proto : 'icmp/icmpv6'} ${t}${c}`;
  }
  return proto;
}

export function allowListText(entries: readonly AllowEntry[]): string {
  if (entries.length === 0) return 'nothing';
  // A long list says nothing a person can use in one line; the rule holds it.
  return entries.length > LIST_LIMIT ? `${entries.length} entries` : entries.map(allowEntryText).join('; ');
}
