// Normalization of one raw port state (spec sections 2 and 6). Nothing in a
// raw state is trusted: every oddity is read the way that exposes the most
// (fail closed) and reported as a diagnostic naming the offending value.

import { addressSetOf, EMPTY_SET, parseCidr } from './cidr.js';
import { showValue } from './text.js';
import type { Diagnostic, DiagnosticCode, IntRange, NormalizedProtocol, NormalizedState, ParsedCidr, RawPortState, SourceSet } from './types.js';

export type NormalizeDiagnostic = Omit<Diagnostic, 'instance'>;

export interface NormalizeResult {
  state: NormalizedState;
  diagnostics: Array<Omit<Diagnostic, 'instance'>>;
  /** Why part of the state could not be read (a source field of the wrong type): the instance then counts as not read. */
  unreadable?: string;
}

export const EVERY_PORT: IntRange = Object.freeze({ from: 0, to: 65535 });
export const EVERY_ICMP_VALUE: IntRange = Object.freeze({ from: 0, to: 255 });

function diag(level: Diagnostic['level'], code: DiagnosticCode, message: string): NormalizeDiagnostic {
  return { level, code, message };
}

// ---------------------------------------------------------------- protocol

/** The protocol as text; undefined when it is neither a string nor a number (missing, or of the wrong type). */
function protocolTextOf(raw: unknown): string | undefined {
  if (typeof raw === 'string') return raw.trim().toLowerCase();
  if (typeof raw === 'number' && Number.isFinite(raw)) return String(raw);
  return undefined;
}

/** Why a protocol that has no text cannot be read. */
function protocolProblem(raw: unknown): string {
  return raw === undefined ? 'protocol is missing' : `protocol is ${kindOf(raw)}, not a string`;
}

function protocolOf(text: string): NormalizedProtocol {
  switch (text) {
    case 'tcp':
    case 'udp':
    case 'icmp':
    case 'icmpv6':
    case 'all':
      return text;
    default:
      return 'unknown';
  }
}

// ---------------------------------------------------------------- ports

function isPort(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 65535;
}

/** tcp/udp range, or EVERY_PORT with a diagnostic when malformed. */
function portRangeOf(protocol: string, from: unknown, to: unknown, out: NormalizeDiagnostic[]): IntRange {
  let problem: string;
  if (from === undefined || from === null || to === undefined || to === null) {
    const missing = [from === undefined || from === null ? 'fromPort' : '', to === undefined || to === null ? 'toPort' : '']
      .filter((s) => s !== '')
      .join(' and ');
    problem = `${protocol} port range has no ${missing}`;
  } else if (typeof from !== 'number' || !Number.isInteger(from)) {
    problem = `fromPort ${showValue(from)} is not an integer`;
  } else if (typeof to !== 'number' || !Number.isInteger(to)) {
    problem = `toPort ${showValue(to)} is not an integer`;
  } else if (!isPort(from) || !isPort(to)) {
    problem = `port range ${from}-${to} is outside 0-65535`;
  } else if (from > to) {
    problem = `port range ${from}-${to} has fromPort greater than toPort`;
  } else {
    return { from, to };
  }
  out.push(diag('warning', 'malformed-port-range', `${problem}; evaluated as 0-65535`));
  return EVERY_PORT;
}

/** ICMP type or code: -1 is every value; anything malformed is every value with a diagnostic. */
function icmpRangeOf(protocol: string, what: 'type' | 'code', raw: unknown, out: NormalizeDiagnostic[]): IntRange {
  if (typeof raw === 'number' && Number.isInteger(raw) && raw >= -1 && raw <= 255) {
    return raw === -1 ? EVERY_ICMP_VALUE : { from: raw, to: raw };
  }
  const field = what === 'type' ? 'fromPort' : 'toPort';
  let problem: string;
  if (raw === undefined || raw === null) problem = `${protocol} ${what} (${field}) is missing`;
  else if (typeof raw !== 'number' || !Number.isInteger(raw)) problem = `${protocol} ${what} ${showValue(raw)} (${field}) is not an integer`;
  else problem = `${protocol} ${what} ${raw} (${field}) is outside -1..255`;
  out.push(diag('warning', 'malformed-icmp', `${problem}; evaluated as every ${what}`));
  return EVERY_ICMP_VALUE;
}

// ---------------------------------------------------------------- sources

interface SourceResult {
  sources: SourceSet;
  diagnostics: readonly NormalizeDiagnostic[];
  /** Why a source field could not be read (a wrong type), or undefined. */
  unreadable: string | undefined;
}

type SourceField = 'cidrs' | 'ipv6Cidrs' | 'cidrListAliases';

