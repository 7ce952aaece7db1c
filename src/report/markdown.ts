// The Markdown report: made for people, in a pull request comment or the
// GitHub job summary ($GITHUB_STEP_SUMMARY, at most 1 MiB per step). Every bit
// of user-controlled text is escaped, and a large fleet is cut at a table row
// with a note, never mid-row.

import type { AuditResult, Finding, ReportMeta, RuleSummary, Severity } from '../core/types.js';
import { SEVERITIES } from '../core/types.js';
import {
  compareFindings,
  countFindings,
  describePortState,
  messageWithoutInstancePrefix,
  plural,
  severityRank,
  sourcesOf,
} from './common.js';

export interface MarkdownOptions {
  /** At most this many UTF-8 bytes (default 1 MiB, GitHub's job-summary limit). */
  maxBytes?: number;
  /** Named in the note when rows are left out (default "the JSON report (portolan.json)"). */
  fullReport?: string;
}

export const MARKDOWN_MAX_BYTES = 1024 * 1024;
/** Unread instances listed one per row before a count stands for the rest. */
const MAX_UNREAD_ROWS = 200;

const SEVERITY_LABEL: Record<Severity, string> = {
  critical: 'Critical',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
  info: 'Info',
};

/**
 * Escape text for Markdown inline content and table cells: HTML special
 * characters become entities, the Markdown punctuation that can open a link,
 * emphasis, code, strike-through, heading closer or cell is backslash-escaped
 * (`(`, `)` and `!` act only after an escaped `[`),
 * line breaks become spaces (a newline would end a table row), and control
 * characters are dropped.
 */
