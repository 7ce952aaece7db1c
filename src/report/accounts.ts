// One account's share of an organization audit: what its own SARIF run shows
// (GitHub takes one run per category, at most 20 runs an upload and 25,000
// results a run, so an organization gets one SARIF file per account).

import { summarize } from '../core/evaluate.js';
import { knownSorted, markSorted } from '../core/order.js';
import type { AccountCoverage, AuditResult, Diagnostic } from '../core/types.js';

/** Diagnostics about the policy, not about an account: every account's run carries them. */
const POLICY_DIAGNOSTICS: ReadonlySet<Diagnostic['code']> = new Set(['expired-exception', 'unused-exception']);

export function accountResult(result: AuditResult, account: AccountCoverage): AuditResult {
  const id = account.id;
  const findings = result.findings.filter((f) => f.instance.accountId === id);
  if (knownSorted(result.findings)) markSorted(findings); // a filter keeps the order
  const regions = result.coverage.regions.filter((r) => r.accountId === id);
  const unread = result.coverage.unread.filter((u) => u.accountId === id);
  // An account with no region read was not read at all (nothing-read): its run must not say complete, or an upload closes its alerts.
  const complete = account.status === 'ok' && regions.length > 0 && account.failed === 0 && regions.every((r) => r.status === 'ok');
  return {
    policy: result.policy,
    coverage: {
      regions,
      accounts: [account],
      instances: account.instances,
      scanned: account.scanned,
      failed: account.failed,
      gone: account.gone,
      complete,
      unread,
    },
    summary: summarize(findings),
    findings,
    exceptions: result.exceptions,
    diagnostics: result.diagnostics.filter((d) => d.instance?.accountId === id || (d.instance === undefined && POLICY_DIAGNOSTICS.has(d.code))),
    ...(result.fixed ? { fixed: result.fixed.filter((f) => f.instance.accountId === id) } : {}),
  };
}
