// SARIF 2.1.0 for GitHub code scanning. GitHub rejects a whole upload for one
// missing field and re-opens alerts whose location or fingerprint moves, so
// everything here is deterministic and every required string is non-empty.

import { gzipSync } from 'node:zlib';
import type {
  Log,
  Notification,
  ReportingDescriptor,
  Result,
  Run,
  Suppression,
} from 'sarif';
import type { AuditResult, Finding, ReportMeta, RuleSummary, Severity } from '../core/types.js';
import { truncate as truncateText, wellFormed } from '../core/text.js';
import { describePortState, keepingOrder, plural } from './common.js';

export interface SarifOptions {
  /** GitHub accepts at most 25,000 results per run; the most severe are kept. */
  maxResults?: number;
  /** GitHub accepts at most 10 MB gzipped per upload; kept a little below to be safe. */
  maxGzipBytes?: number;
}

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
export const SARIF_MAX_RESULTS = 25_000;
export const SARIF_MAX_GZIP_BYTES = 10 * 1000 * 1000 - 64 * 1024;
/** GitHub's limit for rule descriptions and help text. */
const MAX_DESCRIPTION = 1024;
const MAX_RULE_NAME = 255;
/** Diagnostics can repeat per port state over a large fleet; past this many, a count stands for the rest. */
const MAX_DIAGNOSTIC_NOTIFICATIONS = 1000;

type SarifLevel = 'error' | 'warning' | 'note';

export function sarifLevel(severity: Severity): SarifLevel {
  switch (severity) {
    case 'critical':
    case 'high':
      return 'error';
    case 'medium':
      return 'warning';
    case 'low':
    case 'info':
      return 'note';
  }
}

/**
 * GitHub's security-severity bands are >= 9.0 critical, 7.0-8.9 high, 4.0-6.9
 * medium, 0.1-3.9 low; values sit mid-band so rounding never moves a rule.
 * `info` has none: without it GitHub shows the alert as a plain note instead
 * of a security alert, which is what an informational rule is.
 */
export function securitySeverity(severity: Severity): string | undefined {
  switch (severity) {
    case 'critical':
      return '9.5';
    case 'high':
      return '8.0';
    case 'medium':
      return '5.5';
    case 'low':
      return '2.0';
    case 'info':
      return undefined;
  }
}

/** "ssh-world" -> "SshWorld": the rule name GitHub shows in its filter. */
export function ruleName(id: string): string {
  const name = id
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part !== '')
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
  return truncateText(name === '' ? 'Rule' : name, MAX_RULE_NAME);
}

/** A non-empty string within GitHub's length limit. */
function limited(text: string | undefined, fallback: string, max = MAX_DESCRIPTION): string {
  const trimmed = (text ?? '').trim();
  return truncateText(trimmed === '' ? fallback : trimmed, max);
}

/**
 * One path segment of the pseudo-path: percent-encoded (no spaces, no `/`,
 * no scheme can form), and never `.`/`..`, which a URI resolver would collapse.
 */
function uriSegment(text: string): string {
  if (text === '') return '_';
  // A lone surrogate (not text, but an inventory may hold one) would make encodeURIComponent throw.
  const encoded = encodeURIComponent(wellFormed(text));
  return encoded === '.' || encoded === '..' ? encoded.replace(/\./g, '%2E') : encoded;
}

/**
 * Findings are about cloud resources, not files. Each points at the stable
 * pseudo-path `lightsail/<region>/<instance>` line 1 rather than at the policy
 * rule's line: editing the policy file must not move every alert (GitHub would
 * then close and re-open them all), and a relative path without a scheme is
 * what GitHub accepts (an ARN would parse as a URI with scheme `arn`).
 */
export function artifactUri(finding: { instance: { name: string; region: string } }): string {
  return `lightsail/${uriSegment(finding.instance.region)}/${uriSegment(finding.instance.name)}`;
}

function ruleDescriptor(rule: RuleSummary): ReportingDescriptor {
  const title = limited(rule.title, rule.id);
  const description = limited(rule.description, title);
  const remediation = rule.remediation?.trim();
  const helpText = limited(
    [rule.description?.trim(), remediation ? `Remediation: ${remediation}` : undefined]
      .filter((s): s is string => Boolean(s))
      .join('\n\n'),
    title,
  );
  const helpMarkdown = limited(
    [`**${rule.severity}**: ${title}`, rule.description?.trim(), remediation ? `**Remediation:** ${remediation}` : undefined]
      .filter((s): s is string => Boolean(s))
      .join('\n\n'),
    title,
  );
  const properties: Record<string, unknown> = {
    tags: ['security', 'network', 'lightsail', 'firewall'],
    // The match is exact (no heuristics): a finding is a fact about the firewall.
    precision: 'very-high',
    severity: rule.severity,
    policyLocation: `${rule.position.file}:${rule.position.line}:${rule.position.col}`,
  };
  const secSeverity = securitySeverity(rule.severity);
  if (secSeverity !== undefined) properties['security-severity'] = secSeverity;
  return {
    id: rule.id,
    name: ruleName(rule.id),
    shortDescription: { text: title },
    fullDescription: { text: description },
    help: { text: helpText, markdown: helpMarkdown },
    defaultConfiguration: { level: sarifLevel(rule.severity) },
    properties,
  };
}

