// Helpers shared by the formatters: one ordering of findings and one way of
// naming a port range, so every report lists and words things alike.

import { compareFindings, knownSorted } from '../core/order.js';
import type { Finding, FindingPortState, Severity } from '../core/types.js';

export { compareFindings, severityRank } from '../core/order.js';

/** Unsuppressed before suppressed, then compareFindings: what to keep first when a report must be cut. */
export function compareForKeeping(a: Finding, b: Finding): number {
  return Number(a.suppressed) - Number(b.suppressed) || compareFindings(a, b);
}

/** The findings in compareFindings order: as given when they already are (the engine sorts them), else a sorted copy. */
export function inReportOrder(findings: readonly Finding[]): readonly Finding[] {
  if (knownSorted(findings)) return findings;
  for (let i = 1; i < findings.length; i++) {
    if (compareFindings(findings[i - 1] as Finding, findings[i] as Finding) > 0) return [...findings].sort(compareFindings);
  }
  return findings;
}

/**
 * The findings in compareForKeeping order. The engine hands them over sorted
 * by compareFindings, so a partition is enough (no sort of 350k findings);
 * anything else is sorted.
 */
export function keepingOrder(findings: readonly Finding[]): Finding[] {
  const sorted = inReportOrder(findings);
  const kept: Finding[] = sorted.filter((f) => !f.suppressed);
  for (const f of sorted) if (f.suppressed) kept.push(f);
  return kept;
}

function icmpPart(label: string, value: number | null): string | null {
  if (value === null || value === -1) return null;
  return `${label} ${value}`;
}

/**
 * Human wording of a finding's protocol and range: "tcp 22", "udp 8000-8999",
 * "icmp type 8 code 0", "icmpv6 any type", "all traffic". ICMP states carry the
 * type in fromPort and the code in toPort (-1 = every value).
 */
export function describePortState(ps: FindingPortState): string {
  const protocol = ps.protocol;
  if (protocol === 'all') return 'all traffic';
  if (protocol === 'icmp' || protocol === 'icmpv6') {
    const type = icmpPart('type', ps.fromPort);
    const code = icmpPart('code', ps.toPort);
    if (type === null && code === null) return `${protocol} any type`;
    if (type === null) return `${protocol} any type, ${code}`;
    if (code === null) return `${protocol} ${type}, any code`;
    return `${protocol} ${type} ${code}`;
  }
  if (ps.fromPort === null || ps.toPort === null) return `${protocol} (ports missing)`;
  if (ps.fromPort === ps.toPort) return `${protocol} ${ps.fromPort}`;
  return `${protocol} ${ps.fromPort}-${ps.toPort}`;
}

/** Every source of a port state, in one list: IPv4, IPv6, then aliases. */
export function sourcesOf(ps: FindingPortState): string[] {
  return [...ps.cidrs, ...ps.ipv6Cidrs, ...ps.cidrListAliases];
}

/** Unsuppressed and suppressed counts per severity, from the findings themselves. */
export function countFindings(findings: readonly Finding[]): {
  open: Record<Severity, number>;
  suppressed: Record<Severity, number>;
} {
  const open = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  const suppressed = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  for (const f of findings) (f.suppressed ? suppressed : open)[f.severity] += 1;
  return { open, suppressed };
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The message without a leading "<name> (<region>): " when the line already names the instance. */
export function messageWithoutInstancePrefix(f: Finding): string {
  const prefix = `${f.instance.name} (${f.instance.region}): `;
  return f.message.startsWith(prefix) ? f.message.slice(prefix.length) : f.message;
}
