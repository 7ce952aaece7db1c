// Pass one and two for a single policy file: structure (keys, types) and the
// meaning that one file can settle on its own (ranges, enums, CIDRs, protocol
// compatibility). What needs the merged policy (network names, rule ids across
// files) is left as references for resolve.ts. Pure: text in, draft out.

import { isMap, isScalar, type Node } from 'yaml';
import { parseCidr } from '../core/cidr.js';
import type { Problem } from '../core/errors.js';
import {
  SEVERITIES,
  type AllowEntry,
  type IcmpMatch,
  type IntRange,
  type ParsedCidr,
  type PolicyException,
  type Protocol,
  type Rule,
  type RuleMatch,
  type Scope,
  type Severity,
  type SourceCondition,
  type SourceKeyword,
  type SourcePosition,
} from '../core/types.js';
import {
  childPath,
  describe,
  NodeReader,
  readInt,
  readMap,
  readSeq,
  readString,
  readStringLike,
  scalarText,
  shownScalar,
  type MapEntry,
} from './yaml-nodes.js';
import { quote } from '../core/text.js';

// ---------------------------------------------------------------- drafts

/** A name or CIDR written in `outside`/`overlaps`; names are resolved over the merged policy. */
export interface AddressRef {
  text: string;
  /** Set for a CIDR literal; absent for a network name (or `private`). */
  cidr?: ParsedCidr;
  position: SourcePosition;
  path: string;
}

export interface DraftAddressList {
  names: string[];
  refs: AddressRef[];
}

export type DraftSourceCondition = Omit<SourceCondition, 'outside' | 'overlaps'> & {
  outside?: DraftAddressList;
  overlaps?: DraftAddressList;
};

export type DraftRule = Omit<Rule, 'match'> & {
  match: Omit<RuleMatch, 'source'> & { source: SourceKeyword | DraftSourceCondition };
};

export interface Located<T> {
  value: T;
  position: SourcePosition;
  path: string;
}

export interface DraftNetwork {
  name: string;
  /** The CIDRs as written. */
  texts: string[];
  cidrs: ParsedCidr[];
  position: SourcePosition;
  path: string;
  /** False when one of its CIDRs was bad: the name still resolves, to avoid follow-on errors. */
  valid: boolean;
}

/** An exception as validated, with where each rule id was written (resolved after the merge). */
export interface DraftException extends PolicyException {
  ruleRefs: Located<string>[];
}

export interface PolicyFileDraft {
  file: string;
  extends: Located<string>[];
  networks: DraftNetwork[];
  /** Rules that validated completely. */
  rules: DraftRule[];
  /** Every rule id that was well-formed, valid rule or not: so one bad rule does not also break exceptions naming it. */
  ruleIds: Located<string>[];
  /** Every network name used in outside/overlaps, valid rule or not: all unknown names are reported in one run. */
  networkRefs: AddressRef[];
  exceptions: DraftException[];
}

// ---------------------------------------------------------------- vocabulary

export const TOP_LEVEL_KEYS = ['version', 'extends', 'networks', 'rules', 'exceptions'] as const;
export const RULE_KEYS = ['id', 'title', 'severity', 'description', 'remediation', 'scope', 'match', 'allow'] as const;
export const MATCH_KEYS = ['protocol', 'ports', 'icmp', 'source'] as const;
export const ALLOW_KEYS = ['protocol', 'ports', 'icmp'] as const;
export const SCOPE_KEYS = ['regions', 'instances', 'tags'] as const;
export const SOURCE_KEYS = ['covers', 'outside', 'overlaps', 'widerThan', 'alias'] as const;
export const EXCEPTION_KEYS = ['rules', 'instances', 'regions', 'tags', 'ports', 'reason', 'expires'] as const;
export const PROTOCOLS: readonly Protocol[] = ['tcp', 'udp', 'icmp', 'icmpv6', 'all'];
const SOURCE_KEYWORDS: readonly SourceKeyword[] = ['world', 'public', 'any'];
const COVERS = ['world', 'world-ipv4', 'world-ipv6'] as const;
const ALIASES = ['lightsail-connect'] as const;

export const RULE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
export const RULE_ID_MAX = 64;
/** No dots, colons or slashes: a network name can never be mistaken for an address. */
export const NETWORK_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_-]*$/;
export const REASON_MIN = 10;

