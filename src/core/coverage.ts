// What was read and what was not: accounts, regions and instances, and the
// diagnostics that name every gap. Coverage is complete only when everything
// that should have been read was: a region or an instance in error, an
// account whose role could not be assumed, or an account (or single-account
// inventory) with no region at all makes it incomplete. A deleted instance
// (`gone`) and a suspended account (`skipped`) are named, not gaps.

import type {
  AccountCoverage,
  Coverage,
  Diagnostic,
  ErrorInfo,
  InstanceRef,
  InventoryAccount,
  InventoryRegion,
  UnreadInstance,
} from './types.js';

interface AccountTally {
  account: InventoryAccount;
  instances: number;
  scanned: number;
  failed: number;
  gone: number;
  regions: number;
}

export class CoverageTally {
  private readonly regions: InventoryRegion[] = [];
  private readonly accounts = new Map<string, AccountTally>();
  private readonly unread: UnreadInstance[] = [];
  private instances = 0;
  private scanned = 0;
  private failed = 0;
  private gone = 0;
  /** Whether the inventory lists accounts (organization inventories). */
  private organization = false;

  constructor(private readonly diagnostics: Diagnostic[]) {}

  addAccount(account: InventoryAccount): void {
    this.organization = true;
    this.accountTally(account.id, account);
  }

  addRegion(region: InventoryRegion): void {
    this.regions.push(region);
    if (region.accountId !== undefined) this.accountTally(region.accountId).regions++;
    if (region.status === 'ok') return;
    const where = region.accountId !== undefined ? ` in account ${region.accountId}` : '';
    this.diagnostics.push({
      level: 'error',
      code: 'region-unreadable',
      message: `region ${region.name}${where} could not be read (${region.error.code}: ${region.error.message}); its instances are not audited`,
    });
  }

  scannedInstance(ref: InstanceRef): void {
    this.instances++;
    this.scanned++;
    this.forAccount(ref, (t) => {
      t.instances++;
      t.scanned++;
    });
  }

  goneInstance(ref: InstanceRef): void {
    this.instances++;
    this.gone++;
    this.forAccount(ref, (t) => {
      t.instances++;
      t.gone++;
    });
    this.unread.push({ ...ref, status: 'gone' });
    this.diagnostics.push({ level: 'info', code: 'instance-gone', message: `instance ${ref.name} (${ref.region}) was deleted while it was being read`, instance: ref });
  }

  failedInstance(ref: InstanceRef, error: ErrorInfo): void {
    this.instances++;
    this.failed++;
    this.forAccount(ref, (t) => {
      t.instances++;
      t.failed++;
    });
    this.unread.push({ ...ref, status: 'error', error });
    this.diagnostics.push({
      level: 'error',
      code: 'instance-unreadable',
      message: `instance ${ref.name} (${ref.region}) could not be read (${error.code}: ${error.message}); it is not audited`,
      instance: ref,
    });
  }

  /** An instance counted as scanned that turned out to be partly unreadable: it becomes a failed one. */
  scannedBecameFailed(ref: InstanceRef, error: ErrorInfo): void {
    this.scanned--;
    this.instances--;
    this.forAccount(ref, (t) => {
      t.scanned--;
      t.instances--;
    });
    this.failedInstance(ref, error);
  }

  finish(): Coverage {
    let complete = this.failed === 0 && this.regions.every((r) => r.status === 'ok');
    const accounts = this.organization ? this.accountCoverage() : undefined;
    if (accounts?.some((a) => a.status === 'error')) complete = false;
    if (!this.readSomethingOfEach(accounts)) complete = false;
    const coverage: Coverage = {
      regions: this.regions.map((r) => {
        const base = r.accountId !== undefined ? { name: r.name, accountId: r.accountId } : { name: r.name };
        return r.status === 'ok' ? { ...base, status: 'ok' } : { ...base, status: 'error', error: r.error };
      }),
      instances: this.instances,
      scanned: this.scanned,
      failed: this.failed,
      gone: this.gone,
      complete,
      unread: this.unread,
    };
    if (accounts) coverage.accounts = accounts;
    return coverage;
  }

  /** An account read without error that lists no region read nothing: GetRegions cannot have answered honestly. */
  /** Something of the inventory was read, and of each account said to be read, and not every account was skipped; a nothing-read diagnostic for each that fails. */
  private readSomethingOfEach(accounts: AccountCoverage[] | undefined): boolean {
    if (!accounts) {
      if (this.regions.length > 0 || this.instances > 0) return true;
      this.diagnostics.push({ level: 'error', code: 'nothing-read', message: 'the inventory lists no region and no instance: nothing was read, so nothing can be called clean' });
      return false;
    }
    let ok = true;
    for (const t of this.accounts.values()) {
      if (t.account.status !== 'ok' || t.regions > 0) continue;
      ok = false;
      this.diagnostics.push({ level: 'error', code: 'nothing-read', message: `account ${t.account.id} lists no region: nothing of it was read` });
    }
    // Every account skipped (or none listed): an organization of which nothing was audited is not a clean one.
    if (!accounts.some((a) => a.status !== 'skipped')) {
      ok = false;
      this.diagnostics.push({ level: 'error', code: 'nothing-read', message: 'the inventory audits no account (every account listed is skipped): nothing was read, so nothing can be called clean' });
    }
    return ok;
  }

  private accountCoverage(): AccountCoverage[] {
    const out: AccountCoverage[] = [];
    for (const t of [...this.accounts.values()].sort((a, b) => (a.account.id < b.account.id ? -1 : a.account.id > b.account.id ? 1 : 0))) {
      const a = t.account;
      const base = {
        id: a.id,
        ...(a.name !== undefined ? { name: a.name } : {}),
        ...(a.ouPath !== undefined ? { ouPath: a.ouPath } : {}),
        instances: t.instances,
        scanned: t.scanned,
        failed: t.failed,
        gone: t.gone,
      };
      if (a.status === 'error') out.push({ ...base, status: 'error', error: a.error });
      else if (a.status === 'skipped') out.push(a.reason !== undefined ? { ...base, status: 'skipped', reason: a.reason } : { ...base, status: 'skipped' });
      else out.push({ ...base, status: 'ok' });
      this.noteAccount(a);
    }
    return out;
  }

  private noteAccount(a: InventoryAccount): void {
    const name = a.name !== undefined ? ` (${a.name})` : '';
    if (a.status === 'error') {
      this.diagnostics.push({
        level: 'error',
        code: 'account-unreadable',
        message: `account ${a.id}${name} could not be read (${a.error.code}: ${a.error.message}); none of its instances are audited`,
      });
    } else if (a.status === 'skipped') {
      this.diagnostics.push({ level: 'info', code: 'account-skipped', message: `account ${a.id}${name} was listed, not audited: ${a.reason ?? 'not active'}` });
    }
  }

  private accountTally(id: string, account?: InventoryAccount): AccountTally {
    let t = this.accounts.get(id);
    if (!t) {
      t = { account: account ?? { id, status: 'ok' }, instances: 0, scanned: 0, failed: 0, gone: 0, regions: 0 };
      this.accounts.set(id, t);
    } else if (account) t.account = account;
    return t;
  }

  private forAccount(ref: InstanceRef, update: (t: AccountTally) => void): void {
    if (ref.accountId !== undefined) update(this.accountTally(ref.accountId));
  }
}
