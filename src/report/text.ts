// Plain text, two ways. The summary printed after an audit is short whatever
// the fleet: counts, one line per rule (how many findings on how many
// instances), the first findings, and what could not be read. The text report
// (`--format text`, portolan.txt) is the whole record: every finding, every
// unread entry, every diagnostic, written line by line. The CLI decides
// colour (TTY, NO_COLOR); every untrusted value is escaped here, so only
// our own colour codes reach a terminal.

import { remediationCommand } from '../core/remediation.js';
import { escapeUnsafe } from '../core/text.js';
import type { AuditResult, Finding, ReportMeta, Severity } from '../core/types.js';
import { SEVERITIES } from '../core/types.js';
import { inReportOrder, plural } from './common.js';

export interface TextOptions {
  color: boolean;
  /** Summary only: how many unsuppressed findings to list one per line (default 20). */
  maxFindings?: number;
}

const DEFAULT_MAX_FINDINGS = 20;
/** Summary only: unread regions and instances named before a count stands for the rest. */
const MAX_COVERAGE_LINES = 20;

const SEVERITY_COLOR: Record<Severity, string> = {
  critical: '\u001b[1;31m', // bold red
  high: '\u001b[31m', // red
  medium: '\u001b[33m', // yellow
  low: '\u001b[36m', // cyan
  info: '\u001b[2m', // dim
};
const RESET = '\u001b[0m';
const BOLD = '\u001b[1m';
const YELLOW = '\u001b[33m';
const RED = '\u001b[1;31m';
const GREEN = '\u001b[32m';

/** Untrusted text for a line: escape sequences, newlines and bidi controls shown as escapes, not obeyed. */
const clean = escapeUnsafe;

type Paint = (code: string, text: string) => string;

function painter(color: boolean): Paint {
  return (code, text) => (color ? `${code}${text}${RESET}` : text);
}

function headerLines(result: AuditResult, meta: ReportMeta, paint: Paint): string[] {
  const c = result.coverage;
  const accounts = c.accounts ? `${plural(c.accounts.length, 'account')}, ` : '';
  const lines = [
    `Portolan ${clean(meta.toolVersion)}: policy ${clean(result.policy.path)}, source ${clean(meta.source)}, ` +
      `${accounts}${plural(c.instances, 'instance')} in ${plural(c.regions.length, 'region')}`,
  ];
  if (meta.portSource === 'listing') lines.push('Port source: the GetInstances listing (--port-source listing), not GetInstancePortStates');
  const counts = SEVERITIES.map((s) => {
    const n = result.summary.bySeverity[s];
    const part = `${n} ${s}`;
    return n > 0 ? paint(SEVERITY_COLOR[s], part) : part;
  });
  lines.push(`Findings: ${counts.join(', ')} (${result.summary.suppressed} suppressed)`);
  if (result.fixed !== undefined) {
    const open = result.findings.filter((f) => !f.suppressed);
    const isNew = open.filter((f) => f.baselineState === 'new').length;
    const unchanged = open.filter((f) => f.baselineState === 'unchanged').length;
    lines.push(`Baseline: ${isNew} new, ${unchanged} unchanged, ${result.fixed.length} fixed`);
  }
  return lines;
}

function findingLine(f: Finding, paint: Paint): string {
  const label = paint(SEVERITY_COLOR[f.severity], f.severity.toUpperCase());
  const mark = f.baselineState === 'new' ? `${paint(BOLD, '[new]')} ` : '';
  const account = f.instance.accountId !== undefined ? `[${clean(f.instance.accountId)}] ` : '';
  // The message already names instance, region, protocol and range ("web-1 (us-east-1): tcp 22 open to ...").
  return `${label} ${mark}${account}${clean(`${f.ruleId} ${f.message}`)}`;
}

/** Per rule with open findings: how many, on how many instances; most severe rule first. */
function ruleRollup(open: readonly Finding[], paint: Paint): string[] {
  const byRule = new Map<string, { severity: Severity; findings: number; instances: Set<string> }>();
  // An instance's findings share one ref: its key is built once per instance, not once per finding.
  const keys = new Map<object, string>();
  const keyOf = (f: Finding): string => {
    let key = keys.get(f.instance);
    if (key === undefined) keys.set(f.instance, (key = `${f.instance.accountId ?? ''}\0${f.instance.region}\0${f.instance.name}`));
    return key;
  };
  for (const f of open) {
    let r = byRule.get(f.ruleId);
    if (!r) {
      r = { severity: f.severity, findings: 0, instances: new Set() };
      byRule.set(f.ruleId, r);
    }
    r.findings++;
    r.instances.add(keyOf(f));
  }
  return [...byRule.entries()]
    .sort(([a, x], [b, y]) => SEVERITIES.indexOf(x.severity) - SEVERITIES.indexOf(y.severity) || (a < b ? -1 : a > b ? 1 : 0))
    .map(([id, r]) => `  ${paint(SEVERITY_COLOR[r.severity], r.severity.padEnd(8))} ${clean(id)}: ${plural(r.findings, 'finding')} on ${plural(r.instances.size, 'instance')}`);
}