const PORT_RANGE_TEXT = '0-65535';
const ICMP_RANGE_TEXT = '-1..255';

// ---------------------------------------------------------------- entry point

export function parsePolicyFile(text: string, file: string): { draft: PolicyFileDraft; problems: Problem[] } {
  const r = new NodeReader(text, file);
  const draft: PolicyFileDraft = { file, extends: [], networks: [], rules: [], ruleIds: [], networkRefs: [], exceptions: [] };
  if (r.syntaxOk) readTopLevel(r, draft);
  return { draft, problems: r.problems };
}

function describeWithoutContent(node: Node | null): string {
  if (isScalar(node) && typeof node.value === 'string') return `a text of ${node.value.length} characters`;
  return describe(node);
}

function readTopLevel(r: NodeReader, draft: PolicyFileDraft): void {
  const root = r.deref(r.doc.contents);
  if (!isMap(root)) {
    // Not a policy at all (another kind of file, perhaps one with secrets): say what it is, never what it holds.
    r.error(root, `a policy must be a mapping starting with "version: 1", got ${describeWithoutContent(root)}`);
    return;
  }
  const top = readMap(r, root, '', TOP_LEVEL_KEYS);
  if (!top) return;

  const version = top.get('version');
  if (!version) r.error(root, 'missing required key "version" (must be 1)');
  else if (!(isScalar(version.value) && version.value.value === 1)) {
    const shown = isScalar(version.value) && version.value.value !== null ? shownScalar(version.value) : describe(version.value);
    r.error(version.value, `version: must be 1, got ${shown}`, version.pair);
  }

  const ext = top.get('extends');
  if (ext) {
    const items = readSeq(r, ext.value, 'extends', ext.pair);
    items?.forEach((item, i) => {
      const path = childPath('extends', i);
      const s = readString(r, item, path);
      if (s === undefined) return;
      if (s.trim() === '') r.error(item, `${path}: must not be empty`);
      else draft.extends.push({ value: s.trim(), position: r.position(item), path });
    });
  }

  const nets = top.get('networks');
  if (nets) readNetworks(r, nets, draft);

  const rules = top.get('rules');
  if (rules) {
    const items = readSeq(r, rules.value, 'rules', rules.pair);
    for (const [i, item] of (items ?? []).entries()) readRule(r, item, childPath('rules', i), draft);
  }

  const exceptions = top.get('exceptions');
  if (exceptions) {
    const items = readSeq(r, exceptions.value, 'exceptions', exceptions.pair);
    for (const [i, item] of (items ?? []).entries()) readException(r, item, childPath('exceptions', i), draft);
  }
}

// ---------------------------------------------------------------- networks

function readNetworks(r: NodeReader, entry: MapEntry, draft: PolicyFileDraft): void {
  const map = readMap(r, entry.value, 'networks', null, entry.pair);
  if (!map) return;
  for (const net of map.values()) {
    let nameOk = true;
    if (net.key === 'private') {
      r.error(net.pair, `${net.path}: the name "private" is reserved for the built-in private address set; choose another name`);
      nameOk = false;
    } else if (!NETWORK_NAME_PATTERN.test(net.key)) {
      r.error(net.pair, `${net.path}: network name ${quote(net.key)} must be a letter followed by letters, digits, "_" or "-"`);
      nameOk = false;
    }
    const items = readSeq(r, net.value, net.path, net.pair);
    const texts: string[] = [];
    const cidrs: ParsedCidr[] = [];
    let valid = items !== null;
    if (items && items.length === 0) {
      r.error(net.value, `${net.path}: must list at least one CIDR`, net.pair);
      valid = false;
    }
    items?.forEach((item, i) => {
      const path = childPath(net.path, i);
      const cidr = readCidr(r, item, path);
      if (cidr) {
        texts.push(cidr.input);
        cidrs.push(cidr);
      } else valid = false;
    });
    if (nameOk) draft.networks.push({ name: net.key, texts, cidrs, position: r.position(net.pair), path: net.path, valid });
  }
}

