// One order for findings, shared by the engine and every report: most severe
// first, then rule, account, region, instance, protocol, ports, fingerprint. Plain
// code-unit comparison, so the output is the same on every machine.

import { SEVERITIES, type Finding, type Severity } from './types.js';

/** 0 = most severe. */
export function severityRank(severity: Severity): number {
  const rank = SEVERITIES.indexOf(severity);
  return rank < 0 ? SEVERITIES.length : rank;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareNullableNumber(a: number | null, b: number | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a - b;
}

/** Arrays known to be in compareFindings order (the engine's result): reports need not check them again. */
const sortedArrays = new WeakSet<readonly Finding[]>();

/** Sorts `findings` in place and remembers that it is sorted. */
export function sortFindings(findings: Finding[]): Finding[] {
  findings.sort(compareFindings);
  sortedArrays.add(findings);
  return findings;
}

/** Whether the array was sorted by sortFindings (and not changed since, which callers promise by not mutating results). */
export function knownSorted(findings: readonly Finding[]): boolean {
  return sortedArrays.has(findings);
}

/** Marks an array made in the order of a sorted one (a map or filter of it). */
export function markSorted<T extends readonly Finding[]>(findings: T): T {
  sortedArrays.add(findings);
  return findings;
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    severityRank(a.severity) - severityRank(b.severity) ||
    compareText(a.ruleId, b.ruleId) ||
    compareText(a.instance.accountId ?? '', b.instance.accountId ?? '') ||
    compareText(a.instance.region, b.instance.region) ||
    compareText(a.instance.name, b.instance.name) ||
    compareText(a.portState.protocol, b.portState.protocol) ||
    compareNullableNumber(a.portState.fromPort, b.portState.fromPort) ||
    compareNullableNumber(a.portState.toPort, b.portState.toPort) ||
    compareText(a.fingerprint, b.fingerprint)
  );
}
