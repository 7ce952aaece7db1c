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
import type { InstanceRef, IntRange, NormalizedState, RawPortState, Rule, Tag } from './types.js';

export function fingerprintOf(ruleId: string, instance: InstanceRef, protocol: string, from: number | null, to: number | null): string {
  const who = instance.arn ?? `${instance.region}/${instance.name}`;
  return hash('sha256', `portolan/v1\0${ruleId}\0${who}\0${protocol}\0${from ?? ''}\0${to ?? ''}`).slice(0, 32);
}

/** What exceptions and reports need of an instance; shared by all its findings (not the whole raw instance). */
export interface InstanceFacts {
  ref: InstanceRef;
  tags: readonly Tag[] | undefined;
}

/** A finding before exceptions are applied. */
export interface PendingFinding {
  rule: Rule;
  instance: InstanceFacts;
  protocol: string;
  fromPort: number | null;
  toPort: number | null;
  cidrs: string[];
  ipv6Cidrs: string[];
  cidrListAliases: string[];
  message: string;
  /** The range an exception's `ports` compares (section 6); null for ICMP and unknown protocols. */
  portRange: IntRange | null;
}

/** Per distinct normalized state: each rule's verdict (0 unknown, 1 violates, 2 does not) and wording. */
export interface StateMemo {
  verdicts: Int8Array;
  words: Array<string | undefined>;
}

function evaluatedPortRange(state: NormalizedState): IntRange | null {
  if (state.protocol === 'all') return EVERY_PORT;
  if (state.protocol === 'tcp' || state.protocol === 'udp') return state.ports ?? EVERY_PORT;
  return null;
}

/** The string entries of a raw source field, as reports show them (a lone string is its one entry). */
function rawStrings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function mergeInto(into: string[], more: string[]): void {
  for (const x of more) if (!into.includes(x)) into.push(x);
}

export class FindingCollector {
  /** Worded once per rule: allow-lists can be long, findings many. */
  private readonly allowNotes: string[];
  /** Findings of one instance by identity, for merging duplicates; keyed by instance identity. */
  private readonly byInstance = new Map<string, Map<string, PendingFinding>>();
  readonly pending: PendingFinding[] = [];

  constructor(private readonly rules: readonly Rule[]) {
    this.allowNotes = rules.map((r) => (r.allow ? ` Not in the allow-list of ${r.id} (${allowListText(r.allow)}).` : ''));
  }

  newMemo(): StateMemo {
    return { verdicts: new Int8Array(this.rules.length), words: [] };
  }

  /** Adds the findings of one open state of one instance for the rules in `applicable`. */
  addState(instance: InstanceFacts, instanceKey: string, raw: RawPortState, state: NormalizedState, memo: StateMemo, applicable: readonly number[]): void {
    for (const ri of applicable) {
      if (!this.violates(ri, state, memo)) continue;
      const rule = this.rules[ri] as Rule;
      const cidrs = rawStrings(raw.cidrs);
      const ipv6Cidrs = rawStrings(raw.ipv6Cidrs);
      const aliases = rawStrings(raw.cidrListAliases);
      let findings = this.byInstance.get(instanceKey);
      if (!findings) {
        findings = new Map();
        this.byInstance.set(instanceKey, findings);
      }
      const key = `${ri}\0${state.protocolText}\0${state.rawFromPort}\0${state.rawToPort}`;
      const existing = findings.get(key);
      if (existing) {
        // Duplicates merge (3.2): one finding, every source that made it.
        mergeInto(existing.cidrs, cidrs);
        mergeInto(existing.ipv6Cidrs, ipv6Cidrs);
        mergeInto(existing.cidrListAliases, aliases);
        continue;
      }
      const p: PendingFinding = {
        rule,
        instance,
        protocol: state.protocolText,
        fromPort: state.rawFromPort,
        toPort: state.rawToPort,
        cidrs,
        ipv6Cidrs,
        cidrListAliases: aliases,
        message: `${instance.ref.name} (${instance.ref.region}): ${this.wording(ri, state, memo)}`,
        portRange: evaluatedPortRange(state),
      };
      findings.set(key, p);
      this.pending.push(p);
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