function resultOf(f: Finding, ruleIndex: number): Result {
  const arn = f.instance.arn;
  const base = limited(f.message, `${f.instance.name} (${f.instance.region}): ${describePortState(f.portState)} is open.`, 65536);
  const text = arn ? `${base}${/[.!?]$/.test(base) ? '' : '.'} Instance ARN: ${arn}.` : base;
  const result: Result = {
    ruleId: f.ruleId,
    ruleIndex,
    level: sarifLevel(f.severity),
    message: { text },
    locations: [
      {
        physicalLocation: { artifactLocation: { uri: artifactUri(f) }, region: { startLine: 1 } },
        logicalLocations: [
          { fullyQualifiedName: arn ?? `${f.instance.region}/${f.instance.name}`, name: f.instance.name || '_', kind: 'resource' },
        ],
      },
    ],
    partialFingerprints: { primaryLocationLineHash: f.fingerprint },
    properties: {
      instanceName: f.instance.name,
      region: f.instance.region,
      ...(arn ? { instanceArn: arn } : {}),
      protocol: f.portState.protocol,
      fromPort: f.portState.fromPort,
      toPort: f.portState.toPort,
      cidrs: f.portState.cidrs,
      ipv6Cidrs: f.portState.ipv6Cidrs,
      cidrListAliases: f.portState.cidrListAliases,
      severity: f.severity,
    },
  };
  if (f.suppressed) {
    const reason = limited(f.suppression.reason, 'Suppressed by a policy exception.', 65536);
    const expires = f.suppression.expires;
    const suppression: Suppression = {
      kind: 'external',
      status: 'accepted',
      justification: expires ? `${reason} (exception expires ${expires})` : reason,
    };
    if (expires) suppression.properties = { expires };
    result.suppressions = [suppression];
  }
  // Fixed findings of a baseline are not emitted as `absent` results: GitHub
  // tracks fixes itself and ignores them; the JSON and Markdown reports list them.
  if (f.baselineState) result.baselineState = f.baselineState;
  return result;
}

function notification(level: SarifLevel, id: string, text: string, properties?: Record<string, unknown>): Notification {
  const n: Notification = { level, descriptor: { id }, message: { text } };
  if (properties) n.properties = properties;
  return n;
}

const COVERAGE_DIAGNOSTICS = new Set(['region-unreadable', 'instance-unreadable', 'instance-gone', 'account-unreadable', 'account-skipped']);

/** Regions and instances not read, instances deleted mid-scan, and the audit's own diagnostics. */
function executionNotifications(result: AuditResult): Notification[] {
  const out: Notification[] = [];
  for (const r of result.coverage.regions) {
    if (r.status !== 'error') continue;
    out.push(
      notification('error', 'region-not-read', `Region ${r.name} could not be read (${r.error.code}: ${r.error.message}); its instances were not audited.`, {
        region: r.name,
        errorCode: r.error.code,
      }),
    );
  }
  for (const a of result.coverage.accounts ?? []) {
    if (a.status !== 'error') continue;
    out.push(
      notification('error', 'account-not-read', `Account ${a.id}${a.name !== undefined ? ` (${a.name})` : ''} could not be read (${a.error.code}: ${a.error.message}); none of its instances were audited.`, {
        accountId: a.id,
        errorCode: a.error.code,
      }),
    );
  }
  for (const u of result.coverage.unread) {
    const why = u.error ? ` (${u.error.code}: ${u.error.message})` : '';
    const props = { instanceName: u.name, region: u.region, ...(u.arn ? { instanceArn: u.arn } : {}), ...(u.error ? { errorCode: u.error.code } : {}) };
    if (u.status === 'gone') {
      out.push(notification('note', 'instance-gone', `Instance ${u.name} (${u.region}) was deleted during the scan${why}.`, props));
    } else {
      out.push(notification('error', 'instance-not-read', `Instance ${u.name} (${u.region}) could not be read${why}; it was not audited.`, props));
    }
  }
  // Unread regions and instances are already named above, from the coverage.
  const diagnostics = result.diagnostics.filter((d) => !COVERAGE_DIAGNOSTICS.has(d.code));
  for (const d of diagnostics.slice(0, MAX_DIAGNOSTIC_NOTIFICATIONS)) {
    const where = d.instance ? `${d.instance.name} (${d.instance.region}): ` : '';
    const level: SarifLevel = d.level === 'info' ? 'note' : d.level;
    out.push(notification(level, d.code, limited(`${where}${d.message}`, d.code, 65536)));
  }
  if (diagnostics.length > MAX_DIAGNOSTIC_NOTIFICATIONS) {
    out.push(
      notification(
        'note',
        'diagnostics-cut',
        `${diagnostics.length - MAX_DIAGNOSTIC_NOTIFICATIONS} more diagnostics are not listed here; the JSON report has them all.`,
      ),
    );
  }
  return out;
}

