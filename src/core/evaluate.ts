// The engine: a validated policy over an inventory gives findings, coverage and
// diagnostics. Pure: the clock comes in as `now`.
//
// Hot path: 100k instances x ~8 states x every rule. Alike raw states share one
// normalized state object, so each rule's verdict and wording are computed
// once per distinct state, not once per instance.

import { hash } from 'node:crypto';
import { allowListText, sourcesText, trafficText } from './describe.js';
import { anyGlobMatch } from './glob.js';
import { allowCovers, EVERY_PORT, matchesSource, matchesTraffic, rangeCovered } from './match.js';
import { createStateNormalizer } from './normalize.js';
import type {
  AuditResult,
  Coverage,
  Diagnostic,
  ExceptionReport,
  Finding,
  InstanceRef,
  IntRange,
  Inventory,
  InventoryInstance,
  NormalizedState,
  Policy,
  PolicyException,
  RawPortState,
  Rule,
  Scope,
  Severity,
  Tag,
} from './types.js';
import { SEVERITIES } from './types.js';
import { compareFindings } from './order.js';

export interface EvaluateOptions {
  now: Date;
}

// ---------------------------------------------------------------- scope

function tagValue(tags: Tag[] | undefined, key: string): string | undefined {
  if (!Array.isArray(tags)) return undefined;
  for (const t of tags) if (t && t.key === key) return t.value === undefined || t.value === null ? '' : String(t.value);
  return undefined;
}

function tagsMatch(want: Record<string, string>, tags: Tag[] | undefined): boolean {
  for (const [key, value] of Object.entries(want)) {
    const have = tagValue(tags, key);
    if (have === undefined) return false;
    if (value !== '*' && have !== value) return false;
  }
  return true;
}

function inScope(scope: Scope | undefined, inst: InventoryInstance): boolean {
  if (!scope) return true;
  if (scope.regions && !scope.regions.includes(inst.region)) return false;
  if (scope.instances && !anyGlobMatch(scope.instances, inst.name)) return false;
  if (scope.tags && !tagsMatch(scope.tags, inst.tags)) return false;
  return true;
}

// ---------------------------------------------------------------- findings

export function fingerprintOf(ruleId: string, instance: InstanceRef, protocol: string, from: number | null, to: number | null): string {
  const who = instance.arn ? instance.arn : `${instance.region}/${instance.name}`;
  return hash('sha256', `portolan/v1\0${ruleId}\0${who}\0${protocol}\0${from ?? ''}\0${to ?? ''}`).slice(0, 32);
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function mergeList(into: string[], more: string[]): void {
  for (const x of more) if (!into.includes(x)) into.push(x);
}

/** The range an exception's `ports` compares (section 6); null for ICMP and unknown protocols. */
function evaluatedPortRange(state: NormalizedState): IntRange | null {
  if (state.protocol === 'all') return EVERY_PORT;
  if (state.protocol === 'tcp' || state.protocol === 'udp') return state.ports ?? EVERY_PORT;
  return null;
}

interface PendingFinding {
  finding: Finding;
  rule: Rule;
  inst: InventoryInstance;
  portRange: IntRange | null;
}

// ---------------------------------------------------------------- exceptions

/** First instant at which an exception no longer applies: the day after `expires`, 00:00Z. */
export function expiryInstant(expires: string): number {
  const [y, m, d] = expires.split('-').map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d + 1);
}

function exceptionMatches(ex: PolicyException, p: PendingFinding): boolean {
  if (!ex.rules.includes('*') && !ex.rules.includes(p.rule.id)) return false;
  if (ex.regions && !ex.regions.includes(p.inst.region)) return false;
  if (ex.instances && !anyGlobMatch(ex.instances, p.inst.name)) return false;
  if (ex.tags && !tagsMatch(ex.tags, p.inst.tags)) return false;
  if (ex.ports) {
    if (!p.portRange) return false; // ICMP findings have no port range
    if (!rangeCovered(p.portRange, ex.ports)) return false;
  }
  return true;
}

function exceptionLabel(ex: PolicyException): string {
  const at = `${ex.position.file}:${ex.position.line}:${ex.position.col}`;
  return `exception at ${at} (rules ${ex.rules.join(', ')}: "${ex.reason}")`;
}