/** A CIDR or bare address in a policy. Host bits are an error here: the author can fix the file. */
function readCidr(r: NodeReader, node: Node | null, path: string): ParsedCidr | undefined {
  const text = readString(r, node, path);
  if (text === undefined) return undefined;
  const parsed = parseCidr(text);
  if (!parsed.ok) {
    r.error(node, `${path}: ${quote(text)} is not a valid CIDR: ${parsed.error}`);
    return undefined;
  }
  if (parsed.cidr.hostBitsCleared) {
    r.error(node, `${path}: ${quote(text)} has host bits set; did you mean ${parsed.cidr.text}?`);
    return undefined;
  }
  return parsed.cidr;
}

// ---------------------------------------------------------------- rules

function readRule(r: NodeReader, node: Node | null, path: string, draft: PolicyFileDraft): void {
  const map = readMap(r, node, path, RULE_KEYS);
  if (!map) return;
  const before = r.problems.length;

  let id: string | undefined;
  let idPosition: SourcePosition = r.position(node);
  const idEntry = map.get('id');
  if (!idEntry) r.error(node, `${path}: missing required key "id"`);
  else {
    const s = readStringLike(r, idEntry.value, idEntry.path, idEntry.pair);
    idPosition = r.position(idEntry.value ?? idEntry.pair);
    if (s !== undefined) {
      if (!RULE_ID_PATTERN.test(s)) {
        r.error(idEntry.value, `${idEntry.path}: ${quote(s)} must start with a letter or digit and contain only letters, digits, ".", "_" and "-"`);
      } else if (s.length > RULE_ID_MAX) {
        r.error(idEntry.value, `${idEntry.path}: ${quote(s, RULE_ID_MAX * 2)} is longer than ${RULE_ID_MAX} characters`);
      } else {
        id = s;
        draft.ruleIds.push({ value: s, position: idPosition, path: idEntry.path });
      }
    }
  }

  let title: string | undefined;
  const titleEntry = map.get('title');
  if (!titleEntry) r.error(node, `${path}: missing required key "title"`);
  else {
    const s = readString(r, titleEntry.value, titleEntry.path, titleEntry.pair);
    if (s !== undefined && s.trim() === '') r.error(titleEntry.value, `${titleEntry.path}: must not be empty`, titleEntry.pair);
    else if (s !== undefined) title = s.trim();
  }

  let severity: Severity = 'medium';
  const sevEntry = map.get('severity');
  if (sevEntry) {
    const s = readString(r, sevEntry.value, sevEntry.path, sevEntry.pair);
    if (s !== undefined) {
      if ((SEVERITIES as readonly string[]).includes(s)) severity = s as Severity;
      else r.error(sevEntry.value, `${sevEntry.path}: ${quote(s)} is not one of ${SEVERITIES.join(', ')}`);
    }
  }

  const description = optionalText(r, map.get('description'));
  const remediation = optionalText(r, map.get('remediation'));

  const scopeEntry = map.get('scope');
  const scope = scopeEntry ? readScope(r, scopeEntry) : undefined;

  const matchEntry = map.get('match');
  const match = matchEntry ? readMatch(r, matchEntry, draft) : { source: 'any' as const };

  const allowEntry = map.get('allow');
  let allow: AllowEntry[] | undefined;
  if (allowEntry) {
    const items = readSeq(r, allowEntry.value, allowEntry.path, allowEntry.pair);
    if (items && items.length === 0) {
      r.error(allowEntry.value, `${allowEntry.path}: must list at least one entry (an empty allow-list allows nothing; drop "allow" instead)`, allowEntry.pair);
    }
    allow = [];
    items?.forEach((item, i) => {
      const entry = readAllowEntry(r, item, childPath(allowEntry.path, i));
      if (entry) allow!.push(entry);
    });
  }

  if (r.problems.length !== before || id === undefined || title === undefined || match === undefined) return;
  const rule: DraftRule = { id, title, severity, match, position: idPosition };
  if (description !== undefined) rule.description = description;
  if (remediation !== undefined) rule.remediation = remediation;
  if (scope !== undefined) rule.scope = scope;
  if (allow !== undefined) rule.allow = allow;
  draft.rules.push(rule);
}

function optionalText(r: NodeReader, entry: MapEntry | undefined): string | undefined {
  if (!entry) return undefined;
  const s = readString(r, entry.value, entry.path, entry.pair);
  return s === undefined ? undefined : s.trim();
}

