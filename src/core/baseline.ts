// Baseline diff: compare this audit with a previous Portolan JSON report by
// finding fingerprint, so a pipeline can fail only on what is new
// (`--baseline previous.json --fail-on-new`). Pure: the CLI reads the file.

import { UserInputError } from './errors.js';
import { knownSorted, markSorted, severityRank } from './order.js';
import { showValue } from './text.js';
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
  const facts = {
    ruleId: ruleId as string,
    severity: severity as Severity,
    instance: { name: inst['name'] as string, region: inst['region'] as string } as Finding['instance'],
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
  if (typeof inst['arn'] === 'string') facts.instance.arn = inst['arn'];
  if (typeof inst['accountId'] === 'string') facts.instance.accountId = inst['accountId'];
  // A previous report's own baselineState says nothing about this comparison: dropped.
  if (suppressed !== true) return { ...facts, suppressed: false };
  // A suppressed finding of an older report without its suppression still counted as suppressed then.
  const s = isRecord(suppression) ? suppression : {};
  const reason = typeof s['reason'] === 'string' ? s['reason'] : 'suppressed by an exception';
  return { ...facts, suppressed: true, suppression: typeof s['expires'] === 'string' ? { reason, expires: s['expires'] } : { reason } };
}

/**
 * Reads a previous report piece by piece (the CLI streams large files):
 * `version` and each element of `findings`, then `finish()`. Throws
 * UserInputError with `baseline: ...` lines when it is not a report.
 */
export class BaselineReader {
  private versionSeen: unknown = undefined;
  private sawFindings = false;
  private readonly problems: string[] = [];
  private readonly fingerprints = new Map<string, Finding>();

  version(value: unknown): void {
    this.versionSeen = value;
  }

  /** `findings` was not an array: the file is not a report. */
  findingsNotAList(): never {
    throw new UserInputError('baseline: not a Portolan JSON report ("findings" must be an array)');
  }

  finding(raw: unknown, index: number): void {
    this.sawFindings = true;
    const finding = readFinding(raw, `findings[${index}]`, this.problems);
    if (!finding) return;
    const earlier = this.fingerprints.get(finding.fingerprint);
    // A fingerprint twice: keep what accepted the least, so the gate stays strict.
    if (!earlier || (finding.suppressed && !earlier.suppressed) || severityRank(finding.severity) > severityRank(earlier.severity)) {
      this.fingerprints.set(finding.fingerprint, finding);
    }
  }

  /** `findings` key seen (possibly empty). */
  findingsList(): void {
    this.sawFindings = true;
  }

  finish(): Baseline {
    if (this.versionSeen !== 1) {
      throw new UserInputError(`baseline: not a Portolan JSON report of version 1 (found version ${this.versionSeen === undefined ? 'none' : showValue(this.versionSeen)})`);
    }
    if (!this.sawFindings) throw new UserInputError('baseline: not a Portolan JSON report ("findings" must be an array)');
    if (this.problems.length > 0) {
      const shown = this.problems.slice(0, MAX_PROBLEMS);
      if (this.problems.length > MAX_PROBLEMS) shown.push(`baseline: ... and ${this.problems.length - MAX_PROBLEMS} more problems`);
      throw new UserInputError(shown);
    }
    return { fingerprints: this.fingerprints };
  }
}

/**
 * Read a parsed Portolan JSON report (format version 1) as a baseline.
 * Throws UserInputError with `baseline: ...` lines when it is not one.
 */
export function readBaselineReport(json: unknown): Baseline {
  if (!isRecord(json)) {
    throw new UserInputError('baseline: not a Portolan JSON report (expected a JSON object)');
  }
  const reader = new BaselineReader();
  reader.version(json['version']);
  if (json['version'] !== 1) reader.finish();
  const findings = json['findings'];
  if (!Array.isArray(findings)) return reader.findingsNotAList();
  reader.findingsList();
  findings.forEach((raw, i) => {
    reader.finding(raw, i);
  });
  return reader.finish();
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
 * Whether the gate has seen this finding before: `unchanged` only when the
 * baseline held the same fingerprint in a state that asked no more of the
 * gate than now. A finding that was suppressed then (its exception expired
 * or was deleted) or was less severe then (the rule got stricter) is `new`
 * for `--fail-on-new`: it never failed a run before.
 */
function baselineStateOf(f: Finding, previous: Finding | undefined): 'new' | 'unchanged' {
  if (!previous) return 'new';
  if (f.suppressed) return 'unchanged';
  if (previous.suppressed) return 'new';
  return severityRank(previous.severity) <= severityRank(f.severity) ? 'unchanged' : 'new';
}

/**
 * Mark every finding (suppressed ones too) `new` or `unchanged` and list as
 * `fixed` the baseline findings whose fingerprint is gone. Returns a new
 * result; the input is not modified.
 */
export function applyBaseline(result: AuditResult, baseline: Baseline): AuditResult {
  const present = new Set<string>();
  const findings = result.findings.map((f): Finding => {
    present.add(f.fingerprint);
    return { ...f, baselineState: baselineStateOf(f, baseline.fingerprints.get(f.fingerprint)) };
  });
  if (knownSorted(result.findings)) markSorted(findings); // the same order
  const fixed = [...baseline.fingerprints.values()].filter((f) => !present.has(f.fingerprint)).sort(compareFixed);
  return { ...result, findings, fixed };
}
