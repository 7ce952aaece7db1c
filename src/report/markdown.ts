// The Markdown report: made for people, in a pull request comment or the
// GitHub job summary ($GITHUB_STEP_SUMMARY, at most 1 MiB per step). Every bit
// of untrusted text is escaped (markup, HTML, control and bidi characters,
// autolinks, @mentions), and a large fleet is cut at a table row with a note,
// never mid-row.

import { remediationCommand } from '../core/remediation.js';
import { escapeUnsafe } from '../core/text.js';
import type { AuditResult, Diagnostic, Finding, ReportMeta, RuleSummary, Severity } from '../core/types.js';
import { SEVERITIES } from '../core/types.js';
import { countFindings, inReportOrder, describePortState, messageWithoutInstancePrefix, plural, severityRank, sourcesOf } from './common.js';

export interface MarkdownOptions {
  /** At most this many UTF-8 bytes (default 1 MiB, GitHub's job-summary limit). */
  maxBytes?: number;
  /** Named in the note when rows are left out (default "the JSON report (portolan.json)"). */
  fullReport?: string;
}

export const MARKDOWN_MAX_BYTES = 1024 * 1024;
/** Unread instances listed one per row before a count stands for the rest. */
const MAX_UNREAD_ROWS = 200;
/** Diagnostic messages quoted per code before a count stands for the rest. */
const MAX_DIAGNOSTICS_PER_CODE = 10;
/** Remediation commands listed per rule before a count stands for the rest. */
const MAX_COMMANDS_PER_RULE = 50;

const SEVERITY_LABEL: Record<Severity, string> = {
  critical: 'Critical',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
  info: 'Info',
};

/** Zero-width space, as an entity: breaks autolinks and mentions without changing what a reader sees. */
const ZWSP = '&#8203;';

/**
 * Escape text for Markdown inline content and table cells: line breaks become
 * spaces (a newline would end a table row); control, C1 and bidi characters
 * are shown as visible escapes (`\u202e`); HTML special characters become
 * entities; the Markdown punctuation that can open a link, emphasis, code,
 * strike-through, heading closer or cell is backslash-escaped; and what
 * GitHub would turn into a link or a notification (`https://`, `www.`,
 * `@user`, `#123`) is broken with a zero-width space.
 */
export function escapeMarkdown(text: string): string {
  return escapeUnsafe(text.replace(/\r\n|[\r\n\u2028\u2029]/g, ' '))
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|~#]/g, '\\$&')
    .replace(/:\/\//g, `:${ZWSP}//`)
    .replace(/(www)\./gi, `$1${ZWSP}.`)
    .replace(/@(?=[A-Za-z0-9])/g, `@${ZWSP}`)
    .replace(/\\#(?=\d)/g, `\\#${ZWSP}`);
}

const esc = escapeMarkdown;

/**
 * Rule descriptions and remediations (paragraphs, never table cells) keep their
 * `code spans`: span content is literal in Markdown (no HTML, no emphasis, no
 * links), so only the text between spans needs escaping.
 */
export function escapeMarkdownKeepingCode(text: string): string {
  return text
    .replace(/\r\n|[\r\n\u2028\u2029]/g, ' ')
    .split(/(`[^`]+`)/)
    .map((part, i) => (i % 2 === 1 ? escapeUnsafe(part) : escapeMarkdown(part)))
    .join('');
}

function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

/** A fenced block whose fence no content can close: longer than any backtick run in it. */
function fenced(lang: string, lines: readonly string[]): string[] {
  const longest = Math.max(2, ...lines.map((l) => Math.max(0, ...[...l.matchAll(/`+/g)].map((m) => m[0].length))));
  const fence = '`'.repeat(longest + 1);
  return [`${fence}${lang}`, ...lines.map(escapeUnsafe), fence];
}

function hasAccounts(result: AuditResult): boolean {
  return result.coverage.accounts !== undefined;
}