function readStringList(r: NodeReader, entry: MapEntry, what: string): string[] | undefined {
  const items = readSeq(r, entry.value, entry.path, entry.pair);
  if (!items) return undefined;
  if (items.length === 0) {
    r.error(entry.value, `${entry.path}: must list at least one ${what}`, entry.pair);
    return undefined;
  }
  const out: string[] = [];
  let ok = true;
  for (const [i, item] of items.entries()) {
    const path = childPath(entry.path, i);
    const s = readString(r, item, path);
    if (s === undefined) ok = false;
    else if (s === '') {
      r.error(item, `${path}: must not be empty`);
      ok = false;
    } else out.push(s);
  }
  return ok ? out : undefined;
}

function readTags(r: NodeReader, entry: MapEntry): Record<string, string> | undefined {
  const map = readMap(r, entry.value, entry.path, null, entry.pair);
  if (!map) return undefined;
  const tags: Record<string, string> = {};
  let ok = true;
  for (const tag of map.values()) {
    const v = readStringLike(r, tag.value, tag.path, tag.pair);
    if (v === undefined) ok = false;
    else tags[tag.key] = v;
  }
  return ok ? tags : undefined;
}

/** regions/instances/tags, shared by rule scopes and exceptions. */
function readSelectors(r: NodeReader, map: Map<string, MapEntry>): Scope {
  const scope: Scope = {};
  const regions = map.get('regions');
  if (regions) {
    const v = readStringList(r, regions, 'region');
    if (v) scope.regions = v;
  }
  const instances = map.get('instances');
  if (instances) {
    const v = readStringList(r, instances, 'instance name or glob');
    if (v) scope.instances = v;
  }
  const tags = map.get('tags');
  if (tags) {
    const v = readTags(r, tags);
    if (v) scope.tags = v;
  }
  return scope;
}

function readScope(r: NodeReader, entry: MapEntry): Scope | undefined {
  const map = readMap(r, entry.value, entry.path, SCOPE_KEYS, entry.pair);
  if (!map) return undefined;
  return readSelectors(r, map);
}

// ---------------------------------------------------------------- protocols, ports, icmp

function readProtocols(r: NodeReader, entry: MapEntry): Protocol[] | undefined {
  const node = entry.value;
  const listed: { node: Node | null; path: string }[] = [];
  if (isScalar(node) && typeof node.value === 'string') listed.push({ node, path: entry.path });
  else {
    const items = readSeq(r, node, entry.path, entry.pair);
    if (!items) {
      return undefined;
    }
    if (items.length === 0) {
      r.error(node, `${entry.path}: must list at least one protocol (${PROTOCOLS.join(', ')})`, entry.pair);
      return undefined;
    }
    items.forEach((item, i) => listed.push({ node: item, path: childPath(entry.path, i) }));
  }
  const out: Protocol[] = [];
  let ok = true;
  for (const { node: item, path } of listed) {
    const s = readString(r, item, path);
    if (s === undefined) {
      ok = false;
      continue;
    }
    // Read like a port state's protocol (spec 2): case-insensitive, icmp6 is icmpv6.
    let p = s.trim().toLowerCase();
    if (p === 'icmp6') p = 'icmpv6';
    if (!(PROTOCOLS as readonly string[]).includes(p)) {
      r.error(item, `${path}: ${quote(s)} is not one of ${PROTOCOLS.join(', ')}`);
      ok = false;
    } else if (!out.includes(p as Protocol)) out.push(p as Protocol);
  }
  return ok ? out : undefined;
}

const PORT_TEXT = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/;

function readPortItem(r: NodeReader, node: Node | null, path: string): IntRange | undefined {
  if (isScalar(node) && typeof node.value === 'string') {
    const m = PORT_TEXT.exec(node.value);
    if (!m) {
      r.error(node, `${path}: ${quote(node.value)} is not a port or a "from-to" range`);
      return undefined;
    }
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    for (const n of [from, to]) {
      if (n > 65535) {
        r.error(node, `${path}: ${quote(node.value)}: ${n} is outside ${PORT_RANGE_TEXT}`);
        return undefined;
      }
    }
    if (from > to) {
      r.error(node, `${path}: ${quote(node.value)}: the range starts after it ends`);
      return undefined;
    }
    return { from, to };
  }
  if (isScalar(node) && typeof node.value === 'number') {
    const n = readInt(r, node, path, 0, 65535, PORT_RANGE_TEXT);
    return n === undefined ? undefined : { from: n, to: n };
  }
  r.error(node, `${path}: must be a port number or a "from-to" range, got ${describe(node)}`);
  return undefined;
}

