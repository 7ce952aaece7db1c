// Baseline diff: compare this audit with a previous Portolan JSON report by
// finding fingerprint, so a pipeline can fail only on what is new
// (`--baseline previous.json --fail-on-new`). Pure: the CLI reads the file.

import { UserInputError } from './errors.js';
import { SEVERITIES } from './types.js';
import type { AuditResult, Finding, Severity } from './types.js';

export interface Baseline {
  /** Findings of the previous report by fingerprint (first one wins if a fingerprint repeats). */
  fingerprints: Map<string, Finding>;
}

/** Stop listing shape problems after this many: one broken file should not flood the terminal. */
const MAX_PROBLEMS = 20;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

function isPortValue(v: unknown): v is number | null {
  return v === null || (typeof v === 'number' && Number.isFinite(v));
}

/** Read one finding of a previous report, or say (in `problems`) why it is not one. */
function readFinding(raw: unknown, where: string, problems: string[]): Finding | null {
  const before = problems.length;
  const problem = (msg: string): void => {
    problems.push(`baseline: ${where}: ${msg}`);
  };
  if (!isRecord(raw)) {
    problem('is not an object');
    return null;
  }
  const { ruleId, severity, suppressed, suppression, instance, portState, message, fingerprint } = raw;
  if (typeof fingerprint !== 'string' || fingerprint === '') problem('"fingerprint" must be a non-empty string');
  if (typeof ruleId !== 'string' || ruleId === '') problem('"ruleId" must be a non-empty string');
  if (typeof severity !== 'string' || !(SEVERITIES as readonly string[]).includes(severity)) {
    problem(`"severity" must be one of ${SEVERITIES.join(', ')}`);
  }
  if (typeof suppressed !== 'boolean') problem('"suppressed" must be true or false');
  if (typeof message !== 'string') problem('"message" must be a string');
  if (!isRecord(instance) || typeof instance['name'] !== 'string' || typeof instance['region'] !== 'string') {
    problem('"instance" must have string "name" and "region"');
  }
  if (
    !isRecord(portState) ||
    typeof portState['protocol'] !== 'string' ||
    !isPortValue(portState['fromPort']) ||
    !isPortValue(portState['toPort'])
  ) {
    problem('"portState" must have a string "protocol" and numeric (or null) "fromPort"/"toPort"');
  }
  if (suppression !== undefined && (!isRecord(suppression) || typeof suppression['reason'] !== 'string')) {
    problem('"suppression" must have a string "reason"');
  }
  if (problems.length > before) return null;

  // Past this point every field was checked above; the casts only restate it.
  const inst = instance as Record<string, unknown>;
  const ps = portState as Record<string, unknown>;
  const finding: Finding = {
    ruleId: ruleId as string,
    severity: severity as Severity,
    suppressed: suppressed as boolean,
    instance: { name: inst['name'] as string, region: inst['region'] as string },
    portState: {
      protocol: ps['protocol'] as string,
      fromPort: ps['fromPort'] as number | null,
      toPort: ps['toPort'] as number | null,
      cidrs: isStringArray(ps['cidrs']) ? [...ps['cidrs']] : [],
      ipv6Cidrs: isStringArray(ps['ipv6Cidrs']) ? [...ps['ipv6Cidrs']] : [],
      cidrListAliases: isStringArray(ps['cidrListAliases']) ? [...ps['cidrListAliases']] : [],
    },
    message: message as string,
    fingerprint: fingerprint as string,
  };
  if (typeof inst['arn'] === 'string') finding.instance.arn = inst['arn'];
  if (isRecord(suppression)) {
    finding.suppression = { reason: suppression['reason'] as string };
    if (typeof suppression['expires'] === 'string') finding.suppression.expires = suppression['expires'];
  }
  // A previous report's own baselineState says nothing about this comparison: dropped.
  return finding;
}

/**
 * Read a parsed Portolan JSON report (format version 1) as a baseline.
 * Throws UserInputError with `baseline: ...` lines when it is not one.
 */
export function readBaselineReport(json: unknown): Baseline {
  if (!isRecord(json)) {
    throw new UserInputError('baseline: not a Portolan JSON report (expected a JSON object)');
  }
  if (json['version'] !== 1) {
    throw new UserInputError(
      `baseline: not a Portolan JSON report of version 1 (found version ${JSON.stringify(json['version']) ?? 'none'})`,
    );
  }
  const findings = json['findings'];
  if (!Array.isArray(findings)) {
    throw new UserInputError('baseline: not a Portolan JSON report ("findings" must be an array)');
  }
  const problems: string[] = [];
  const fingerprints = new Map<string, Finding>();
  findings.forEach((raw, i) => {
    const finding = readFinding(raw, `findings[${i}]`, problems);
    if (finding && !fingerprints.has(finding.fingerprint)) fingerprints.set(finding.fingerprint, finding);
  });
  if (problems.length > 0) {
    const shown = problems.slice(0, MAX_PROBLEMS);
    if (problems.length > MAX_PROBLEMS) shown.push(`baseline: ... and ${problems.length - MAX_PROBLEMS} more problems`);
    throw new UserInputError(shown);
  }
  return { fingerprints };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Most severe first, then rule, region, instance, protocol, ports, fingerprint. */
function compareFixed(a: Finding, b: Finding): number {
  return (
    SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) ||
    compareText(a.ruleId, b.ruleId) ||
    compareText(a.instance.region, b.instance.region) ||
    compareText(a.instance.name, b.instance.name) ||
    compareText(a.portState.protocol, b.portState.protocol) ||
    (a.portState.fromPort ?? -2) - (b.portState.fromPort ?? -2) ||
    (a.portState.toPort ?? -2) - (b.portState.toPort ?? -2) ||
    compareText(a.fingerprint, b.fingerprint)
  );
}

/**
 * Mark every finding (suppressed ones too) `new` or `unchanged` by fingerprint
 * and list as `fixed` the baseline findings whose fingerprint is gone.
 * Returns a new result; the input is not modified.
 */
export function applyBaseline(result: AuditResult, baseline: Baseline): AuditResult {
  const present = new Set<string>();
  const findings = result.findings.map((f): Finding => {
    present.add(f.fingerprint);
    return { ...f, baselineState: baseline.fingerprints.has(f.fingerprint) ? 'unchanged' : 'new' };
  });
  const fixed = [...baseline.fingerprints.values()].filter((f) => !present.has(f.fingerprint)).sort(compareFixed);
  return { ...result, findings, fixed };
}
