// The JSON report: the machine-readable record of an audit (spec section 4).
// Objects are rebuilt key by key so the key order is fixed whatever order the
// evaluator filled them in: the output is byte-identical for the same input.

import type {
  AuditResult,
  Diagnostic,
  ExceptionReport,
  Finding,
  ReportMeta,
  RuleSummary,
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
  out['instance'] = withOptional({ name: f.instance.name, region: f.instance.region }, 'arn', f.instance.arn);
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
  if (d.instance) {
    out['instance'] = withOptional({ name: d.instance.name, region: d.instance.region }, 'arn', d.instance.arn);
  }
  return out;
}

function errorJson(error: { code: string; message: string } | undefined): JsonValue | undefined {
  return error ? { code: error.code, message: error.message } : undefined;
}

export function formatJson(result: AuditResult, meta: ReportMeta): string {
  const c = result.coverage;
  const s = result.summary.bySeverity;
  const report: JsonObject = {
    version: JSON_REPORT_VERSION,
    generatedAt: meta.generatedAt,
    tool: { name: meta.toolName, version: meta.toolVersion },
    source: meta.source,
    policy: { path: result.policy.path, rules: result.policy.rules.map(ruleJson) },
    coverage: {
      regions: c.regions.map((r) => withOptional({ name: r.name, status: r.status }, 'error', errorJson(r.error))),
      instances: c.instances,
      scanned: c.scanned,
      failed: c.failed,
      gone: c.gone,
      complete: c.complete,
      unread: c.unread.map((u) => {
        const out: JsonObject = withOptional({ name: u.name, region: u.region }, 'arn', u.arn);
        out['status'] = u.status;
        return withOptional(out, 'error', errorJson(u.error));
      }),
    },
    summary: {
      bySeverity: { critical: s.critical, high: s.high, medium: s.medium, low: s.low, info: s.info },
      suppressed: result.summary.suppressed,
    },
    findings: result.findings.map(findingJson),
    exceptions: result.exceptions.map(exceptionJson),
    diagnostics: result.diagnostics.map(diagnosticJson),
  };
  if (result.fixed) report['fixed'] = result.fixed.map(findingJson);
  return `${JSON.stringify(report, null, 2)}\n`;
}