function readPorts(r: NodeReader, entry: MapEntry): IntRange[] | undefined {
  const items = readSeq(r, entry.value, entry.path, entry.pair);
  if (!items) return undefined;
  if (items.length === 0) {
    r.error(entry.value, `${entry.path}: must list at least one port or range`, entry.pair);
    return undefined;
  }
  const out: IntRange[] = [];
  let ok = true;
  for (const [i, item] of items.entries()) {
    const range = readPortItem(r, item, childPath(entry.path, i));
    if (range) out.push(range);
    else ok = false;
  }
  return ok ? out : undefined;
}

function readIcmp(r: NodeReader, entry: MapEntry): IcmpMatch | undefined {
  const map = readMap(r, entry.value, entry.path, ['type', 'code'], entry.pair);
  if (!map) return undefined;
  const icmp: IcmpMatch = {};
  let ok = true;
  for (const key of ['type', 'code'] as const) {
    const e = map.get(key);
    if (!e) continue;
    const n = readInt(r, e.value, e.path, -1, 255, ICMP_RANGE_TEXT, e.pair);
    if (n === undefined) ok = false;
    else icmp[key] = n;
  }
  return ok ? icmp : undefined;
}

interface ProtocolKeys {
  protocols?: Protocol[];
  ports?: IntRange[];
  icmp?: IcmpMatch;
  ok: boolean;
}

/**
 * protocol/ports/icmp with the compatibility rules of spec 6: `ports` with icmp
 * or icmpv6 listed, or `icmp` with tcp or udp listed, is an error (any listed
 * protocol that cannot carry the key makes the combination an error).
 */
function readProtocolKeys(r: NodeReader, map: Map<string, MapEntry>): ProtocolKeys {
  const out: ProtocolKeys = { ok: true };
  const before = r.problems.length;
  const protoEntry = map.get('protocol');
  const portsEntry = map.get('ports');
  const icmpEntry = map.get('icmp');
  if (protoEntry) {
    const v = readProtocols(r, protoEntry);
    if (v) out.protocols = v;
  }
  if (portsEntry) {
    const v = readPorts(r, portsEntry);
    if (v) out.ports = v;
  }
  if (icmpEntry) {
    const v = readIcmp(r, icmpEntry);
    if (v) out.icmp = v;
  }
  if (out.protocols) {
    const icmpLike = out.protocols.filter((p) => p === 'icmp' || p === 'icmpv6');
    const portLike = out.protocols.filter((p) => p === 'tcp' || p === 'udp');
    if (portsEntry && icmpLike.length > 0) {
      r.error(portsEntry.pair, `${portsEntry.path}: not allowed with protocol ${icmpLike.join(', ')} (ports apply to tcp, udp and all; use icmp: {type, code} for ICMP)`);
    }
    if (icmpEntry && portLike.length > 0) {
      r.error(icmpEntry.pair, `${icmpEntry.path}: not allowed with protocol ${portLike.join(', ')} (icmp applies to icmp, icmpv6 and all)`);
    }
  }
  out.ok = r.problems.length === before;
  return out;
}

// ---------------------------------------------------------------- match, source, allow

function readMatch(r: NodeReader, entry: MapEntry, draft: PolicyFileDraft): DraftRule['match'] | undefined {
  const map = readMap(r, entry.value, entry.path, MATCH_KEYS, entry.pair);
  if (!map) return undefined;
  const keys = readProtocolKeys(r, map);
  const sourceEntry = map.get('source');
  const source = sourceEntry ? readSource(r, sourceEntry, draft) : 'any';
  if (!keys.ok || source === undefined) return undefined;
  const match: DraftRule['match'] = { source };
  if (keys.protocols) match.protocols = keys.protocols;
  if (keys.ports) match.ports = keys.ports;
  if (keys.icmp) match.icmp = keys.icmp;
  return match;
}

