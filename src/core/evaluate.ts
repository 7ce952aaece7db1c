// The engine: a validated policy over an inventory gives findings, coverage and
// diagnostics. Pure: the clock comes in as `now`. Instances can be added one
// at a time (an inventory read as a stream, or several merged), so nothing
// but the findings and the coverage is held.

import { CoverageTally } from './coverage.js';
import { portDrift } from './drift.js';
import { applyExceptions } from './exceptions.js';
import { FindingCollector, type InstanceFacts, type StateMemo } from './findings.js';
import { createStateNormalizer, type SharedState } from './normalize.js';
import { sortFindings } from './order.js';
import { inScope } from './scope.js';
import type {
  AuditResult,
  Diagnostic,
  ErrorInfo,
  Finding,
  InstanceRef,
  Inventory,
  InventoryAccount,
  InventoryInstance,
  InventoryRegion,
  Policy,
  RawPortState,
  Severity,
} from './types.js';
import { SEVERITIES } from './types.js';

export { fingerprintOf } from './findings.js';
export { expiryInstant } from './exceptions.js';

export interface EvaluateOptions {
  now: Date;
}

const MISSING_PORT_STATES: ErrorInfo = { code: 'MissingPortStates', message: 'the inventory holds no port states for this instance' };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export class FleetAudit {
  private readonly diagnostics: Diagnostic[] = [];
  private readonly coverage = new CoverageTally(this.diagnostics);
  private readonly collector: FindingCollector;
  private readonly normalize: (raw: RawPortState) => SharedState<StateMemo>;
  private readonly accountNames = new Map<string, string>();
  /** Refs that carry an account id: given the account's name at the end, once every account is known. */
  private readonly accountRefs: InstanceRef[] = [];
  private readonly applicable: number[] = [];

  constructor(
    private readonly policy: Policy,
    private readonly options: EvaluateOptions,
  ) {
    this.collector = new FindingCollector(policy.rules, policy.exceptions.length > 0);
    this.normalize = createStateNormalizer(() => this.collector.newMemo());
  }

  addInventory(inventory: Inventory): void {
    for (const a of inventory.accounts ?? []) this.addAccount(a);
    for (const r of inventory.regions) this.addRegion(r);
    for (const i of inventory.instances) this.addInstance(i);
  }

  addAccount(account: InventoryAccount): void {
    if (account.name !== undefined) this.accountNames.set(account.id, account.name);
    this.coverage.addAccount(account);
  }

  addRegion(region: InventoryRegion): void {
    this.coverage.addRegion(region);
  }

  addInstance(inst: InventoryInstance): void {
    const ref = instanceRef(inst);
    if (ref.accountId !== undefined) this.accountRefs.push(ref);
    if (inst.status === 'gone') {
      this.coverage.goneInstance(ref);
      return;
    }
    if (inst.status === 'error' || !Array.isArray(inst.portStates)) {
      this.coverage.failedInstance(ref, inst.error ?? MISSING_PORT_STATES);
      return;
    }
    this.coverage.scannedInstance(ref);
    if (Array.isArray(inst.listedPorts)) {
      const drift = portDrift(inst.listedPorts, inst.portStates);
      if (drift !== undefined) this.diagnostics.push({ level: 'warning', code: 'port-drift', message: drift, instance: ref });
    }
    const unreadable = this.evaluateStates(inst, ref, inst.portStates);
    if (unreadable !== undefined) this.coverage.scannedBecameFailed(ref, { code: 'UnreadablePortState', message: unreadable });
  }

  /** Evaluates every state of one instance; returns why a state could not be read, if one could not. */
  private evaluateStates(inst: InventoryInstance, ref: InstanceRef, states: readonly unknown[]): string | undefined {
    const rules = this.policy.rules;
    const applicable = this.applicable;
    applicable.length = 0;
    for (let i = 0; i < rules.length; i++) if (inScope(rules[i]?.scope, inst)) applicable.push(i);
    const facts: InstanceFacts = { ref, tags: Array.isArray(inst.tags) ? inst.tags : undefined, prefix: `${ref.name} (${ref.region}): ` };
    this.collector.beginInstance(ref);
    let unreadable: string | undefined;
    for (let si = 0; si < states.length; si++) {
      const raw = states[si];
      if (!isRecord(raw)) {
        unreadable ??= `portStates[${si}] is not an object`;
        continue;
      }
      const shared = this.normalize(raw);
      const { state, diagnostics } = shared.result;
      for (const d of diagnostics) this.diagnostics.push({ ...d, instance: ref });
      if (shared.result.unreadable !== undefined) unreadable ??= shared.result.unreadable;
      if (state.open && applicable.length > 0) this.collector.addState(facts, raw, state, shared.memo, applicable);
    }
    return unreadable;
  }

  finish(): AuditResult {
    for (const ref of this.accountRefs) {
      const name = this.accountNames.get(ref.accountId ?? '');
      if (name !== undefined) ref.accountName = name;
    }
    const coverage = this.coverage.finish();
    const findings = this.collector.findings;
    const reports = applyExceptions(findings, this.collector.facts ?? [], this.policy.exceptions, this.options.now.getTime(), this.diagnostics);
    sortFindings(findings);
    return {
      policy: {
        path: this.policy.path,
        rules: this.policy.rules.map((r) => ({
          id: r.id,
          title: r.title,
          severity: r.severity,
          ...(r.description !== undefined ? { description: r.description } : {}),
          ...(r.remediation !== undefined ? { remediation: r.remediation } : {}),
          position: r.position,
        })),
      },
      coverage,
      summary: summarize(findings),
      findings,
      exceptions: reports,
      diagnostics: this.diagnostics,
    };
  }
}

function instanceRef(inst: InventoryInstance): InstanceRef {
  const ref: InstanceRef = { name: inst.name, region: inst.region };
  if (inst.arn !== undefined) ref.arn = inst.arn;
  if (inst.accountId !== undefined) ref.accountId = inst.accountId;
  return ref;
}

export function summarize(findings: readonly Finding[]): AuditResult['summary'] {
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  let suppressed = 0;
  for (const f of findings) {
    if (f.suppressed) suppressed++;
    else bySeverity[f.severity]++;
  }
  return { bySeverity, suppressed };
}

/** A whole inventory at once. */
export function evaluate(policy: Policy, inventory: Inventory, options: EvaluateOptions): AuditResult {
  const audit = new FleetAudit(policy, options);
  audit.addInventory(inventory);
  return audit.finish();
}