function accountCell(f: { instance: { accountId?: string; accountName?: string } }): string {
  const { accountId, accountName } = f.instance;
  if (accountId === undefined) return '';
  return accountName !== undefined ? `${esc(accountName)} (${esc(accountId)})` : esc(accountId);
}

function instanceCell(f: Finding): string {
  const mark = f.baselineState === 'new' ? ' **new**' : '';
  return `${esc(f.instance.name)}${mark}`;
}

function sourcesCell(f: Finding): string {
  const sources = sourcesOf(f.portState);
  return sources.length === 0 ? '(none)' : sources.map(esc).join(', ');
}

// ---------------------------------------------------------------- rows

/** What the cut may leave out, in the order it keeps them. */
interface Rows {
  open: Finding[];
  suppressed: Finding[];
  fixed: Finding[];
}

function openRow(f: Finding, accounts: boolean): string {
  const cells = [instanceCell(f), esc(f.instance.region), esc(describePortState(f.portState)), sourcesCell(f), esc(messageWithoutInstancePrefix(f))];
  return row(accounts ? [accountCell(f), ...cells] : cells);
}

function suppressedRow(f: Finding, accounts: boolean): string {
  const cells = [
    SEVERITY_LABEL[f.severity],
    esc(f.ruleId),
    instanceCell(f),
    esc(f.instance.region),
    esc(describePortState(f.portState)),
    esc(f.suppression?.reason ?? ''),
    f.suppression?.expires !== undefined ? esc(f.suppression.expires) : 'never',
  ];
  return row(accounts ? [accountCell(f), ...cells] : cells);
}

function fixedRow(f: Finding, accounts: boolean): string {
  const cells = [SEVERITY_LABEL[f.severity], esc(f.ruleId), esc(f.instance.name), esc(f.instance.region), esc(describePortState(f.portState))];
  return row(accounts ? [accountCell(f), ...cells] : cells);
}

// ---------------------------------------------------------------- sections

function headerSection(result: AuditResult, meta: ReportMeta): string[] {
  const c = result.coverage;
  const accounts = c.accounts ? `${plural(c.accounts.length, 'account')} · ` : '';
  const out = [
    '# Portolan audit report',
    '',
    `Policy ${esc(result.policy.path)} · source ${esc(meta.source)} · ${accounts}` +
      `${plural(c.instances, 'instance')} in ${plural(c.regions.length, 'region')} · ` +
      `generated ${esc(meta.generatedAt)} by Portolan ${esc(meta.toolVersion)}` +
      (meta.portSource === 'listing' ? ' · ports as GetInstances lists them (`--port-source listing`), not GetInstancePortStates' : ''),
    '',
  ];
  if (!c.complete) {
    const accountsDown = (c.accounts ?? []).filter((a) => a.status === 'error').length;
    const regionsDown = c.regions.filter((r) => r.status === 'error').length;
    const instancesDown = c.unread.filter((u) => u.status === 'error').length;
    const what = [
      ...(c.accounts ? [plural(accountsDown, 'account')] : []),
      plural(regionsDown, 'region'),
      plural(instancesDown, 'instance'),
    ];
    out.push(
      '> [!CAUTION]',
      `> **Coverage incomplete:** ${what.length > 1 ? `${what.slice(0, -1).join(', ')} and ${what[what.length - 1] ?? ''}` : what.join('')} could not be read. Findings below cover only what was read; see [Coverage](#coverage).`,
      '',
    );
  }
  return out;
}

function summarySection(result: AuditResult): string[] {
  const counts = countFindings(result.findings);
  const out = ['## Summary', '', row(['Severity', 'Open', 'Suppressed']), row([':--', '--:', '--:'])];
  for (const s of SEVERITIES) out.push(row([SEVERITY_LABEL[s], String(result.summary.bySeverity[s]), String(counts.suppressed[s])]));
  out.push('');
  if (result.fixed !== undefined) {
    const open = result.findings.filter((f) => !f.suppressed);
    const isNew = open.filter((f) => f.baselineState === 'new').length;
    const unchanged = open.filter((f) => f.baselineState === 'unchanged').length;
    out.push(`Compared with the baseline: **${isNew} new**, ${unchanged} unchanged, ${result.fixed.length} fixed.`, '');
  }
  return out;
}