interface SourceList {
  entries: readonly string[];
  /** Set when the field or an entry has a type no source can be read from. */
  unreadable?: string;
}

/**
 * The string entries of one source field. Absent (or null) lists are empty:
 * saved inventories and tools omit empty lists. A lone string is read as a
 * one-entry list. Anything else of the wrong type cannot be read, and is
 * never taken to admit nothing: the state is unreadable (fail closed).
 */
function listOf(field: SourceField, raw: unknown, out: NormalizeDiagnostic[]): SourceList {
  if (raw === undefined || raw === null) return { entries: [] };
  if (typeof raw === 'string') {
    out.push(diag('warning', 'source-not-a-list', `${field} is a string, not a list; read as the one entry ${showValue(raw)}`));
    return { entries: [raw] };
  }
  if (!Array.isArray(raw)) return { entries: [], unreadable: `${field} is ${kindOf(raw)}, not a list of strings` };
  const entries: string[] = [];
  let unreadable: string | undefined;
  for (let i = 0; i < raw.length; i++) {
    const entry: unknown = raw[i];
    if (typeof entry === 'string') entries.push(entry);
    else unreadable ??= `${field}[${i}] is ${kindOf(entry)}, not a string`;
  }
  return unreadable === undefined ? { entries } : { entries, unreadable };
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return 'a string';
  return `the ${typeof value} ${showValue(value)}`;
}

function readCidrs(field: 'cidrs' | 'ipv6Cidrs', entries: readonly string[], seen: Set<string>, cidrs: ParsedCidr[], out: NormalizeDiagnostic[]): void {
  for (const entry of entries) {
    const parsed = parseCidr(entry);
    if (!parsed.ok) {
      out.push(diag('warning', 'invalid-cidr', `invalid CIDR ${showValue(entry)} in ${field}: ${parsed.error}; it admits nothing`));
      continue;
    }
    const c = parsed.cidr;
    const text = entry.trim(); // it parsed as an address: only address characters
    if (c.mappedFromIpv6) {
      out.push(diag('info', 'ipv4-mapped-cidr', `${text} in ${field} is an IPv4-mapped IPv6 range; read as ${c.text}`));
    } else if ((field === 'cidrs') !== (c.family === 4)) {
      out.push(diag('info', 'cidr-in-other-field', `${text} in ${field} is an IPv${c.family} range; read as IPv${c.family}`));
    }
    if (c.hostBitsCleared) out.push(diag('info', 'host-bits-set', `${text} in ${field} has host bits set; read as ${c.text}`));
    if (seen.has(c.text)) continue;
    seen.add(c.text);
    cidrs.push(c);
  }
}

function readAliases(entries: readonly string[], out: NormalizeDiagnostic[]): string[] {
  const aliases: string[] = [];
  const seen = new Set<string>();
  for (const entry of entries) {
    const alias = entry.trim();
    if (alias === '') {
      out.push(diag('warning', 'invalid-alias', `cidrListAliases entry ${showValue(entry)} is empty; ignored`));
      continue;
    }
    if (seen.has(alias)) continue;
    seen.add(alias);
    aliases.push(alias);
  }
  return aliases;
}

function buildSources(rawCidrs: unknown, rawIpv6Cidrs: unknown, rawAliases: unknown): SourceResult {
  const diagnostics: NormalizeDiagnostic[] = [];
  const v4 = listOf('cidrs', rawCidrs, diagnostics);
  const v6 = listOf('ipv6Cidrs', rawIpv6Cidrs, diagnostics);
  const aliasList = listOf('cidrListAliases', rawAliases, diagnostics);
  const cidrs: ParsedCidr[] = [];
  const seen = new Set<string>();
  readCidrs('cidrs', v4.entries, seen, cidrs, diagnostics);
  readCidrs('ipv6Cidrs', v6.entries, seen, cidrs, diagnostics);
  const aliases = readAliases(aliasList.entries, diagnostics);
  const unreadable = v4.unreadable ?? v6.unreadable ?? aliasList.unreadable;
  if (unreadable !== undefined) {
    diagnostics.push(diag('error', 'unreadable-port-state', `${unreadable}: the sources of this port state cannot be read; the instance counts as not read`));
  }

  for (const d of diagnostics) Object.freeze(d);
  return Object.freeze({
    sources: Object.freeze({
      cidrs: Object.freeze(cidrs),
      addresses: cidrs.length === 0 ? EMPTY_SET : addressSetOf(cidrs),
      aliases: Object.freeze(aliases),
    }),
    diagnostics: Object.freeze(diagnostics),
    unreadable,
  });
}