/** Organization audits: one line per account (instances, open findings by severity, coverage). */
function accountLines(result: AuditResult, limit: number): string[] {
  const accounts = result.coverage.accounts;
  if (!accounts) return [];
  const open = new Map<string, number[]>();
  for (const f of result.findings) {
    if (f.suppressed || f.instance.accountId === undefined) continue;
    let counts = open.get(f.instance.accountId);
    if (!counts) open.set(f.instance.accountId, (counts = SEVERITIES.map(() => 0)));
    counts[SEVERITIES.indexOf(f.severity)] = (counts[SEVERITIES.indexOf(f.severity)] ?? 0) + 1;
  }
  const lines = ['Accounts (open findings: critical/high/medium/low/info):'];
  for (const a of accounts.slice(0, limit)) {
    const name = `${a.name ?? ''}${a.ouPath !== undefined ? ` ${a.ouPath}` : ''}`.trim();
    const state = a.status === 'error' ? `NOT READ (${a.error.code})` : a.status === 'skipped' ? 'skipped' : a.failed > 0 ? `${a.failed} of ${a.instances} instances NOT READ` : 'complete';
    const counts = (open.get(a.id) ?? SEVERITIES.map(() => 0)).join('/');
    lines.push(clean(`  ${a.id}  ${name === '' ? '-' : name}: ${plural(a.instances, 'instance')}, ${counts}, ${state}`));
  }
  if (accounts.length > limit) lines.push(`  ... and ${accounts.length - limit} more accounts (every one is in the reports)`);
  return lines;
}

function* coverageLines(result: AuditResult, paint: Paint, limit: number): Generator<string> {
  const c = result.coverage;
  if (!c.complete) {
    yield paint(RED, `Coverage INCOMPLETE: ${c.scanned} of ${c.instances} instances scanned; the audit is not a clean bill of health.`);
  }
  let shown = 0;
  let left = 0;
  const emit = function* (line: string): Generator<string> {
    if (shown < limit) {
      shown++;
      yield line;
    } else left++;
  };
  for (const a of c.accounts ?? []) {
    if (a.status === 'error') yield* emit(clean(`Account ${a.id}${a.name !== undefined ? ` (${a.name})` : ''} not read (${a.error.code}: ${a.error.message})`));
    else if (a.status === 'skipped') yield* emit(clean(`Account ${a.id}${a.name !== undefined ? ` (${a.name})` : ''} skipped: ${a.reason ?? 'not active'}`));
  }
  for (const r of c.regions) {
    if (r.status !== 'error') continue;
    const account = r.accountId !== undefined ? ` in account ${r.accountId}` : '';
    yield* emit(clean(`Region ${r.name}${account} not read (${r.error.code}: ${r.error.message})`));
  }
  for (const u of c.unread) {
    const account = u.accountId !== undefined ? `, account ${u.accountId}` : '';
    yield* emit(
      clean(
        u.status === 'gone'
          ? `Instance ${u.name} (${u.region}${account}) was deleted during the scan`
          : `Instance ${u.name} (${u.region}${account}) not read (${u.error.code}: ${u.error.message})`,
      ),
    );
  }
  if (left > 0) yield `... and ${left} more not read or deleted (every one is in the reports)`;
}

function exceptionLines(result: AuditResult, paint: Paint): string[] {
  const lines: string[] = [];
  for (const e of result.exceptions) {
    const where = clean(`${e.position.file}:${e.position.line}`);
    const rules = clean(e.rules.join(', '));
    if (e.status === 'expired') {
      lines.push(paint(YELLOW, `Expired exception ${where} (${rules}) expired ${clean(e.expires ?? '?')}: ${plural(e.matchedAfterExpiry, 'finding')} counted again`));
    } else if (e.status === 'unused') {
      lines.push(`Unused exception ${where} (${rules}): suppressed nothing`);
    }
  }
  return lines;
}

