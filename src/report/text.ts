// The short summary printed to stdout after an audit: what was read, how bad it
// is, the worst findings, and what could not be read. The CLI decides colour
// (TTY, NO_COLOR) and appends where the report files went.

import type { AuditResult, Finding, ReportMeta, Severity } from '../core/types.js';
import { SEVERITIES } from '../core/types.js';
import { compareFindings, plural } from './common.js';

export interface TextOptions {
  color: boolean;
  /** How many unsuppressed findings to list one per line (default 20). */
  maxFindings?: number;
}

const DEFAULT_MAX_FINDINGS = 20;

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

/**
 * Instance names, tags and messages come from an inventory file that may not be
 * trusted: control characters (escape sequences, newlines) would let it rewrite
 * the terminal or forge lines, so they are shown as `?`.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
function clean(text: string): string {
  return text.replace(CONTROL, '?');
}

export function formatText(result: AuditResult, meta: ReportMeta, options: TextOptions): string {
  const paint = (code: string, text: string): string => (options.color ? `${code}${text}${RESET}` : text);
  const maxFindings = Math.max(0, options.maxFindings ?? DEFAULT_MAX_FINDINGS);
  const lines: string[] = [];
  const c = result.coverage;

  lines.push(
    `Portolan ${clean(meta.toolVersion)}: policy ${clean(result.policy.path)}, source ${clean(meta.source)}, ` +
      `${plural(c.instances, 'instance')} in ${plural(c.regions.length, 'region')}`,
  );

  const counts = SEVERITIES.map((s) => {
    const n = result.summary.bySeverity[s];
    const part = `${n} ${s}`;
    return n > 0 ? paint(SEVERITY_COLOR[s], part) : part;
  });
  lines.push(`Findings: ${counts.join(', ')} (${result.summary.suppressed} suppressed)`);

  if (result.fixed !== undefined) {
    const isNew = result.findings.filter((f) => f.baselineState === 'new' && !f.suppressed).length;
    const unchanged = result.findings.filter((f) => f.baselineState === 'unchanged' && !f.suppressed).length;
    lines.push(`Baseline: ${isNew} new, ${unchanged} unchanged, ${result.fixed.length} fixed`);
  }

  const open = result.findings.filter((f) => !f.suppressed).sort(compareFindings);
  if (open.length > 0) {
    lines.push('');
    for (const f of open.slice(0, maxFindings)) lines.push(findingLine(f, paint));
    if (open.length > maxFindings) lines.push(`... and ${open.length - maxFindings} more`);
  }

  const coverageLines = coverageProblems(result);
  if (coverageLines.length > 0 || !c.complete) {
    lines.push('');
    if (!c.complete) {
      lines.push(paint(RED, `Coverage INCOMPLETE: ${c.scanned} of ${c.instances} instances scanned; the audit is not a clean bill of health.`));
    }
    lines.push(...coverageLines);
  } else if (open.length === 0) {
    lines.push(paint(GREEN, `Coverage complete: ${c.scanned} of ${c.instances} instances scanned.`));
  }

  const exceptionLines: string[] = [];
  for (const e of result.exceptions) {
    const where = clean(`${e.position.file}:${e.position.line}`);
    const rules = clean(e.rules.join(', '));
    if (e.status === 'expired') {
      exceptionLines.push(
        paint(YELLOW, `Expired exception ${where} (${rules}) expired ${clean(e.expires ?? '?')}: ${plural(e.matchedAfterExpiry, 'finding')} counted again`),
      );
    } else if (e.status === 'unused') {
      exceptionLines.push(`Unused exception ${where} (${rules}): suppressed nothing`);
    }
  }
  if (exceptionLines.length > 0) lines.push('', ...exceptionLines);

  const byLevel = { error: 0, warning: 0, info: 0 };
  for (const d of result.diagnostics) byLevel[d.level] += 1;
  if (result.diagnostics.length > 0) {
    lines.push(
      '',
      `Diagnostics: ${plural(byLevel.error, 'error')}, ${plural(byLevel.warning, 'warning')}, ${byLevel.info} info (details in the JSON report)`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function findingLine(f: Finding, paint: (code: string, text: string) => string): string {
  const label = paint(SEVERITY_COLOR[f.severity], f.severity.toUpperCase());
  const mark = f.baselineState === 'new' ? `${paint(BOLD, '[new]')} ` : '';
  // Only the user-supplied parts are cleaned, so our own colour codes survive and theirs do not.
  // The message already names instance, region, protocol and range ("web-1 (us-east-1): tcp 22 open to ...").
  const rest = clean(`${f.ruleId} ${f.message}`);
  return `${label} ${mark}${rest}`;
}

function coverageProblems(result: AuditResult): string[] {
  const out: string[] = [];
  for (const r of result.coverage.regions) {
    if (r.status !== 'error') continue;
    out.push(clean(`Region ${r.name} not read${r.error ? ` (${r.error.code}: ${r.error.message})` : ''}`));
  }
  for (const u of result.coverage.unread) {
    const why = u.error ? ` (${u.error.code}: ${u.error.message})` : '';
    out.push(
      clean(
        u.status === 'gone'
          ? `Instance ${u.name} (${u.region}) was deleted during the scan${why}`
          : `Instance ${u.name} (${u.region}) not read${why}`,
      ),
    );
  }
  return out;
}