/** Expired and unused exceptions: problems of the policy (configuration), not of the run. */
function configurationNotifications(result: AuditResult): Notification[] {
  const out: Notification[] = [];
  for (const e of result.exceptions) {
    const where = `${e.position.file}:${e.position.line}:${e.position.col}`;
    const rules = e.rules.join(', ');
    if (e.status === 'expired') {
      out.push(
        notification(
          'warning',
          'expired-exception',
          `Exception at ${where} for ${rules} expired on ${e.expires ?? '?'} and suppresses nothing; ${plural(e.matchedAfterExpiry, 'finding')} counted again.`,
        ),
      );
    } else if (e.status === 'unused') {
      out.push(notification('note', 'unused-exception', `Exception at ${where} for ${rules} suppressed nothing.`));
    }
  }
  return out;
}

function buildLog(result: AuditResult, meta: ReportMeta, kept: Finding[], cutNotes: string[]): Log {
  const rules = result.policy.rules.map(ruleDescriptor);
  const ruleIndexById = new Map<string, number>();
  result.policy.rules.forEach((r, i) => {
    if (!ruleIndexById.has(r.id)) ruleIndexById.set(r.id, i);
  });
  const results = kept.map((f) => {
    let index = ruleIndexById.get(f.ruleId);
    if (index === undefined) {
      // A finding of a rule the summary does not list: describe it from the finding so the log stays valid.
      index = rules.length;
      ruleIndexById.set(f.ruleId, index);
      rules.push(ruleDescriptor({ id: f.ruleId, title: f.ruleId, severity: f.severity, position: { file: result.policy.path, line: 1, col: 1 } }));
    }
    return resultOf(f, index);
  });

  const executionNotes = executionNotifications(result);
  for (const note of cutNotes) executionNotes.push(notification('warning', 'results-cut', note));

  const category = meta.category?.trim() || 'portolan';
  const run: Run = {
    tool: {
      driver: {
        name: meta.toolName,
        semanticVersion: meta.toolVersion,
        version: meta.toolVersion,
        informationUri: meta.informationUri,
        rules,
      },
    },
    // The trailing slash makes the whole id the category (GitHub reads `category/run-id`).
    automationDetails: { id: category.endsWith('/') ? category : `${category}/` },
    invocations: [
      {
        executionSuccessful: result.coverage.complete,
        endTimeUtc: meta.generatedAt,
        toolExecutionNotifications: executionNotes,
        toolConfigurationNotifications: configurationNotifications(result),
      },
    ],
    results,
    columnKind: 'utf16CodeUnits',
    properties: {
      source: meta.source,
      ...(meta.portSource !== undefined ? { portSource: meta.portSource } : {}),
      policy: result.policy.path,
      coverageComplete: result.coverage.complete,
      ...(result.fixed ? { fixedSinceBaseline: result.fixed.length } : {}),
    },
  };
  return { $schema: SARIF_SCHEMA_URI, version: '2.1.0', runs: [run] };
}

/** Indented for a run a person might read; one line past COMPACT_RESULTS results (a third smaller, and GitHub reads either). */
const COMPACT_RESULTS = 1000;

function serialize(log: Log): string {
  const results = log.runs[0]?.results?.length ?? 0;
  return `${results > COMPACT_RESULTS ? JSON.stringify(log) : JSON.stringify(log, null, 2)}\n`;
}

export function formatSarif(result: AuditResult, meta: ReportMeta, options: SarifOptions = {}): string {
  const maxResults = Math.max(0, options.maxResults ?? SARIF_MAX_RESULTS);
  const maxGzip = options.maxGzipBytes ?? SARIF_MAX_GZIP_BYTES;
  // Most severe first (unsuppressed before suppressed), so a cut keeps what matters.
  const ordered = keepingOrder(result.findings);
  const total = ordered.length;

  let keep = Math.min(total, maxResults);
  const notes = (kept: number, cause: string): string[] =>
    kept < total
      ? [`${total - kept} of ${total} results were left out ${cause}; the most severe were kept. The JSON report has them all.`]
      : [];
  const cause = (kept: number): string =>
    kept < Math.min(total, maxResults) ? `to keep the file under GitHub's size limit` : `(GitHub accepts at most ${maxResults} per run)`;

  let text = serialize(buildLog(result, meta, ordered.slice(0, keep), notes(keep, cause(keep))));
  // The raw size bounds the gzipped size, so gzip only when it could matter.
  while (Buffer.byteLength(text) > maxGzip && keep > 0) {
    const size = gzipSync(text).length;
    if (size <= maxGzip) break;
    keep = Math.floor(keep * Math.min(0.9, (maxGzip / size) * 0.95));
    text = serialize(buildLog(result, meta, ordered.slice(0, keep), notes(keep, cause(keep))));
  }
  return text;
}