function diagnosticsCountLine(result: AuditResult): string {
  const byLevel = { error: 0, warning: 0, info: 0 };
  for (const d of result.diagnostics) byLevel[d.level] += 1;
  return `Diagnostics: ${plural(byLevel.error, 'error')}, ${plural(byLevel.warning, 'warning')}, ${byLevel.info} info`;
}

/** The short summary printed after an audit (stdout). */
export function formatSummary(result: AuditResult, meta: ReportMeta, options: TextOptions): string {
  const paint = painter(options.color);
  const maxFindings = Math.max(0, options.maxFindings ?? DEFAULT_MAX_FINDINGS);
  const lines = headerLines(result, meta, paint);
  const accounts = accountLines(result, MAX_COVERAGE_LINES);
  if (accounts.length > 0) lines.push('', ...accounts);
  const open = inReportOrder(result.findings).filter((f) => !f.suppressed);
  if (open.length > 0) {
    lines.push('', 'By rule:');
    for (const line of ruleRollup(open, paint)) lines.push(line);
    lines.push('');
    for (const f of open.slice(0, maxFindings)) lines.push(findingLine(f, paint));
    if (open.length > maxFindings) lines.push(`... and ${open.length - maxFindings} more (every finding is in the reports)`);
  }
  const coverage = [...coverageLines(result, paint, MAX_COVERAGE_LINES)];
  if (coverage.length > 0) {
    lines.push('');
    for (const line of coverage) lines.push(line);
  } else if (open.length === 0) {
    lines.push(paint(GREEN, `Coverage complete: ${result.coverage.scanned} of ${result.coverage.instances} instances scanned.`));
  }
  const exceptions = exceptionLines(result, paint);
  if (exceptions.length > 0) lines.push('', ...exceptions);
  if (result.diagnostics.length > 0) lines.push('', `${diagnosticsCountLine(result)} (details in the JSON report)`);
  return `${lines.join('\n')}\n`;
}

/** The text report (portolan.txt): every finding, unread entry and diagnostic, line by line. */
export function* textReport(result: AuditResult, meta: ReportMeta): Generator<string> {
  const paint = painter(false);
  for (const line of headerLines(result, meta, paint)) yield `${line}\n`;
  const accounts = accountLines(result, Infinity);
  if (accounts.length > 0) yield `\n${accounts.join('\n')}\n`;
  const open = result.findings.filter((f) => !f.suppressed);
  if (open.length > 0) {
    yield '\nBy rule:\n';
    for (const line of ruleRollup(open, paint)) yield `${line}\n`;
    yield '\nFindings (each with the command that closes it):\n';
    for (const f of open) yield `${findingLine(f, paint)}\n    fix: ${clean(remediationCommand(f))}\n`;
  }
  const suppressed = result.findings.filter((f) => f.suppressed);
  if (suppressed.length > 0) {
    yield '\nSuppressed:\n';
    for (const f of suppressed) yield `${findingLine(f, paint)} (suppressed: ${clean(f.suppression.reason)}${f.suppression.expires !== undefined ? `, until ${clean(f.suppression.expires)}` : ''})\n`;
  }
  if (result.fixed !== undefined && result.fixed.length > 0) {
    yield '\nFixed since the baseline:\n';
    for (const f of result.fixed) yield `${clean(`${f.severity.toUpperCase()} ${f.ruleId} ${f.message}`)}\n`;
  }
  let coverageHeader = false;
  for (const line of coverageLines(result, paint, Infinity)) {
    if (!coverageHeader) {
      yield '\n';
      coverageHeader = true;
    }
    yield `${line}\n`;
  }
  if (!coverageHeader) yield `\nCoverage complete: ${result.coverage.scanned} of ${result.coverage.instances} instances scanned.\n`;
  const exceptions = exceptionLines(result, paint);
  if (exceptions.length > 0) yield `\n${exceptions.join('\n')}\n`;
  if (result.diagnostics.length > 0) {
    yield `\n${diagnosticsCountLine(result)}:\n`;
    for (const d of result.diagnostics) {
      const where = d.instance ? `${d.instance.name} (${d.instance.region}): ` : '';
      yield `${d.level.toUpperCase()} ${d.code}: ${clean(where + d.message)}\n`;
    }
  }
}

/** The text report as one string (small results, tests). */
export function formatText(result: AuditResult, meta: ReportMeta): string {
  return [...textReport(result, meta)].join('');
}
