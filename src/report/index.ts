// One entry point for the CLI: format names, file names, and dispatch.

import { isAccountId } from '../core/account-state.js';
import type { AuditResult, ReportMeta } from '../core/types.js';
import { accountResult } from './accounts.js';
import { formatJson, jsonReport } from './json.js';
import { formatMarkdown } from './markdown.js';
import { formatSarif } from './sarif.js';
import { formatSummary, formatText, textReport } from './text.js';

/** A report as one string, or piece by piece (large reports are never one string). */
export type ReportContent = string | Iterable<string>;

export type ReportFormat = 'json' | 'sarif' | 'markdown' | 'text';
export const REPORT_FORMATS: readonly ReportFormat[] = ['json', 'sarif', 'markdown', 'text'];

const FILE_NAMES: Record<ReportFormat, string> = {
  json: 'portolan.json',
  sarif: 'portolan.sarif',
  markdown: 'portolan.md',
  text: 'portolan.txt',
};

export function isReportFormat(value: string): value is ReportFormat {
  return (REPORT_FORMATS as readonly string[]).includes(value);
}

/** The file a format is written to inside `--out`. */
export function reportFileName(format: ReportFormat): string {
  return FILE_NAMES[format];
}

/** Every format with its defaults; text without colour (files never get escape codes). */
export function formatReport(format: ReportFormat, result: AuditResult, meta: ReportMeta): ReportContent {
  switch (format) {
    case 'json':
      return jsonReport(result, meta);
    case 'sarif':
      return formatSarif(result, meta);
    case 'markdown':
      return formatMarkdown(result, meta);
    case 'text':
      return textReport(result, meta);
  }
}

export interface ReportFile {
  name: string;
  content: ReportContent;
}

/**
 * The files one format writes. Every format is one file, but SARIF for an
 * organization: one file per audited account (`portolan-<id>.sarif`), each
 * its own GitHub category `<category>/<id>`, so each account's alerts are
 * tracked and closed on their own. Skipped accounts get none.
 */
export function reportFiles(format: ReportFormat, result: AuditResult, meta: ReportMeta): ReportFile[] {
  const accounts = result.coverage.accounts;
  if (format !== 'sarif' || !accounts) return [{ name: reportFileName(format), content: formatReport(format, result, meta) }];
  const category = (meta.category ?? 'portolan').replace(/\/+$/, '');
  return accounts
    .filter((a) => a.status !== 'skipped')
    .map((a) => ({ name: sarifFileName(a.id), content: formatSarif(accountResult(result, a), { ...meta, category: `${category}/${a.id}` }) }));
}

/** The account id becomes a file name: inputs are checked to hold 12 digits, and this holds the line should a check ever miss (no `../`). */
function sarifFileName(accountId: string): string {
  if (!isAccountId(accountId)) throw new Error(`account id ${JSON.stringify(accountId.slice(0, 40))} is not 12 digits: refusing it as a file name`);
  return `portolan-${accountId}.sarif`;
}

/** A report as one string (tests, small results). */
export function reportText(format: ReportFormat, result: AuditResult, meta: ReportMeta): string {
  const content = formatReport(format, result, meta);
  return typeof content === 'string' ? content : [...content].join('');
}

export { formatJson, formatMarkdown, formatSarif, formatSummary, formatText };
export type { MarkdownOptions } from './markdown.js';
export type { SarifOptions } from './sarif.js';
export type { TextOptions } from './text.js';