function readSource(r: NodeReader, entry: MapEntry, draft: PolicyFileDraft): SourceKeyword | DraftSourceCondition | undefined {
  const node = entry.value;
  if (isScalar(node) && typeof node.value === 'string') {
    if ((SOURCE_KEYWORDS as readonly string[]).includes(node.value)) return node.value as SourceKeyword;
    r.error(node, `${entry.path}: ${quote(node.value)} is not one of ${SOURCE_KEYWORDS.join(', ')} (or a mapping with ${SOURCE_KEYS.join(', ')})`);
    return undefined;
  }
  if (!isMap(node)) {
    r.error(node, `${entry.path}: must be one of ${SOURCE_KEYWORDS.join(', ')} or a mapping, got ${describe(node)}`, entry.pair);
    return undefined;
  }
  const map = readMap(r, node, entry.path, SOURCE_KEYS, entry.pair);
  if (!map) return undefined;
  const before = r.problems.length;
  if (map.size === 0) {
    r.error(node, `${entry.path}: must give at least one of ${SOURCE_KEYS.join(', ')}`, entry.pair);
  }
  const cond: DraftSourceCondition = {};
  const covers = map.get('covers');
  if (covers) {
    const s = readString(r, covers.value, covers.path, covers.pair);
    if (s !== undefined) {
      if ((COVERS as readonly string[]).includes(s)) cond.covers = s as (typeof COVERS)[number];
      else r.error(covers.value, `${covers.path}: ${quote(s)} is not one of ${COVERS.join(', ')}`);
    }
  }
  for (const key of ['outside', 'overlaps'] as const) {
    const e = map.get(key);
    if (!e) continue;
    const list = readAddressList(r, e, draft);
    if (list) cond[key] = list;
  }
  const wider = map.get('widerThan');
  if (wider) {
    const w = readMap(r, wider.value, wider.path, ['ipv4', 'ipv6'], wider.pair);
    if (w) {
      if (w.size === 0) r.error(wider.value, `${wider.path}: must give ipv4, ipv6 or both`, wider.pair);
      const v: { ipv4?: number; ipv6?: number } = {};
      const v4 = w.get('ipv4');
      if (v4) {
        const n = readInt(r, v4.value, v4.path, 0, 32, '0-32', v4.pair);
        if (n !== undefined) v.ipv4 = n;
      }
      const v6 = w.get('ipv6');
      if (v6) {
        const n = readInt(r, v6.value, v6.path, 0, 128, '0-128', v6.pair);
        if (n !== undefined) v.ipv6 = n;
      }
      cond.widerThan = v;
    }
  }
  const alias = map.get('alias');
  if (alias) {
    const s = readString(r, alias.value, alias.path, alias.pair);
    if (s !== undefined) {
      if ((ALIASES as readonly string[]).includes(s)) cond.alias = s;
      else r.error(alias.value, `${alias.path}: ${quote(s)} is not a Lightsail alias; the only one is ${ALIASES.join(', ')}`);
    }
  }
  return r.problems.length === before ? cond : undefined;
}

/** Something that reads as an address (has a dot, colon or slash) is parsed; anything else is a network name. */
function looksLikeAddress(text: string): boolean {
  return /[.:/]/.test(text);
}

function readAddressList(r: NodeReader, entry: MapEntry, draft: PolicyFileDraft): DraftAddressList | undefined {
  const items = readSeq(r, entry.value, entry.path, entry.pair);
  if (!items) return undefined;
  if (items.length === 0) {
    r.error(entry.value, `${entry.path}: must list at least one CIDR, network name or "private"`, entry.pair);
    return undefined;
  }
  const list: DraftAddressList = { names: [], refs: [] };
  let ok = true;
  for (const [i, item] of items.entries()) {
    const path = childPath(entry.path, i);
    const s = readString(r, item, path);
    if (s === undefined) {
      ok = false;
      continue;
    }
    const text = s.trim();
    const ref: AddressRef = { text, position: r.position(item), path };
    if (looksLikeAddress(text)) {
      const cidr = readCidr(r, item, path);
      if (!cidr) {
        ok = false;
        continue;
      }
      ref.cidr = cidr;
    } else draft.networkRefs.push(ref);
    list.names.push(text);
    list.refs.push(ref);
  }
  return ok ? list : undefined;
}