// ---------------------------------------------------------------- coverage

function isoInstanceRef(inst: InventoryInstance): InstanceRef {
  return inst.arn ? { name: inst.name, region: inst.region, arn: inst.arn } : { name: inst.name, region: inst.region };
}

// ---------------------------------------------------------------- main

export function evaluate(policy: Policy, inventory: Inventory, options: EvaluateOptions): AuditResult {
  const now = options.now.getTime();
  const rules = policy.rules;
  const diagnostics: Diagnostic[] = [];

  const coverage: Coverage = {
    regions: inventory.regions.map((r) => (r.error ? { name: r.name, status: r.status, error: r.error } : { name: r.name, status: r.status })),
    instances: inventory.instances.length,
    scanned: 0,
    failed: 0,
    gone: 0,
    complete: true,
    unread: [],
  };
  for (const r of inventory.regions) {
    if (r.status !== 'ok') {
      coverage.complete = false;
      const why = r.error ? `${r.error.code}: ${r.error.message}` : 'no reason recorded';
      diagnostics.push({ level: 'error', code: 'region-unreadable', message: `region ${r.name} could not be read (${why}); its instances are not audited` });
    }
  }

  // Worded once per rule: allow-lists can be long, findings many.
  const allowNotes = rules.map((r) => (r.allow ? ` Not in the allow-list of ${r.id} (${allowListText(r.allow)}).` : ''));

  // Per distinct normalized state (alike raw states share one, see
  // createStateNormalizer): each rule's verdict, 0 not yet known, 1 violates,
  // 2 does not; and the wording of what is open to whom.
  interface StateMemo {
    verdicts: Int8Array;
    words: Array<string | undefined>;
  }
  const normalize = createStateNormalizer<StateMemo>(() => ({ verdicts: new Int8Array(rules.length), words: [] }));
  const violates = (ri: number, state: NormalizedState, memo: StateMemo): boolean => {
    let v = memo.verdicts[ri]!;
    if (v === 0) {
      const rule = rules[ri]!;
      const yes =
        matchesTraffic(rule.match, state) && matchesSource(rule.match.source, state.sources) && !(rule.allow && allowCovers(rule.allow, state));
      v = memo.verdicts[ri] = yes ? 1 : 2;
    }
    return v === 1;
  };
  const wording = (ri: number, state: NormalizedState, memo: StateMemo): string => {
    let w = memo.words[ri];
    if (w === undefined) {
      const rule = rules[ri]!;
      w = memo.words[ri] = `${trafficText(state, rule.match)} open to ${sourcesText(rule.match.source, state.sources)}.${allowNotes[ri]}`;
    }
    return w;
  };

  const byIdentity = new Map<string, PendingFinding>();
  const pending: PendingFinding[] = [];
  const applicable: number[] = [];

  for (const inst of inventory.instances) {
    const ref = isoInstanceRef(inst);
    if (inst.status === 'gone') {
      coverage.gone++;
      coverage.unread.push({ ...ref, status: 'gone' });
      diagnostics.push({ level: 'info', code: 'instance-gone', message: `instance ${inst.name} (${inst.region}) was deleted while it was being read`, instance: ref });
      continue;
    }
    if (inst.status === 'error' || !Array.isArray(inst.portStates)) {
      const error = inst.error ?? { code: 'MissingPortStates', message: 'the inventory holds no port states for this instance' };
      coverage.failed++;
      coverage.complete = false;
      coverage.unread.push({ ...ref, status: 'error', error });
      diagnostics.push({ level: 'error', code: 'instance-unreadable', message: `instance ${inst.name} (${inst.region}) could not be read (${error.code}: ${error.message}); it is not audited`, instance: ref });
      continue;
    }
    coverage.scanned++;

    applicable.length = 0;
    for (let i = 0; i < rules.length; i++) if (inScope(rules[i]!.scope, inst)) applicable.push(i);

    const states = inst.portStates as RawPortState[];
    for (let si = 0; si < states.length; si++) {
      const raw = states[si] ?? {};
      const shared = normalize(raw);
      const state = shared.result.state;
      const stateDiags = shared.result.diagnostics;
      for (let di = 0; di < stateDiags.length; di++) diagnostics.push({ ...stateDiags[di]!, instance: ref });
      if (!state.open) continue;

      const memo = shared.memo;
      for (let ai = 0; ai < applicable.length; ai++) {
        const ri = applicable[ai]!;
        if (!violates(ri, state, memo)) continue;
        const rule = rules[ri]!;

        const key = `${ri}\0${inst.region}\0${inst.name}\0${state.protocolText}\0${state.rawFromPort}\0${state.rawToPort}`;
        const existing = byIdentity.get(key);
        const cidrs = stringList(raw.cidrs);
        const ipv6Cidrs = stringList(raw.ipv6Cidrs);
        const aliases = stringList(raw.cidrListAliases);
        if (existing) {
          // Duplicates merge (3.2): one finding, every source that made it.
          const ps = existing.finding.portState;
          mergeList(ps.cidrs, cidrs);
          mergeList(ps.ipv6Cidrs, ipv6Cidrs);
          mergeList(ps.cidrListAliases, aliases);
          continue;
        }
        const message = `${inst.name} (${inst.region}): ${wording(ri, state, memo)}`;
        const finding: Finding = {
          ruleId: rule.id,
          severity: rule.severity,
          suppressed: false,
          instance: ref,
          portState: { protocol: state.protocolText, fromPort: state.rawFromPort, toPort: state.rawToPort, cidrs, ipv6Cidrs, cidrListAliases: aliases },
          message,
          fingerprint: fingerprintOf(rule.id, ref, state.protocolText, state.rawFromPort, state.rawToPort),
        };
        const p: PendingFinding = { finding, rule, inst, portRange: evaluatedPortRange(state) };
        byIdentity.set(key, p);
        pending.push(p);
      }
    }
  }

  // Exceptions (3.5): the first active matching exception, in policy order, suppresses.
  const exReports: ExceptionReport[] = policy.exceptions.map((ex) => ({
    rules: ex.rules,
    reason: ex.reason,
    ...(ex.expires !== undefined ? { expires: ex.expires } : {}),
    position: ex.position,
    status: 'unused',
    suppressed: 0,
    matchedAfterExpiry: 0,
  }));
  const expired = policy.exceptions.map((ex) => ex.expires !== undefined && now >= expiryInstant(ex.expires));
  if (policy.exceptions.length > 0) {
    for (const p of pending) {
      for (let i = 0; i < policy.exceptions.length; i++) {
        const ex = policy.exceptions[i]!;
        if (!exceptionMatches(ex, p)) continue;
        const report = exReports[i]!;
        if (expired[i]) {
          report.matchedAfterExpiry++;
          continue;
        }
        report.suppressed++;
        if (!p.finding.suppressed) {
          p.finding.suppressed = true;
          p.finding.suppression = ex.expires !== undefined ? { reason: ex.reason, expires: ex.expires } : { reason: ex.reason };
        }
      }
    }
  }
  policy.exceptions.forEach((ex, i) => {
    const report = exReports[i]!;
    if (expired[i]) {
      report.status = 'expired';
      const counts = report.matchedAfterExpiry === 1 ? '1 finding counts again' : `${report.matchedAfterExpiry} findings count again`;
      diagnostics.push({ level: 'warning', code: 'expired-exception', message: `${exceptionLabel(ex)} expired at the end of ${ex.expires} UTC; ${counts}` });
    } else if (report.suppressed > 0) {
      report.status = 'active';
    } else {
      diagnostics.push({ level: 'warning', code: 'unused-exception', message: `${exceptionLabel(ex)} suppressed nothing` });
    }
  });

  const findings = pending.map((p) => p.finding);
  findings.sort(compareFindings);

  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  let suppressed = 0;
  for (const f of findings) {
    if (f.suppressed) suppressed++;
    else bySeverity[f.severity]++;
  }

  return {
    policy: {
      path: policy.path,
      rules: rules.map((r) => ({
        id: r.id,
        title: r.title,
        severity: r.severity,
        ...(r.description !== undefined ? { description: r.description } : {}),
        ...(r.remediation !== undefined ? { remediation: r.remediation } : {}),
        position: r.position,
      })),
    },
    coverage,
    summary: { bySeverity, suppressed },
    findings,
    exceptions: exReports,
    diagnostics,
  };
}
