// The JSON report: the machine-readable record of an audit (spec section 4).
// Objects are rebuilt key by key so the key order is fixed whatever order the
// evaluator filled them in: the output is byte-identical for the same input.

import { randomBytes } from 'node:crypto';
import { remediationCommand } from '../core/remediation.js';
import type {
  AccountCoverage,
  AuditResult,
  Diagnostic,
  ExceptionReport,
  Finding,
  InstanceRef,
  RegionCoverage,
  ReportMeta,
  RuleSummary,
  UnreadInstance,
} from '../core/types.js';

/** Version of the report format; the baseline reader checks it. */
export const JSON_REPORT_VERSION = 1;

type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
type JsonObject = { [key: string]: JsonValue };

/** Add `key` only when `value` is defined: optional fields are left out, never `null`. */
function withOptional(target: JsonObject, key: string, value: JsonValue | undefined): JsonObject {
  if (value !== undefined) target[key] = value;
  return target;
}

function ruleJson(rule: RuleSummary): JsonObject {
  const out: JsonObject = { id: rule.id, title: rule.title, severity: rule.severity };
  withOptional(out, 'description', rule.description);
  withOptional(out, 'remediation', rule.remediation);
  out['position'] = { file: rule.position.file, line: rule.position.line, col: rule.position.col };
  return out;
}

export function findingJson(f: Finding): JsonObject {
  const out: JsonObject = { ruleId: f.ruleId, severity: f.severity, suppressed: f.suppressed };
  if (f.suppression) {
    out['suppression'] = withOptional({ reason: f.suppression.reason }, 'expires', f.suppression.expires);
  }
  out['instance'] = instanceJson(f.instance);
  out['portState'] = {
    protocol: f.portState.protocol,
    fromPort: f.portState.fromPort,
    toPort: f.portState.toPort,
    cidrs: [...f.portState.cidrs],
    ipv6Cidrs: [...f.portState.ipv6Cidrs],
    cidrListAliases: [...f.portState.cidrListAliases],
  };
  out['message'] = f.message;
  out['fingerprint'] = f.fingerprint;
  out['remediation'] = { command: remediationCommand(f) };
  withOptional(out, 'baselineState', f.baselineState);
  return out;
}

function exceptionJson(e: ExceptionReport): JsonObject {
  const out: JsonObject = { rules: [...e.rules], reason: e.reason };
  withOptional(out, 'expires', e.expires);
  out['position'] = { file: e.position.file, line: e.position.line, col: e.position.col };
  out['status'] = e.status;
  out['suppressed'] = e.suppressed;
  out['matchedAfterExpiry'] = e.matchedAfterExpiry;
  return out;
}

function diagnosticJson(d: Diagnostic): JsonObject {
  const out: JsonObject = { level: d.level, code: d.code, message: d.message };
  if (d.instance) out['instance'] = instanceJson(d.instance);
  return out;
}

function errorJson(error: { code: string; message: string } | undefined): JsonValue | undefined {
  return error ? { code: error.code, message: error.message } : undefined;
}

/** Port state texts kept at most: a fleet of one-off states must not keep them all. */
const TEXT_CACHE_LIMIT = 50_000;

/**
 * A finding as JSON.stringify(findingJson(f)) writes it, compactly, without
 * building the object: what an instance, a port state or a rule id serializes
 * to is kept per object, since many findings share them. For the long lists
 * of a large report, where this is most of the time spent.
 */
export class CompactFindingWriter {
  /** The last instance written: consecutive findings often share one. */
  private lastInstance: InstanceRef | undefined;
  private lastInstanceText = '';

  private instance(i: InstanceRef): string {
    if (i !== this.lastInstance) {
      this.lastInstance = i;
      this.lastInstanceText = JSON.stringify(instanceJson(i));
    }
    return this.lastInstanceText;
  }

  /** Port states are shared by the findings of alike states: each is written once (up to TEXT_CACHE_LIMIT kept). */
  private readonly portStateTexts = new Map<object, string>();
  private readonly ruleIdTexts = new Map<string, string>();