// ---------------------------------------------------------------- the state

/**
 * Normalizes one raw port state. The returned `state.sources` (and the
 * diagnostics about sources) may be shared with other states of the same
 * sources: they are frozen and must be treated as read-only.
 */
export function normalizePortState(raw: RawPortState): NormalizeResult {
  const diagnostics: NormalizeDiagnostic[] = [];

  const readText = protocolTextOf(raw.protocol);
  let protocolText = readText ?? '';
  if (protocolText === 'icmp6') protocolText = 'icmpv6';
  else if (protocolText === '-1') protocolText = 'all';
  const protocol = protocolOf(protocolText);
  // Unknown protocol text is the spec's unknown protocol; no protocol at all is an open state that cannot be
  // read (fail closed). A closed state exposes nothing whatever its protocol (spec 2).
  const protocolUnreadable = raw.state === 'closed' || readText !== undefined ? undefined : protocolProblem(raw.protocol);
  if (protocolUnreadable !== undefined) {
    diagnostics.push(
      diag('error', 'unreadable-port-state', `${protocolUnreadable}: this port state cannot be read; the instance counts as not read, and the state is judged as an unknown protocol`),
    );
  } else if (protocol === 'unknown') {
    const message =
      protocolText === ''
        ? `port state has no usable protocol (got ${showValue(raw.protocol)}); it matches only rules that name no protocol, ports or icmp`
        : `unknown protocol ${showValue(protocolText)}; it matches only rules that name no protocol, ports or icmp`;
    diagnostics.push(diag('warning', 'unknown-protocol', message));
  }

  // Only exactly "closed" is closed (spec 6). A value that is neither "open"
  // nor "closed" is read as open and noted; a missing state is open silently.
  const open = raw.state !== 'closed';
  if (raw.state !== undefined && raw.state !== 'open' && raw.state !== 'closed') {
    diagnostics.push(diag('warning', 'unknown-state', `state ${showValue(raw.state)} is not "open" or "closed"; evaluated as open`));
  }

  let ports: IntRange | null = null;
  let icmpType: IntRange | null = null;
  let icmpCode: IntRange | null = null;
  switch (protocol) {
    case 'tcp':
    case 'udp':
      ports = portRangeOf(protocol, raw.fromPort, raw.toPort, diagnostics);
      break;
    case 'icmp':
    case 'icmpv6':
      icmpType = icmpRangeOf(protocol, 'type', raw.fromPort, diagnostics);
      icmpCode = icmpRangeOf(protocol, 'code', raw.toPort, diagnostics);
      break;
    case 'all':
      ports = EVERY_PORT;
      icmpType = EVERY_ICMP_VALUE;
      icmpCode = EVERY_ICMP_VALUE;
      break;
    case 'unknown':
      break;
  }

  const sources = buildSources(raw.cidrs, raw.ipv6Cidrs, raw.cidrListAliases);
  for (const d of sources.diagnostics) diagnostics.push(d);

  const unreadable = protocolUnreadable ?? sources.unreadable;
  return {
    ...(unreadable !== undefined ? { unreadable } : {}),
    state: {
      protocolText,
      protocol,
      open,
      rawFromPort: typeof raw.fromPort === 'number' && Number.isFinite(raw.fromPort) ? raw.fromPort : null,
      rawToPort: typeof raw.toPort === 'number' && Number.isFinite(raw.toPort) ? raw.toPort : null,
      ports,
      icmpType,
      icmpCode,
      sources: sources.sources,
    },
    diagnostics,
  };
}

// ---------------------------------------------------------------- shared results

/** A normalized state shared by every alike raw state, with the caller's memo for it. */
export interface SharedState<M> {
  result: NormalizeResult;
  memo: M;
}

type ShapeMap = Map<unknown, unknown>;

/** Distinct states kept at most: enough for every common shape, a bound on the one-off ones. */
export const SHARED_STATE_LIMIT = 20_000;

/** The key under which a trie node keeps its shared state: no raw value is this symbol. */
const LEAF = Symbol('leaf');

function shapeStep(node: ShapeMap, key: unknown): ShapeMap {
  let child = node.get(key) as ShapeMap | undefined;
  if (child === undefined) {
    child = new Map();
    node.set(key, child);
  }
  return child;
}

function isPrimitive(v: unknown): boolean {
  return v === null || (typeof v !== 'object' && typeof v !== 'function');
}

const PORT_VALUES = 65537; // -1..65535

/**
 * Protocol, ports and state packed into one number when they take their usual
 * values (a known lowercase protocol, integer ports in -1..65535, state open,
 * closed or absent): one Map lookup instead of four. -1 when they do not.
 */
