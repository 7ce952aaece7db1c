// From normalized port states to findings: each rule's verdict on a state,
// the words for it, and one finding per (rule, account, region, instance,
// protocol, raw port range), duplicates merged (spec 3.2).
//
// Hot path: 100k instances x ~8 states x every rule. Alike raw states share
// one normalized state and one memo (createStateNormalizer), so each rule's
// verdict and wording are computed once per distinct state, not per instance.

import { hash } from 'node:crypto';
import { allowListText, sourcesText, trafficText } from './describe.js';
import { allowCovers, EVERY_PORT, matchesSource, matchesTraffic } from './match.js';
import type { Finding, FindingPortState, InstanceRef, IntRange, NormalizedState, RawPortState, Rule, Tag } from './types.js';

export function fingerprintOf(ruleId: string, instance: InstanceRef, protocol: string, from: number | null, to: number | null): string {
  const who = instance.arn ?? `${instance.region}/${instance.name}`;
  // The first 16 bytes in hex: one flat string, not a slice that keeps the whole digest alive.
  return hash('sha256', `portolan/v1\0${ruleId}\0${who}\0${protocol}\0${from ?? ''}\0${to ?? ''}`, 'buffer').toString('hex', 0, 16);
}

/** What exceptions and reports need of an instance; shared by all its findings (not the whole raw instance). */
export interface InstanceFacts {
  ref: InstanceRef;
  tags: readonly Tag[] | undefined;
  /** "<name> (<region>): ", the start of every message of this instance: built once, shared by its findings. */
  prefix: string;
}

/** Per distinct normalized state: each rule's verdict (0 unknown, 1 violates, 2 does not) and wording. */
export interface StateMemo {
  verdicts: Int8Array;
  words: Array<string | undefined>;
  /** The state as findings show it, made once and shared by its findings (frozen: a merge replaces it). */
  portState?: Readonly<FindingPortState>;
}

/** The range an exception's `ports` compares (section 6); null for ICMP and unknown protocols. */
export function evaluatedPortRange(ps: { protocol: string; fromPort: number | null; toPort: number | null }): IntRange | null {
  if (ps.protocol === 'all') return EVERY_PORT;
  if (ps.protocol !== 'tcp' && ps.protocol !== 'udp') return null;
  const { fromPort: from, toPort: to } = ps;
  const valid = from !== null && to !== null && Number.isInteger(from) && Number.isInteger(to) && from >= 0 && to <= 65535 && from <= to;
  return valid ? { from, to } : EVERY_PORT; // a malformed range was judged as every port
}

const NO_STRINGS: readonly string[] = Object.freeze([]);

/** The string entries of a raw source field, as reports show them (a lone string is its one entry). */
function rawStrings(v: unknown): readonly string[] {
  if (typeof v === 'string') return Object.freeze([v]);
  if (!Array.isArray(v) || v.length === 0) return NO_STRINGS;
  return Object.freeze((v as unknown[]).filter((x): x is string => typeof x === 'string'));
}

/**
 * Alike raw states share one memo (createStateNormalizer), so what their
 * findings show of them is equal: 300k findings of world-open SSH hold one
 * port state object and one pair of lists, not 300k copies of them and of the
 * parsed lists, which the garbage collector would carry along.
 */
function sharedPortState(raw: RawPortState, state: NormalizedState, memo: StateMemo): Readonly<FindingPortState> {
  return (memo.portState ??= Object.freeze({
    protocol: state.protocolText,
    fromPort: state.rawFromPort,
    toPort: state.rawToPort,
    cidrs: rawStrings(raw.cidrs),
    ipv6Cidrs: rawStrings(raw.ipv6Cidrs),
    cidrListAliases: rawStrings(raw.cidrListAliases),
  }));
}

function mergeInto(into: readonly string[], more: readonly string[]): readonly string[] {
  const missing = more.filter((x) => !into.includes(x));
  return missing.length === 0 ? into : [...into, ...missing];
}

/**
 * Collects findings as final Finding objects (open; exceptions suppress them
 * in place later), one per identity, with nothing per finding beyond what the
 * reports show: a fleet of 100k instances can have 350k findings.
 */
export class FindingCollector {
  /** Worded once per rule: allow-lists can be long, findings many. */
  private readonly allowNotes: string[];
  readonly findings: Finding[] = [];
  /** Per finding, the instance facts exceptions look at; kept only when the policy has exceptions. */
  readonly facts: InstanceFacts[] | undefined;
  /** Instances seen (account, then region, then names), to merge the findings of an instance listed twice. */
  private readonly seenInstances = new Map<string, Map<string, Set<string>>>();
  /** Where the current instance's findings begin in `findings`. */
  private instanceStart = 0;
  private repeated = false;

