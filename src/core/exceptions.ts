// Exceptions (spec 3.5): the first active exception that matches, in policy
// order, suppresses a finding; an expired one suppresses nothing and says so;
// one that matched nothing is unused. Findings become final here: a
// suppressed finding carries its suppression, an open one none.

import { evaluatedPortRange, type InstanceFacts } from './findings.js';
import { rangeCovered } from './match.js';
import { inScope } from './scope.js';
import type { Diagnostic, ExceptionReport, Finding, PolicyException } from './types.js';

/** First instant at which an exception no longer applies: the day after `expires`, 00:00Z. */
export function expiryInstant(expires: string): number {
  const [y, m, d] = expires.split('-').map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d + 1);
}

export function isExpired(ex: PolicyException, now: number): boolean {
  return ex.expires !== undefined && now >= expiryInstant(ex.expires);
}

function exceptionMatches(ex: PolicyException, f: Finding, facts: InstanceFacts): boolean {
  if (!ex.rules.includes('*') && !ex.rules.includes(f.ruleId)) return false;
  if (!inScope(ex, { name: facts.ref.name, region: facts.ref.region, tags: facts.tags })) return false;
  if (ex.ports) {
    const range = evaluatedPortRange(f.portState);
    if (!range) return false; // ICMP findings have no port range
    if (!rangeCovered(range, ex.ports)) return false;
  }
  return true;
}

export function exceptionLabel(ex: { position: { file: string; line: number; col: number }; rules: string[]; reason: string }): string {
  return `exception at ${ex.position.file}:${ex.position.line}:${ex.position.col} (rules ${ex.rules.join(', ')}: "${ex.reason}")`;
}

/** Marks an open finding suppressed, in place: its suppression comes with it. */
function suppress(f: Finding, by: PolicyException): void {
  Object.assign(f, { suppressed: true, suppression: by.expires !== undefined ? { reason: by.reason, expires: by.expires } : { reason: by.reason } });
}

/**
 * Suppresses, in place, the findings an active exception covers; `facts[i]`
 * is what finding i's instance looks like to a scope. Returns each
 * exception's report.
 */
export function applyExceptions(findings: readonly Finding[], facts: readonly InstanceFacts[], exceptions: readonly PolicyException[], now: number, diagnostics: Diagnostic[]): ExceptionReport[] {
  const expired = exceptions.map((ex) => isExpired(ex, now));
  const reports: ExceptionReport[] = exceptions.map((ex) => ({
    rules: ex.rules,
    reason: ex.reason,
    ...(ex.expires !== undefined ? { expires: ex.expires } : {}),
    position: ex.position,
    status: 'unused',
    suppressed: 0,
    matchedAfterExpiry: 0,
  }));
  for (let fi = 0; fi < findings.length && exceptions.length > 0; fi++) {
    const f = findings[fi] as Finding;
    const instance = facts[fi] as InstanceFacts;
    let by: PolicyException | undefined;
    for (let i = 0; i < exceptions.length; i++) {
      const ex = exceptions[i] as PolicyException;
      if (!exceptionMatches(ex, f, instance)) continue;
      const report = reports[i] as ExceptionReport;
      if (expired[i]) {
        report.matchedAfterExpiry++;
        continue;
      }
      report.suppressed++;
      by ??= ex;
    }
    if (by) suppress(f, by);
  }
  exceptions.forEach((ex, i) => {
    const report = reports[i] as ExceptionReport;
    if (expired[i]) {
      report.status = 'expired';
      const counts = report.matchedAfterExpiry === 1 ? '1 finding counts again' : `${report.matchedAfterExpiry} findings count again`;
      diagnostics.push({ level: 'warning', code: 'expired-exception', message: `${exceptionLabel(ex)} expired at the end of ${ex.expires ?? ''} UTC; ${counts}` });
    } else if (report.suppressed > 0) {
      report.status = 'active';
    } else {
      diagnostics.push({ level: 'warning', code: 'unused-exception', message: `${exceptionLabel(ex)} suppressed nothing` });
    }
  });
  return reports;
}

/** Exceptions that expire within this many days get a warning from `validate`. */
export const EXPIRY_WARNING_DAYS = 14;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface ExceptionWarning {
  position: PolicyException['position'];
  message: string;
}

/**
 * What `validate` warns about (exit 0): an exception that has expired (it
 * suppresses nothing any more), one that expires within 14 days, and one for
 * every rule (`rules: ["*"]`) with no instances, regions, tags or ports: it
 * would silence the whole policy.
 */
export function exceptionWarnings(exceptions: readonly PolicyException[], now: number): ExceptionWarning[] {
  const out: ExceptionWarning[] = [];
  for (const ex of exceptions) {
    if (ex.expires !== undefined) {
      const end = expiryInstant(ex.expires);
      if (now >= end) out.push({ position: ex.position, message: `exception expired at the end of ${ex.expires} UTC; it suppresses nothing now` });
      else if (end - now <= EXPIRY_WARNING_DAYS * DAY_MS) {
        const days = Math.ceil((end - now) / DAY_MS);
        out.push({ position: ex.position, message: `exception expires at the end of ${ex.expires} UTC, in ${days === 1 ? '1 day' : `${days} days`}` });
      }
    }
    const unscoped = ex.instances === undefined && ex.regions === undefined && ex.tags === undefined && ex.ports === undefined;
    if (ex.rules.includes('*') && unscoped) {
      out.push({ position: ex.position, message: 'exception covers every rule (rules: ["*"]) with no instances, regions, tags or ports: it suppresses every finding' });
    }
  }
  return out;
}