function readAllowEntry(r: NodeReader, node: Node | null, path: string): AllowEntry | undefined {
  const map = readMap(r, node, path, ALLOW_KEYS);
  if (!map) return undefined;
  const before = r.problems.length;
  const keys = readProtocolKeys(r, map);
  if (map.has('ports') && map.has('icmp')) {
    r.error(node, `${path}: give ports or icmp, not both (ports cover tcp/udp states, icmp covers icmp/icmpv6 states); split it into two entries`);
  } else if (keys.protocols?.includes('all') && (map.has('ports') || map.has('icmp'))) {
    // Spec 6: an `all` entry covers an all state only when it narrows nothing.
    r.error(node, `${path}: protocol all with ${map.has('ports') ? 'ports' : 'icmp'} never covers anything (an all state is covered only by an entry that narrows neither ports nor icmp)`);
  }
  if (r.problems.length !== before) return undefined;
  const entry: AllowEntry = {};
  if (keys.protocols) entry.protocols = keys.protocols;
  if (keys.ports) entry.ports = keys.ports;
  if (keys.icmp) entry.icmp = keys.icmp;
  return entry;
}

// ---------------------------------------------------------------- exceptions

const DATE_TEXT = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isCalendarDate(text: string): boolean {
  const m = DATE_TEXT.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

function readExpires(r: NodeReader, entry: MapEntry): string | undefined {
  const node = entry.value;
  let text: string | undefined;
  if (isScalar(node)) {
    // yaml 2.x core schema keeps an unquoted 2027-01-31 as a string; a custom
    // schema with timestamps would give a Date: take what was written.
    if (typeof node.value === 'string') text = node.value.trim();
    else if (node.value instanceof Date) text = scalarText(node);
  }
  if (text === undefined) {
    r.error(node, `${entry.path}: must be a YYYY-MM-DD date, got ${describe(node)}`, entry.pair);
    return undefined;
  }
  if (!isCalendarDate(text)) {
    r.error(node, `${entry.path}: ${quote(text)} is not a valid YYYY-MM-DD date`);
    return undefined;
  }
  return text;
}

function readException(r: NodeReader, node: Node | null, path: string, draft: PolicyFileDraft): void {
  const map = readMap(r, node, path, EXCEPTION_KEYS);
  if (!map) return;

  const ruleRefs: Located<string>[] = [];
  const rulesEntry = map.get('rules');
  if (!rulesEntry) r.error(node, `${path}: missing required key "rules" (rule ids, or ["*"] for every rule)`);
  else {
    const items = readSeq(r, rulesEntry.value, rulesEntry.path, rulesEntry.pair);
    if (items && items.length === 0) {
      r.error(rulesEntry.value, `${rulesEntry.path}: must list at least one rule id, or "*"`, rulesEntry.pair);
    }
    items?.forEach((item, i) => {
      const p = childPath(rulesEntry.path, i);
      const s = readStringLike(r, item, p);
      if (s !== undefined) ruleRefs.push({ value: s, position: r.position(item), path: p });
    });
    if (ruleRefs.length > 1 && ruleRefs.some((ref) => ref.value === '*')) {
      r.error(rulesEntry.value, `${rulesEntry.path}: "*" already means every rule; list it alone`, rulesEntry.pair);
    }
  }

  const selectors = readSelectors(r, map);

  const portsEntry = map.get('ports');
  const ports = portsEntry ? readPorts(r, portsEntry) : undefined;

  let reason: string | undefined;
  const reasonEntry = map.get('reason');
  if (!reasonEntry) r.error(node, `${path}: missing required key "reason" (at least ${REASON_MIN} characters saying why this is accepted)`);
  else {
    const s = readString(r, reasonEntry.value, reasonEntry.path, reasonEntry.pair);
    if (s !== undefined) {
      if (s.trim().length < REASON_MIN) {
        r.error(reasonEntry.value, `${reasonEntry.path}: must be at least ${REASON_MIN} characters after trimming`, reasonEntry.pair);
      } else reason = s.trim();
    }
  }

  const expiresEntry = map.get('expires');
  const expires = expiresEntry ? readExpires(r, expiresEntry) : undefined;

  // Exception rule ids are checked against the merged policy even when the
  // exception has other problems, so every unknown id is reported in one run.
  const exception: DraftException = {
    rules: ruleRefs.map((ref) => ref.value),
    ruleRefs,
    reason: reason ?? '',
    position: r.position(node),
    ...selectors,
  };
  if (ports) exception.ports = ports;
  if (expires !== undefined) exception.expires = expires;
  // An exception with problems is kept too: its rule ids still get checked,
  // and the problems already prevent a policy from being returned.
  draft.exceptions.push(exception);
}