/** Organization audits: one row per account before the findings. */
function accountsSection(result: AuditResult): string[] {
  const accounts = result.coverage.accounts;
  if (!accounts) return [];
  const open = new Map<string, Record<Severity, number>>();
  for (const f of result.findings) {
    if (f.suppressed || f.instance.accountId === undefined) continue;
    let counts = open.get(f.instance.accountId);
    if (!counts) {
      counts = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
      open.set(f.instance.accountId, counts);
    }
    counts[f.severity]++;
  }
  const out = [
    '## Accounts',
    '',
    row(['Account', 'OU path', 'Instances', 'Critical', 'High', 'Medium', 'Low', 'Info', 'Coverage']),
    row(['---', '---', '--:', '--:', '--:', '--:', '--:', '--:', '---']),
  ];
  for (const a of accounts) {
    const counts = open.get(a.id) ?? { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
    const coverage =
      a.status === 'error'
        ? `**not read** (${esc(a.error.code)})`
        : a.status === 'skipped'
          ? 'skipped (not active)'
          : a.failed > 0
            ? `**${a.failed} of ${a.instances} instances not read**`
            : `${a.scanned} of ${a.instances} scanned`;
    const name = a.name !== undefined ? `${esc(a.name)} (${esc(a.id)})` : esc(a.id);
    out.push(row([name, esc(a.ouPath ?? ''), String(a.instances), ...SEVERITIES.map((s) => String(counts[s])), coverage]));
  }
  out.push('');
  return out;
}

function cutNote(result: AuditResult, left: { findings: number; fixed: number }, fullReport: string, maxBytes: number): string[] {
  if (left.findings === 0 && left.fixed === 0) return [];
  const parts: string[] = [];
  if (left.findings > 0) parts.push(`${left.findings} of ${result.findings.length} findings`);
  if (left.fixed > 0) parts.push(`${left.fixed} of ${result.fixed?.length ?? 0} fixed findings`);
  return [
    '> [!NOTE]',
    `> This summary is cut to stay under ${Math.floor(maxBytes / 1024)} KiB: ${parts.join(' and ')} are not shown ` +
      `(fixed and suppressed ones are left out first, then the least severe). The full report is ${esc(fullReport)}.`,
    '',
  ];
}

function ruleGroups(result: AuditResult, shown: readonly Finding[]): Array<{ ruleId: string; rule: RuleSummary | undefined; findings: Finding[] }> {
  const rulesById = new Map<string, { rule: RuleSummary; order: number }>();
  result.policy.rules.forEach((rule, order) => {
    if (!rulesById.has(rule.id)) rulesById.set(rule.id, { rule, order });
  });
  const groups = new Map<string, Finding[]>();
  for (const f of shown) {
    const list = groups.get(f.ruleId);
    if (list) list.push(f);
    else groups.set(f.ruleId, [f]);
  }
  const order = (id: string): number => rulesById.get(id)?.order ?? Number.MAX_SAFE_INTEGER;
  const rank = (id: string): number => severityRank((groups.get(id) as Finding[])[0]?.severity ?? 'info');
  return [...groups.keys()]
    .sort((a, b) => rank(a) - rank(b) || order(a) - order(b) || (a < b ? -1 : a > b ? 1 : 0))
    .map((ruleId) => ({ ruleId, rule: rulesById.get(ruleId)?.rule, findings: groups.get(ruleId) as Finding[] }));
}

function commandsBlock(findings: readonly Finding[]): string[] {
  const shown = findings.slice(0, MAX_COMMANDS_PER_RULE);
  const more = findings.length - shown.length;
  return [
    '<details><summary>Commands that close these ports</summary>',
    '',
    ...fenced('sh', shown.map(remediationCommand)),
    ...(more > 0 ? ['', `… and ${more} more in the JSON report (\`remediation.command\` of each finding).`] : []),
    '',
    '</details>',
    '',
  ];
}

/** Open findings per rule: counted once, whatever is shown. */
function openTotals(result: AuditResult): Map<string, number> {
  const totals = new Map<string, number>();
  for (const f of result.findings) if (!f.suppressed) totals.set(f.ruleId, (totals.get(f.ruleId) ?? 0) + 1);
  return totals;
}

function findingsSection(result: AuditResult, shownOpen: readonly Finding[], openRows: readonly string[], totals: ReadonlyMap<string, number>): string[] {
  const accounts = hasAccounts(result);
  const out = ['## Findings', ''];
  const rowOf = new Map(shownOpen.map((f, i) => [f, openRows[i] as string]));
  if (totals.size === 0) out.push('No open findings.', '');
  for (const { ruleId, rule, findings } of ruleGroups(result, shownOpen)) {
    const first = findings[0] as Finding;
    const total = totals.get(ruleId) ?? findings.length;
    out.push(`### ${SEVERITY_LABEL[first.severity]}: ${esc(rule?.title ?? ruleId)} (${esc(ruleId)})`, '');
    out.push(`${plural(total, 'finding')}${total > findings.length ? `, ${findings.length} shown` : ''}.`, '');
    if (rule?.description !== undefined) out.push(`**Why:** ${escapeMarkdownKeepingCode(rule.description)}`, '');
    if (rule?.remediation !== undefined) out.push(`**Remediation:** ${escapeMarkdownKeepingCode(rule.remediation)}`, '');
    const head = ['Instance', 'Region', 'Protocol / range', 'Sources', 'Message'];
    out.push(row(accounts ? ['Account', ...head] : head), row((accounts ? ['---', ...head] : head).map(() => '---')));
    for (const f of findings) out.push(rowOf.get(f) ?? openRow(f, accounts));
    out.push('');
    out.push(...commandsBlock(findings));
  }
  return out;
}

function suppressedSection(result: AuditResult, anySuppressed: boolean, shown: readonly string[]): string[] {
  if (!anySuppressed) return [];
  const head = ['Severity', 'Rule', 'Instance', 'Region', 'Protocol / range', 'Reason', 'Expires'];
  const cols = hasAccounts(result) ? ['Account', ...head] : head;
  const out = ['## Suppressed findings', ''];
  if (shown.length > 0) out.push(row(cols), row(cols.map(() => '---')), ...shown);
  else out.push('Not shown here (see the note above).');
  out.push('');
  return out;
}

function fixedSection(result: AuditResult, shown: readonly string[]): string[] {
  if (result.fixed === undefined || result.fixed.length === 0) return [];
  const head = ['Severity', 'Rule', 'Instance', 'Region', 'Protocol / range'];
  const cols = hasAccounts(result) ? ['Account', ...head] : head;
  const out = ['## Fixed since the baseline', ''];
  if (shown.length > 0) out.push(row(cols), row(cols.map(() => '---')), ...shown);
  else out.push('Not shown here (see the note above).');
  out.push('');
  return out;
}

function exceptionsSection(result: AuditResult): string[] {
  const expired = result.exceptions.filter((e) => e.status === 'expired');
  const unused = result.exceptions.filter((e) => e.status === 'unused');
  if (expired.length + unused.length === 0) return [];
  const out = ['## Exceptions needing attention', ''];
  for (const e of expired) {
    out.push(
      `- **Expired** ${esc(e.expires ?? '')}: ${esc(`${e.position.file}:${e.position.line}`)} for ${esc(e.rules.join(', '))} ` +
        `(“${esc(e.reason)}”) suppresses nothing; ${plural(e.matchedAfterExpiry, 'finding')} counted again.`,
    );
  }
  for (const e of unused) {
    out.push(`- **Unused**: ${esc(`${e.position.file}:${e.position.line}`)} for ${esc(e.rules.join(', '))} (“${esc(e.reason)}”) suppressed nothing.`);
  }
  out.push('');
  return out;
}

function coverageSection(result: AuditResult): string[] {
  const c = result.coverage;
  const out = [
    '## Coverage',
    '',
    `${c.scanned} of ${plural(c.instances, 'instance')} scanned, ${c.failed} failed, ${c.gone} deleted during the scan. ` +
      (c.complete ? 'Coverage is complete.' : '**Coverage is incomplete.**'),
    '',
  ];
  const accounts = hasAccounts(result);
  if (c.regions.length > 0) {
    const head = ['Region', 'Status', 'Error'];
    out.push(row(accounts ? ['Account', ...head] : head), row((accounts ? ['Account', ...head] : head).map(() => '---')));
    for (const r of c.regions) {
      const cells = [esc(r.name), r.status === 'ok' ? 'ok' : '**not read**', r.error ? esc(`${r.error.code}: ${r.error.message}`) : ''];
      out.push(row(accounts ? [esc(r.accountId ?? ''), ...cells] : cells));
    }
    out.push('');
  }
  if (c.unread.length > 0) {
    const head = ['Instance', 'Region', 'Status', 'Error'];
    out.push(row(accounts ? ['Account', ...head] : head), row((accounts ? ['Account', ...head] : head).map(() => '---')));
    for (const u of c.unread.slice(0, MAX_UNREAD_ROWS)) {
      const cells = [esc(u.name), esc(u.region), u.status === 'gone' ? 'deleted during the scan' : '**not read**', u.error ? esc(`${u.error.code}: ${u.error.message}`) : ''];
      out.push(row(accounts ? [accountCell({ instance: u }), ...cells] : cells));
    }
    out.push('');
    if (c.unread.length > MAX_UNREAD_ROWS) out.push(`… and ${c.unread.length - MAX_UNREAD_ROWS} more instances not read (see the JSON report).`, '');
  }
  return out;
}

const LEVEL_RANK: Record<Diagnostic['level'], number> = { error: 0, warning: 1, info: 2 };

/** Diagnostics counted by code, each code's first messages in a collapsible block. */
function diagnosticsSection(result: AuditResult, fullReport: string): string[] {
  if (result.diagnostics.length === 0) return [];
  const byCode = new Map<string, Diagnostic[]>();
  for (const d of result.diagnostics) {
    const key = `${d.level}\u0000${d.code}`;
    const list = byCode.get(key);
    if (list) list.push(d);
    else byCode.set(key, [d]);
  }
  const groups = [...byCode.values()].sort(
    (a, b) => LEVEL_RANK[(a[0] as Diagnostic).level] - LEVEL_RANK[(b[0] as Diagnostic).level] || ((a[0] as Diagnostic).code < (b[0] as Diagnostic).code ? -1 : 1),
  );
  const out = ['## Diagnostics', '', row(['Level', 'Code', 'Count']), row(['---', '---', '--:'])];
  for (const g of groups) out.push(row([esc((g[0] as Diagnostic).level), esc((g[0] as Diagnostic).code), String(g.length)]));
  out.push('');
  for (const g of groups) {
    const first = g[0] as Diagnostic;
    out.push(`<details><summary>${esc(first.level)} ${esc(first.code)}: ${plural(g.length, 'message')}</summary>`, '');
    for (const d of g.slice(0, MAX_DIAGNOSTICS_PER_CODE)) {
      const where = d.instance ? `${d.instance.name} (${d.instance.region}): ` : '';
      out.push(`- ${esc(where + d.message)}`);
    }
    if (g.length > MAX_DIAGNOSTICS_PER_CODE) out.push(`- … and ${g.length - MAX_DIAGNOSTICS_PER_CODE} more in ${esc(fullReport)}`);
    out.push('', '</details>', '');
  }
  return out;
}

// ---------------------------------------------------------------- assembly

/** Everything of the report that does not depend on how many rows are shown: computed once. */
interface Fixed {
  head: string[];
  middle: string[];
  tail: string[];
  totals: Map<string, number>;
  anySuppressed: boolean;
}

function fixedParts(result: AuditResult, meta: ReportMeta, fullReport: string): Fixed {
  return {
    head: [...headerSection(result, meta), ...summarySection(result)],
    middle: accountsSection(result),
    tail: [...exceptionsSection(result), ...coverageSection(result), ...diagnosticsSection(result, fullReport)],
    totals: openTotals(result),
    anySuppressed: result.findings.some((f) => f.suppressed),
  };
}

/** The report with the first rows of each kind shown, `texts` holding their rows in keep order. */
function render(result: AuditResult, parts: Fixed, shown: Rows, texts: readonly string[], fullReport: string, maxBytes: number): string {
  const left = {
    findings: result.findings.length - shown.open.length - shown.suppressed.length,
    fixed: (result.fixed?.length ?? 0) - shown.fixed.length,
  };
  const o = shown.open.length;
  const s = shown.suppressed.length;
  const out = [
    ...parts.head,
    ...cutNote(result, left, fullReport, maxBytes),
    ...parts.middle,
    ...findingsSection(result, shown.open, texts.slice(0, o), parts.totals),
    ...suppressedSection(result, parts.anySuppressed, texts.slice(o, o + s)),
    ...fixedSection(result, texts.slice(o + s, o + s + shown.fixed.length)),
    ...parts.tail,
  ];
  return `${out.join('\n').trimEnd()}\n`;
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

export function formatMarkdown(result: AuditResult, meta: ReportMeta, options: MarkdownOptions = {}): string {
  const maxBytes = options.maxBytes ?? MARKDOWN_MAX_BYTES;
  const fullReport = options.fullReport ?? 'the JSON report (portolan.json)';
  const accounts = hasAccounts(result);
  const ordered = inReportOrder(result.findings);
  const open = ordered.filter((f) => !f.suppressed);
  const suppressed = ordered.filter((f) => f.suppressed);
  const fixed = [...inReportOrder(result.fixed ?? [])];
  const total = open.length + suppressed.length + fixed.length;
  // Rows are dropped from the end of this order: least severe open findings go after suppressed and fixed ones.
  const rowText = (i: number): string =>
    i < open.length
      ? openRow(open[i] as Finding, accounts)
      : i < open.length + suppressed.length
        ? suppressedRow(suppressed[i - open.length] as Finding, accounts)
        : fixedRow(fixed[i - open.length - suppressed.length] as Finding, accounts);
  // Only rows that could fit are ever written: the first k rows alone must fit, which bounds k on a huge fleet.
  const texts: string[] = [];
  for (let budget = maxBytes; texts.length < total; ) {
    const text = rowText(texts.length);
    budget -= byteLength(text) + 1;
    if (budget < 0) break;
    texts.push(text);
  }
  const parts = fixedParts(result, meta, fullReport);
  const renderFirst = (k: number): string =>
    render(
      result,
      parts,
      {
        open: open.slice(0, k),
        suppressed: suppressed.slice(0, Math.max(0, Math.min(suppressed.length, k - open.length))),
        fixed: fixed.slice(0, Math.max(0, k - open.length - suppressed.length)),
      },
      texts,
      fullReport,
      maxBytes,
    );

  let hi = texts.length;
  if (hi === total) {
    const full = renderFirst(hi);
    if (byteLength(full) <= maxBytes) return full;
    hi--;
  }
  let best = renderFirst(0);
  if (byteLength(best) > maxBytes) return hardCut(best, maxBytes, fullReport);
  let lo = 0;
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
  const kept: string[] = [];
  let size = 0;
  for (const line of text.split('\n')) {
    const add = byteLength(line) + 1;
    if (size + add > budget) break;
    kept.push(line);
    size += add;
  }
  return `${kept.join('\n')}\n${note}`;
}