  private list(items: readonly string[]): string {
    return items.length === 0 ? '[]' : JSON.stringify(items);
  }

  private portState(ps: Finding['portState']): string {
    let text = this.portStateTexts.get(ps);
    if (text === undefined) {
      const port = (n: number | null): string => (n === null || !Number.isFinite(n) ? 'null' : String(n));
      text =
        `{"protocol":${JSON.stringify(ps.protocol)},"fromPort":${port(ps.fromPort)},"toPort":${port(ps.toPort)}` +
        `,"cidrs":${this.list(ps.cidrs)},"ipv6Cidrs":${this.list(ps.ipv6Cidrs)},"cidrListAliases":${this.list(ps.cidrListAliases)}}`;
      if (this.portStateTexts.size >= TEXT_CACHE_LIMIT) this.portStateTexts.clear();
      this.portStateTexts.set(ps, text);
    }
    return text;
  }

  private ruleId(id: string): string {
    let text = this.ruleIdTexts.get(id);
    if (text === undefined) this.ruleIdTexts.set(id, (text = JSON.stringify(id)));
    return text;
  }

  text(f: Finding): string {
    let out = `{"ruleId":${this.ruleId(f.ruleId)},"severity":"${f.severity}","suppressed":${f.suppressed}`;
    if (f.suppression) out += `,"suppression":${JSON.stringify(withOptional({ reason: f.suppression.reason }, 'expires', f.suppression.expires))}`;
    out += `,"instance":${this.instance(f.instance)}`;
    out += `,"portState":${this.portState(f.portState)}`;
    out += `,"message":${JSON.stringify(f.message)},"fingerprint":${JSON.stringify(f.fingerprint)},"remediation":{"command":${JSON.stringify(remediationCommand(f))}}`;
    if (f.baselineState !== undefined) out += `,"baselineState":"${f.baselineState}"`;
    return `${out}}`;
  }
}

function instanceJson(i: InstanceRef): JsonObject {
  const out: JsonObject = { name: i.name, region: i.region };
  withOptional(out, 'arn', i.arn);
  withOptional(out, 'accountId', i.accountId);
  return withOptional(out, 'accountName', i.accountName);
}

function regionJson(r: RegionCoverage): JsonObject {
  const out: JsonObject = { name: r.name, status: r.status };
  withOptional(out, 'accountId', r.accountId);
  return withOptional(out, 'error', errorJson(r.error));
}

function accountJson(a: AccountCoverage): JsonObject {
  const out: JsonObject = { id: a.id };
  withOptional(out, 'name', a.name);
  withOptional(out, 'ouPath', a.ouPath);
  out['status'] = a.status;
  if (a.status === 'skipped') withOptional(out, 'reason', a.reason);
  withOptional(out, 'error', errorJson(a.error));
  return Object.assign(out, { instances: a.instances, scanned: a.scanned, failed: a.failed, gone: a.gone });
}

function unreadJson(u: UnreadInstance): JsonObject {
  const out = instanceJson(u);
  out['status'] = u.status;
  return withOptional(out, 'error', errorJson(u.error));
}

/**
 * The report as JSON text, piece by piece, exactly as JSON.stringify(report,
 * null, 2) would write it: the skeleton is stringified with a placeholder for
 * each long list, and each list is written element by element in its place,
 * so a report of a million findings is never one string.
 */