  constructor(
    private readonly rules: readonly Rule[],
    keepFacts: boolean,
  ) {
    this.allowNotes = rules.map((r) => (r.allow ? ` Not in the allow-list of ${r.id} (${allowListText(r.allow)}).` : ''));
    this.facts = keepFacts ? [] : undefined;
  }

  newMemo(): StateMemo {
    return { verdicts: new Int8Array(this.rules.length), words: [] };
  }

  /** Starts an instance: its findings merge with each other (and with an earlier entry of the same instance). */
  beginInstance(ref: InstanceRef): void {
    this.instanceStart = this.findings.length;
    let regions = this.seenInstances.get(ref.accountId ?? '');
    if (!regions) this.seenInstances.set(ref.accountId ?? '', (regions = new Map<string, Set<string>>()));
    let names = regions.get(ref.region);
    if (!names) regions.set(ref.region, (names = new Set<string>()));
    this.repeated = names.has(ref.name);
    names.add(ref.name);
  }

  private same(f: Finding, ruleId: string, state: NormalizedState, ref: InstanceRef): boolean {
    return (
      f.ruleId === ruleId &&
      f.portState.protocol === state.protocolText &&
      f.portState.fromPort === state.rawFromPort &&
      f.portState.toPort === state.rawToPort &&
      (!this.repeated || (f.instance.name === ref.name && f.instance.region === ref.region && f.instance.accountId === ref.accountId))
    );
  }

  /** An earlier finding of this instance with the same identity (3.2), if any. */
  private existing(ruleId: string, state: NormalizedState, ref: InstanceRef): Finding | undefined {
    const from = this.repeated ? 0 : this.instanceStart;
    for (let i = from; i < this.findings.length; i++) {
      const f = this.findings[i] as Finding;
      if (this.same(f, ruleId, state, ref)) return f;
    }
    return undefined;
  }

  /** Adds the findings of one open state of the current instance for the rules in `applicable`. */
  addState(instance: InstanceFacts, raw: RawPortState, state: NormalizedState, memo: StateMemo, applicable: readonly number[]): void {
    for (const ri of applicable) {
      if (!this.violates(ri, state, memo)) continue;
      const rule = this.rules[ri] as Rule;
      const portState = sharedPortState(raw, state, memo);
      const ref = instance.ref;
      const earlier = this.existing(rule.id, state, ref);
      if (earlier) {
        // Duplicates merge (3.2): one finding, every source that made it; the shared state is replaced, never changed.
        const ps = earlier.portState;
        const cidrs = mergeInto(ps.cidrs, portState.cidrs);
        const ipv6Cidrs = mergeInto(ps.ipv6Cidrs, portState.ipv6Cidrs);
        const cidrListAliases = mergeInto(ps.cidrListAliases, portState.cidrListAliases);
        if (cidrs !== ps.cidrs || ipv6Cidrs !== ps.ipv6Cidrs || cidrListAliases !== ps.cidrListAliases) {
          earlier.portState = Object.freeze({ ...ps, cidrs: Object.freeze(cidrs), ipv6Cidrs: Object.freeze(ipv6Cidrs), cidrListAliases: Object.freeze(cidrListAliases) });
        }
        continue;
      }
      this.findings.push({
        ruleId: rule.id,
        severity: rule.severity,
        suppressed: false,
        instance: ref,
        portState,
        message: instance.prefix + this.wording(ri, state, memo),
        fingerprint: fingerprintOf(rule.id, ref, state.protocolText, state.rawFromPort, state.rawToPort),
      });
      this.facts?.push(instance);
    }
  }

  private violates(ri: number, state: NormalizedState, memo: StateMemo): boolean {
    let v = memo.verdicts[ri];
    if (v === 0) {
      const rule = this.rules[ri] as Rule;
      const yes = matchesTraffic(rule.match, state) && matchesSource(rule.match.source, state.sources) && !(rule.allow && allowCovers(rule.allow, state));
      v = memo.verdicts[ri] = yes ? 1 : 2;
    }
    return v === 1;
  }

  private wording(ri: number, state: NormalizedState, memo: StateMemo): string {
    let w = memo.words[ri];
    if (w === undefined) {
      const rule = this.rules[ri] as Rule;
      w = memo.words[ri] = `${trafficText(state, rule.match)} open to ${sourcesText(rule.match.source, state.sources)}.${this.allowNotes[ri] ?? ''}`;
    }
    return w;
  }
}