function packedShape(protocol: unknown, fromPort: unknown, toPort: unknown, state: unknown): number {
  let p: number;
  switch (protocol) {
    case 'tcp': p = 1; break;
    case 'udp': p = 2; break;
    case 'icmp': p = 3; break;
    case 'icmpv6': p = 4; break;
    case 'all': p = 5; break;
    default: return -1;
  }
  const s = state === 'open' ? 1 : state === 'closed' ? 2 : state === undefined ? 3 : 0;
  if (s === 0) return -1;
  if (typeof fromPort !== 'number' || !Number.isInteger(fromPort) || fromPort < -1 || fromPort > 65535) return -1;
  if (typeof toPort !== 'number' || !Number.isInteger(toPort) || toPort < -1 || toPort > 65535) return -1;
  return ((p * 4 + s) * PORT_VALUES + fromPort + 1) * PORT_VALUES + toPort + 1;
}

/**
 * Steps through one source list without building a key string: a one-entry
 * list steps by its string, any other list by its length (a number, which no
 * string key equals) and then entry by entry. Null when an entry cannot be a
 * Map key faithfully (an object): the state is then normalized uncached.
 */
function shapeList(node: ShapeMap, raw: unknown): ShapeMap | null {
  if (raw === undefined || raw === null) return shapeStep(node, 0); // absent reads like empty
  if (!Array.isArray(raw)) return null;
  if (raw.length === 1 && typeof raw[0] === 'string') return shapeStep(node, raw[0]);
  let current = shapeStep(node, raw.length);
  for (let i = 0; i < raw.length; i++) {
    const entry: unknown = raw[i];
    if (!isPrimitive(entry)) return null;
    current = shapeStep(current, entry);
  }
  return current;
}

/**
 * A normalizer for one evaluation. Raw states alike in protocol, ports, state
 * and source lists give the same frozen NormalizeResult and the same memo
 * (made by `makeMemo` on first sight), so a caller can keep per-state work
 * (rule verdicts, wording) there: a fleet of 100k instances has only a few
 * thousand distinct states. The path through a trie of Maps keyed by the raw
 * values themselves (Map keys keep 22 and "22" apart) allocates nothing in the
 * common case.
 */
export function createStateNormalizer<M>(makeMemo: () => M, limit = SHARED_STATE_LIMIT): (raw: RawPortState) => SharedState<M> {
  let packedRoot: ShapeMap = new Map();
  let otherRoot: ShapeMap = new Map();
  let shared = 0;
  const fresh = (raw: RawPortState): SharedState<M> => {
    const result = normalizePortState(raw);
    // Shared by every alike state: nothing in it may change afterwards.
    const { state } = result;
    for (const range of [state.ports, state.icmpType, state.icmpCode]) if (range) Object.freeze(range);
    for (const d of result.diagnostics) Object.freeze(d);
    Object.freeze(state);
    Object.freeze(result.diagnostics);
    return { result: Object.freeze(result), memo: makeMemo() };
  };
  return (raw) => {
    if (shared >= limit) {
      // A fleet where most sources are addresses of their own: start afresh rather than keep
      // every one-off state; the common ones are back in the cache at their next sight.
      packedRoot = new Map();
      otherRoot = new Map();
      shared = 0;
    }
    const { protocol, fromPort, toPort, state } = raw;
    const packed = packedShape(protocol, fromPort, toPort, state);
    let node: ShapeMap | null;
    if (packed >= 0) node = shapeStep(packedRoot, packed);
    else if (isPrimitive(protocol) && isPrimitive(fromPort) && isPrimitive(toPort) && isPrimitive(state)) {
      node = shapeStep(shapeStep(shapeStep(shapeStep(otherRoot, protocol), fromPort), toPort), state);
    } else return fresh(raw);
    node = shapeList(node, raw.cidrs);
    if (node !== null) node = shapeList(node, raw.ipv6Cidrs);
    if (node === null) return fresh(raw);
    // The shared state hangs under LEAF; most states have no aliases, so an
    // empty alias list ends the path where the IPv6 list ended.
    const aliases: unknown = raw.cidrListAliases;
    const noAliases = aliases === undefined || aliases === null || (Array.isArray(aliases) && aliases.length === 0);
    const leaves = noAliases ? node : shapeList(node, aliases);
    if (leaves === null) return fresh(raw);
    let found = leaves.get(LEAF) as SharedState<M> | undefined;
    if (found === undefined) {
      found = fresh(raw);
      leaves.set(LEAF, found);
      shared++;
    }
    return found;
  };
}