export function* jsonReport(result: AuditResult, meta: ReportMeta): Generator<string> {
  const c = result.coverage;
  const s = result.summary.bySeverity;
  const lists = new Map<string, ListSource>();
  // A fresh nonce: no text of the policy or the inventory can pose as a placeholder.
  const nonce = randomBytes(8).toString('hex');
  const later = (name: string, list: readonly unknown[], items: () => Iterable<JsonValue>, compactTexts?: () => Iterable<string>): string => {
    const placeholder = `\u0000list:${nonce}:${name}\u0000`;
    lists.set(placeholder, compactTexts ? { items, count: list.length, compactTexts } : { items, count: list.length });
    return placeholder;
  };
  const writer = new CompactFindingWriter();
  const findingTexts = (findings: readonly Finding[]) => () => mapIterable(findings, (f) => writer.text(f));
  const coverage: JsonObject = {
    regions: later('regions', c.regions, () => map(c.regions, regionJson)),
  };
  if (c.accounts) coverage['accounts'] = later('accounts', c.accounts, () => map(c.accounts ?? [], accountJson));
  Object.assign(coverage, {
    instances: c.instances,
    scanned: c.scanned,
    failed: c.failed,
    gone: c.gone,
    complete: c.complete,
    unread: later('unread', c.unread, () => map(c.unread, unreadJson)),
  });
  const report: JsonObject = {
    version: JSON_REPORT_VERSION,
    generatedAt: meta.generatedAt,
    tool: { name: meta.toolName, version: meta.toolVersion },
    source: meta.source,
    ...(meta.portSource !== undefined ? { portSource: meta.portSource } : {}),
    policy: { path: result.policy.path, rules: result.policy.rules.map(ruleJson) },
    coverage,
    summary: {
      bySeverity: { critical: s.critical, high: s.high, medium: s.medium, low: s.low, info: s.info },
      suppressed: result.summary.suppressed,
    },
    findings: later('findings', result.findings, () => map(result.findings, findingJson), findingTexts(result.findings)),
    exceptions: result.exceptions.map(exceptionJson),
    diagnostics: later('diagnostics', result.diagnostics, () => map(result.diagnostics, diagnosticJson)),
  };
  const fixed = result.fixed;
  if (fixed) report['fixed'] = later('fixed', fixed, () => map(fixed, findingJson), findingTexts(fixed));
  yield* spliceLists(JSON.stringify(report, null, 2), lists);
  yield '\n';
}

function* map<T>(items: readonly T[], fn: (item: T) => JsonValue): Generator<JsonValue> {
  for (const item of items) yield fn(item);
}

/** Writes `skeleton`, replacing each `"<placeholder>"` value by its list, indented as JSON.stringify would. */
function* spliceLists(skeleton: string, lists: ReadonlyMap<string, ListSource>): Generator<string> {
  let at = 0;
  const marker = /"\\u0000list:[0-9a-f]+:[a-z]+\\u0000"/g;
  for (let m = marker.exec(skeleton); m !== null; m = marker.exec(skeleton)) {
    const list = lists.get(JSON.parse(m[0]) as string);
    if (!list) continue;
    yield skeleton.slice(at, m.index);
    at = m.index + m[0].length;
    const lineStart = skeleton.lastIndexOf('\n', m.index) + 1;
    const indent = /^ */.exec(skeleton.slice(lineStart))?.[0] ?? '';
    yield* listText(list, indent);
  }
  yield skeleton.slice(at);
}

/** Past this many elements, a list is written one compact element per line: a report of 350k findings stays a third smaller and fast to write. */
export const COMPACT_LIST_THRESHOLD = 1000;

/** A list of the report: its JSON values, or (for findings) ready compact JSON text. */
interface ListSource {
  count: number;
  items: () => Iterable<JsonValue>;
  /** Compact JSON of each element, when a faster way than the values exists. */
  compactTexts?: () => Iterable<string>;
}

function* listText(list: ListSource, indent: string): Generator<string> {
  const inner = `${indent}  `;
  const compact = list.count > COMPACT_LIST_THRESHOLD;
  const texts: Iterable<string> =
    compact && list.compactTexts ? list.compactTexts() : mapIterable(list.items(), (item) => (compact ? JSON.stringify(item) : JSON.stringify(item, null, 2).replace(/\n/g, `\n${inner}`)));
  let first = true;
  for (const text of texts) {
    yield `${first ? '[\n' : ',\n'}${inner}${text}`;
    first = false;
  }
  yield first ? '[]' : `\n${indent}]`;
}

function* mapIterable<T, U>(items: Iterable<T>, fn: (item: T) => U): Generator<U> {
  for (const item of items) yield fn(item);
}

export function formatJson(result: AuditResult, meta: ReportMeta): string {
  return [...jsonReport(result, meta)].join('');
}