export function escapeMarkdown(text: string): string {
  return (
    text
      .replace(/\r\n|[\r\n\u2028\u2029]/g, ' ')
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/[\\`*_[\]|~#]/g, '\\$&')
  );
}

const esc = escapeMarkdown;

/**
 * Rule descriptions and remediations (paragraphs, never table cells) keep their
 * `code spans`: span content is literal in Markdown (no HTML, no emphasis), so
 * only the text between spans needs escaping.
 */
export function escapeMarkdownKeepingCode(text: string): string {
  return text
    .replace(/\r\n|[\r\n\u2028\u2029]/g, ' ')
    .split(/(`[^`]+`)/)
    .map((part, i) => (i % 2 === 1 ? part.replace(/[\u0000-\u001f\u007f]/g, '') : escapeMarkdown(part)))
    .join('');
}

function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function portCell(f: Finding): string {
  return esc(describePortState(f.portState));
}

function sourcesCell(f: Finding): string {
  const sources = sourcesOf(f.portState);
  return sources.length === 0 ? '(none)' : sources.map(esc).join(', ');
}

function instanceCell(f: Finding): string {
  const mark = f.baselineState === 'new' ? ' **new**' : '';
  return `${esc(f.instance.name)}${mark}`;
}

interface Selection {
  open: Finding[];
  suppressed: Finding[];
  fixed: Finding[];
}

/** Render the report showing only the findings in `shown`; `left` says what was cut. */
function render(
  result: AuditResult,
  meta: ReportMeta,
  shown: Selection,
  left: { findings: number; fixed: number },
  fullReport: string,
  maxBytes: number,
): string {
  const out: string[] = [];
  const c = result.coverage;
  const counts = countFindings(result.findings);

  out.push('# Portolan audit report', '');
  out.push(
    `Policy ${esc(result.policy.path)} · source ${esc(meta.source)} · ` +
      `${plural(c.instances, 'instance')} in ${plural(c.regions.length, 'region')} · ` +
      `generated ${esc(meta.generatedAt)} by Portolan ${esc(meta.toolVersion)}`,
    '',
  );

  if (!c.complete) {
    const regionsDown = c.regions.filter((r) => r.status === 'error').length;
    const instancesDown = c.unread.filter((u) => u.status === 'error').length;
    out.push(
      '> [!CAUTION]',
      `> **Coverage incomplete:** ${plural(regionsDown, 'region')} and ${plural(instancesDown, 'instance')} could not be read. ` +
        'Findings below cover only what was read; see [Coverage](#coverage).',
      '',
    );
  }

  out.push('## Summary', '', row(['Severity', 'Open', 'Suppressed']), row([':--', '--:', '--:']));
  for (const s of SEVERITIES) {
    out.push(row([SEVERITY_LABEL[s], String(result.summary.bySeverity[s]), String(counts.suppressed[s])]));
  }
  out.push('');
  if (result.fixed !== undefined) {
    const isNew = result.findings.filter((f) => f.baselineState === 'new').length;
    const unchanged = result.findings.filter((f) => f.baselineState === 'unchanged').length;
    out.push(`Compared with the baseline: **${isNew} new**, ${unchanged} unchanged, ${result.fixed.length} fixed.`, '');
  }
  if (left.findings > 0 || left.fixed > 0) {
    const parts: string[] = [];
    if (left.findings > 0) parts.push(`${left.findings} of ${result.findings.length} findings`);
    if (left.fixed > 0) parts.push(`${left.fixed} of ${result.fixed?.length ?? 0} fixed findings`);
    out.push(
      `> [!NOTE]`,
      `> This summary is cut to stay under ${Math.floor(maxBytes / 1024)} KiB: ${parts.join(' and ')} are not shown ` +
        `(fixed and suppressed ones are left out first, then the least severe). The full report is ${esc(fullReport)}.`,
      '',
    );
  }

  // ------------------------------------------------------------ open findings by rule
  out.push('## Findings', '');
  if (result.findings.filter((f) => !f.suppressed).length === 0) {
    out.push('No open findings.', '');
  }
  const rulesById = new Map<string, { rule: RuleSummary; order: number }>();
  result.policy.rules.forEach((rule, order) => {
    if (!rulesById.has(rule.id)) rulesById.set(rule.id, { rule, order });
  });
  const groups = new Map<string, Finding[]>();
  for (const f of shown.open) {
    const list = groups.get(f.ruleId);
    if (list) list.push(f);
    else groups.set(f.ruleId, [f]);
  }
  const groupOrder = [...groups.keys()].sort((a, b) => {
    const fa = groups.get(a)![0]!;
    const fb = groups.get(b)![0]!;
    const oa = rulesById.get(a)?.order ?? Number.MAX_SAFE_INTEGER;
    const ob = rulesById.get(b)?.order ?? Number.MAX_SAFE_INTEGER;
    return severityRank(fa.severity) - severityRank(fb.severity) || oa - ob || (a < b ? -1 : a > b ? 1 : 0);
  });
  for (const ruleId of groupOrder) {
    const findings = groups.get(ruleId)!;
    const first = findings[0]!;
    const rule = rulesById.get(ruleId)?.rule;
    const title = rule?.title ?? ruleId;
    const total = result.findings.filter((f) => !f.suppressed && f.ruleId === ruleId).length;
    out.push(`### ${SEVERITY_LABEL[first.severity]}: ${esc(title)} (${esc(ruleId)})`, '');
    out.push(`${plural(total, 'finding')}${total > findings.length ? `, ${findings.length} shown` : ''}.`, '');
    if (rule?.description) out.push(`**Why:** ${escapeMarkdownKeepingCode(rule.description)}`, '');
    if (rule?.remediation) out.push(`**Remediation:** ${escapeMarkdownKeepingCode(rule.remediation)}`, '');
    out.push(row(['Instance', 'Region', 'Protocol / range', 'Sources', 'Message']), row(['---', '---', '---', '---', '---']));
    for (const f of findings) {
      out.push(row([instanceCell(f), esc(f.instance.region), portCell(f), sourcesCell(f), esc(messageWithoutInstancePrefix(f))]));
    }
    out.push('');
  }

  // ------------------------------------------------------------ suppressed
  if (counts.suppressed.critical + counts.suppressed.high + counts.suppressed.medium + counts.suppressed.low + counts.suppressed.info > 0) {
    out.push('## Suppressed findings', '');
    if (shown.suppressed.length > 0) {
      out.push(
        row(['Severity', 'Rule', 'Instance', 'Region', 'Protocol / range', 'Reason', 'Expires']),
        row(['---', '---', '---', '---', '---', '---', '---']),
      );
      for (const f of shown.suppressed) {
        out.push(
          row([
            SEVERITY_LABEL[f.severity],
            esc(f.ruleId),
            instanceCell(f),
            esc(f.instance.region),
            portCell(f),
            esc(f.suppression?.reason ?? ''),
            f.suppression?.expires ? esc(f.suppression.expires) : 'never',
          ]),
        );
      }
    } else {
      out.push('Not shown here (see the note above).');
    }
    out.push('');
  }

  // ------------------------------------------------------------ fixed since baseline
  if (result.fixed !== undefined && result.fixed.length > 0) {
    out.push('## Fixed since the baseline', '');
    if (shown.fixed.length > 0) {
      out.push(row(['Severity', 'Rule', 'Instance', 'Region', 'Protocol / range']), row(['---', '---', '---', '---', '---']));
      for (const f of shown.fixed) {
        out.push(row([SEVERITY_LABEL[f.severity], esc(f.ruleId), esc(f.instance.name), esc(f.instance.region), portCell(f)]));
      }
    } else {
      out.push('Not shown here (see the note above).');
    }
    out.push('');
  }

  // ------------------------------------------------------------ exceptions
  const expired = result.exceptions.filter((e) => e.status === 'expired');
  const unused = result.exceptions.filter((e) => e.status === 'unused');
  if (expired.length + unused.length > 0) {
    out.push('## Exceptions needing attention', '');
    for (const e of expired) {
      out.push(
        `- **Expired** ${esc(e.expires ?? '')}: ${esc(`${e.position.file}:${e.position.line}`)} for ${esc(e.rules.join(', '))} ` +
          `(“${esc(e.reason)}”) suppresses nothing; ${plural(e.matchedAfterExpiry, 'finding')} counted again.`,
      );
    }
    for (const e of unused) {
      out.push(
        `- **Unused**: ${esc(`${e.position.file}:${e.position.line}`)} for ${esc(e.rules.join(', '))} (“${esc(e.reason)}”) suppressed nothing.`,
      );
    }
    out.push('');
  }

  // ------------------------------------------------------------ coverage
  out.push('## Coverage', '');
  out.push(
    `${c.scanned} of ${plural(c.instances, 'instance')} scanned, ${c.failed} failed, ${c.gone} deleted during the scan. ` +
      (c.complete ? 'Coverage is complete.' : '**Coverage is incomplete.**'),
    '',
  );
  if (c.regions.length > 0) {
    out.push(row(['Region', 'Status', 'Error']), row(['---', '---', '---']));
    for (const r of c.regions) {
      out.push(row([esc(r.name), r.status === 'ok' ? 'ok' : '**not read**', r.error ? esc(`${r.error.code}: ${r.error.message}`) : '']));
    }
    out.push('');
  }
  if (c.unread.length > 0) {
    out.push(row(['Instance', 'Region', 'Status', 'Error']), row(['---', '---', '---', '---']));
    for (const u of c.unread.slice(0, MAX_UNREAD_ROWS)) {
      out.push(
        row([
          esc(u.name),
          esc(u.region),
          u.status === 'gone' ? 'deleted during the scan' : '**not read**',
          u.error ? esc(`${u.error.code}: ${u.error.message}`) : '',
        ]),
      );
    }
    out.push('');
    if (c.unread.length > MAX_UNREAD_ROWS) out.push(`… and ${c.unread.length - MAX_UNREAD_ROWS} more instances not read (see the JSON report).`, '');
  }

  // ------------------------------------------------------------ diagnostics
  if (result.diagnostics.length > 0) {
    const byCode = new Map<string, number>();
    for (const d of result.diagnostics) {
      const key = `${d.level}\u0000${d.code}`;
      byCode.set(key, (byCode.get(key) ?? 0) + 1);
    }
    const levelRank = { error: 0, warning: 1, info: 2 } as Record<string, number>;
    const keys = [...byCode.keys()].sort((a, b) => {
      const [la = '', ca = ''] = a.split('\u0000');
      const [lb = '', cb = ''] = b.split('\u0000');
      return (levelRank[la] ?? 3) - (levelRank[lb] ?? 3) || (ca < cb ? -1 : ca > cb ? 1 : 0);
    });
    out.push('## Diagnostics', '', row(['Level', 'Code', 'Count']), row(['---', '---', '--:']));
    for (const key of keys) {
      const [level = '', code = ''] = key.split('\u0000');
      out.push(row([esc(level), esc(code), String(byCode.get(key))]));
    }
    out.push('', `Messages are in ${esc(fullReport)}.`, '');
  }

  return `${out.join('\n').trimEnd()}\n`;
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

export function formatMarkdown(result: AuditResult, meta: ReportMeta, options: MarkdownOptions = {}): string {
  const maxBytes = options.maxBytes ?? MARKDOWN_MAX_BYTES;
  const fullReport = options.fullReport ?? 'the JSON report (portolan.json)';
  const open = result.findings.filter((f) => !f.suppressed).sort(compareFindings);
  const suppressed = result.findings.filter((f) => f.suppressed).sort(compareFindings);
  const fixed = [...(result.fixed ?? [])].sort(compareFindings);
  // Rows are dropped from the end of this list: least severe open findings go after suppressed and fixed ones.
  const rows = [...open, ...suppressed, ...fixed];

  const renderFirst = (k: number): string => {
    const shownOpen = open.slice(0, k);
    const shownSuppressed = suppressed.slice(0, Math.max(0, k - open.length));
    const shownFixed = fixed.slice(0, Math.max(0, k - open.length - suppressed.length));
    return render(
      result,
      meta,
      { open: shownOpen, suppressed: shownSuppressed, fixed: shownFixed },
      {
        findings: open.length + suppressed.length - shownOpen.length - shownSuppressed.length,
        fixed: fixed.length - shownFixed.length,
      },
      fullReport,
      maxBytes,
    );
  };

  const full = renderFirst(rows.length);
  if (byteLength(full) <= maxBytes) return full;

  // Largest number of rows that fits: output size grows with k, so bisect.
  let lo = 0;
  let hi = rows.length - 1;
  let best = renderFirst(0);
  if (byteLength(best) > maxBytes) return hardCut(best, maxBytes, fullReport);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    const text = renderFirst(mid);
    if (byteLength(text) <= maxBytes) {
      lo = mid;
      best = text;
    } else {
      hi = mid - 1;
    }
  }
  return best;
}

/** Last resort when even the report without finding rows is too big: cut at a line and say so. */
function hardCut(text: string, maxBytes: number, fullReport: string): string {
  const note = `\n> [!NOTE]\n> Cut at ${Math.floor(maxBytes / 1024)} KiB; the full report is ${esc(fullReport)}.\n`;
  const budget = maxBytes - byteLength(note);
  const lines = text.split('\n');
  const kept: string[] = [];
  let size = 0;
  for (const line of lines) {
    const add = byteLength(line) + 1;
    if (size + add > budget) break;
    kept.push(line);
    size += add;
  }
  return `${kept.join('\n')}\n${note}`;
}
