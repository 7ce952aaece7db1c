// An organization audit: which accounts (discovery, or `--accounts` as given),
// one audit role per account, and the one-account collector in each, several
// accounts at a time. Every account ends as `ok`, `error` (its role could not
// be assumed, or GetRegions failed: a coverage gap, with the AWS code) or
// `skipped` (not active, or excluded on purpose): none is left out silently.
// The one-account collector knows nothing of this layer.

import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import pLimit from 'p-limit';
import { UserInputError } from '../core/errors.js';
import type { ErrorInfo, Inventory, InventoryAccount, InventoryInstance, InventoryRegion } from '../core/types.js';
import { createOrganizationsClient, createStsClient, credentialProvider, memberCredentials, partitionOf, type ClientSettings } from './client.js';
import {
  buildRetryStrategy,
  CollectError,
  collectInventory,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  positiveInt,
  resolveHomeRegion,
  type CollectOptions,
  type CollectProgress,
} from './collector.js';
import { errorInfo, oneLine } from './errors.js';
import { DEFAULT_ACCOUNT_CONCURRENCY, DEFAULT_ROLE_NAME } from './operations.js';
import { isAudited } from '../core/account-state.js';
import { discoverAccounts, type DiscoveredAccount } from './organizations.js';

export interface OrganizationCollectOptions extends Omit<CollectOptions, 'onProgress' | 'roleArn' | 'externalId'> {
  /** The member accounts' audit role (default PortolanAudit). */
  roleName?: string;
  /** The member roles' external id. */
  externalId?: string;
  /** Assume this role first, as the caller (e.g. a central audit role), before the member roles. */
  callerRoleArn?: string;
  callerExternalId?: string;
  /** Keep accounts under these units, recursively. */
  ous?: readonly string[];
  /** Audit exactly these accounts; without `ous`, Organizations is not called at all. */
  accounts?: readonly string[];
  excludeAccounts?: readonly string[];
  /** Accounts collected at the same time (default 4); each has its own `concurrency` of reads. */
  accountConcurrency?: number;
  onProgress?: (p: OrganizationProgress) => void;
}

export interface OrganizationProgress extends CollectProgress {
  accountsTotal: number;
  accountsDone: number;
  accountsFailed: number;
}


/** An account to audit, or to list as skipped, with why. */
export interface PlannedAccount {
  id: string;
  name?: string;
  ouPath?: string;
  /** AWS's state of the account (ACTIVE when --accounts named it without discovery). */
  state: string;
  /** Undefined: audit it. */
  skipped?: string;
  excluded?: boolean;
}

export interface AccountSelection {
  ous?: readonly string[];
  accounts?: readonly string[];
  excludeAccounts?: readonly string[];
}

/**
 * The accounts an organization run covers: discovered (or as given), each to
 * audit or to skip with the reason. Pure apart from `discover`, which is
 * called only when the selection needs Organizations.
 */
export async function planAccounts(selection: AccountSelection, discover: () => Promise<DiscoveredAccount[]>): Promise<PlannedAccount[]> {
  const given = selection.accounts ?? [];
  const excluded = new Set(selection.excludeAccounts ?? []);
  const needsDiscovery = given.length === 0 || (selection.ous?.length ?? 0) > 0;
  const found: DiscoveredAccount[] = needsDiscovery ? await discover() : given.map((id) => ({ id, state: 'ACTIVE' }));
  const wanted = given.length > 0 ? new Set(given) : undefined;
  const plan: PlannedAccount[] = [];
  for (const a of found) {
    if (wanted && !wanted.has(a.id)) continue;
    const base: PlannedAccount = { id: a.id, state: a.state, ...(a.name !== undefined ? { name: a.name } : {}), ...(a.ouPath !== undefined ? { ouPath: a.ouPath } : {}) };
    if (excluded.has(a.id)) plan.push({ ...base, skipped: 'excluded by --exclude-accounts', excluded: true });
    else if (!isAudited(a.state)) plan.push({ ...base, skipped: `not active (${a.state})` });
    else plan.push(base);
  }
  if (wanted && needsDiscovery) {
    const missing = [...wanted].filter((id) => !found.some((a) => a.id === id));
    if (missing.length > 0) throw new UserInputError(`--accounts: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not in the organization${selection.ous?.length ? ' under --ou' : ''}`);
  }
  if (!plan.some((p) => p.skipped === undefined)) {
    throw new UserInputError(`no account to audit: ${plan.length === 0 ? 'the selection matches no account' : 'every account selected is skipped'}`);
  }
  return plan.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Sums per-account progress into one line's worth. */
class ProgressTotals {
  private readonly perAccount = new Map<string, CollectProgress>();
  accountsDone = 0;
  accountsFailed = 0;

  constructor(
    private readonly accountsTotal: number,
    private readonly report: ((p: OrganizationProgress) => void) | undefined,
  ) {}

  update(accountId: string, p: CollectProgress): void {
    this.perAccount.set(accountId, p);
    this.emit();
  }

  accountFinished(failed: boolean): void {
    this.accountsDone++;
    if (failed) this.accountsFailed++;
    this.emit();
  }

  emit(): void {
    if (!this.report) return;
    const sum: OrganizationProgress = {
      accountsTotal: this.accountsTotal,
      accountsDone: this.accountsDone,
      accountsFailed: this.accountsFailed,
      regionsTotal: 0,
      regionsDone: 0,
      instancesListed: 0,
      instancesDone: 0,
      instancesFailed: 0,
      listingDone: this.accountsDone === this.accountsTotal,
    };
    for (const p of this.perAccount.values()) {
      sum.regionsTotal += p.regionsTotal;
      sum.regionsDone += p.regionsDone;
      sum.instancesListed += p.instancesListed;
      sum.instancesDone += p.instancesDone;
      sum.instancesFailed += p.instancesFailed;
    }
    this.report(sum);
  }
}

interface AccountResult {
  account: InventoryAccount;
  regions: InventoryRegion[];
  instances: InventoryInstance[];
}

function accountRecord(planned: PlannedAccount, outcome: { status: 'ok' } | { status: 'error'; error: ErrorInfo } | { status: 'skipped'; reason: string }): InventoryAccount {
  const base = { id: planned.id, ...(planned.name !== undefined ? { name: planned.name } : {}), ...(planned.ouPath !== undefined ? { ouPath: planned.ouPath } : {}) };
  return { ...base, ...outcome };
}

/** Who the caller is, for the message when discovery is denied (best effort: GetCallerIdentity needs no permission). */
async function callerIdentity(settings: ClientSettings): Promise<string> {
  const sts = createStsClient(settings);
  try {
    const who = await sts.send(new GetCallerIdentityCommand({}));
    return `the caller is ${who.Arn ?? 'unknown'} (account ${who.Account ?? 'unknown'})`;
  } catch (e) {
    return `and who the caller is could not be told either (${errorInfo(e).code})`;
  } finally {
    sts.destroy();
  }
}

interface Prepared {
  settings: ClientSettings;
  base: AwsCredentialIdentityProvider;
  plan: PlannedAccount[];
}

/** The caller's credentials, checked, and the accounts to cover. */
async function prepare(options: OrganizationCollectOptions): Promise<Prepared> {
  const maxAttempts = positiveInt(options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS, 'maxAttempts');
  const homeRegion = await resolveHomeRegion(options.homeRegion, options.profile);
  const base = credentialProvider({
    homeRegion,
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(options.profile !== undefined ? { profile: options.profile } : {}),
    ...(options.callerRoleArn !== undefined ? { roleArn: options.callerRoleArn } : {}),
    ...(options.callerExternalId !== undefined ? { externalId: options.callerExternalId } : {}),
  });
  try {
    await base();
  } catch (e) {
    throw new CollectError(`no AWS credentials for the organization audit: ${oneLine(errorInfo(e).message)}`, errorInfo(e).code);
  }
  const settings: ClientSettings = {
    region: homeRegion,
    credentials: base,
    retryStrategy: buildRetryStrategy(options, maxAttempts),
    maxAttempts,
    maxSockets: 8,
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    ...(options.endpointUrl !== undefined ? { endpointUrl: options.endpointUrl } : {}),
  };
  const plan = await planAccounts(options, () => discover(settings, options));
  return { settings, base, plan };
}

/** `portolan accounts`: the accounts an organization run with these options would cover. */
export async function selectOrganizationAccounts(options: OrganizationCollectOptions): Promise<PlannedAccount[]> {
  return (await prepare(options)).plan;
}

export async function collectOrganization(options: OrganizationCollectOptions): Promise<Inventory> {
  const accountConcurrency = positiveInt(options.accountConcurrency ?? DEFAULT_ACCOUNT_CONCURRENCY, 'accountConcurrency');
  const collectedAt = (options.now ?? (() => new Date()))().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const { settings, base, plan } = await prepare(options);
  const toAudit = plan.filter((p) => p.skipped === undefined);
  const totals = new ProgressTotals(toAudit.length, options.onProgress);
  totals.emit();

  const limit = pLimit(accountConcurrency);
  const audited = await Promise.all(toAudit.map((planned) => limit(() => collectAccount(planned, options, settings, base, totals))));
  const results = new Map(audited.map((r) => [r.account.id, r]));
  const accounts = plan.map((p) => results.get(p.id)?.account ?? accountRecord(p, { status: 'skipped', reason: p.skipped ?? 'skipped' }));
  options.signal?.throwIfAborted();
  return {
    version: 1,
    collectedAt,
    accounts,
    regions: audited.flatMap((r) => r.regions),
    instances: audited.flatMap((r) => r.instances),
  };
}

async function discover(settings: ClientSettings, options: OrganizationCollectOptions): Promise<DiscoveredAccount[]> {
  // Organizations is a global service, answered in the partition's home region.
  const partition = partitionOf(settings.region);
  const region = partition === 'aws-cn' ? 'cn-northwest-1' : partition === 'aws-us-gov' ? 'us-gov-west-1' : 'us-east-1';
  const client = createOrganizationsClient({ ...settings, region });
  try {
    return await discoverAccounts(client, { ...(options.ous ? { ous: options.ous } : {}), ...(options.signal ? { signal: options.signal } : {}) });
  } catch (e) {
    if (options.signal?.aborted) throw options.signal.reason;
    const err = errorInfo(e);
    throw new CollectError(
      `cannot list the organization's accounts: ${err.code}: ${oneLine(err.message)}; ${await callerIdentity(settings)}. ` +
        'Run from the management account or a delegated administrator, with the caller policy of `portolan iam-policy --org`, or name the accounts with --accounts; nothing was collected',
      err.code,
    );
  } finally {
    client.destroy();
  }
}

async function collectAccount(
  planned: PlannedAccount,
  options: OrganizationCollectOptions,
  settings: ClientSettings,
  base: AwsCredentialIdentityProvider,
  totals: ProgressTotals,
): Promise<AccountResult> {
  const fail = (error: ErrorInfo): AccountResult => {
    totals.accountFinished(true);
    return { account: accountRecord(planned, { status: 'error', error }), regions: [], instances: [] };
  };
  const role = {
    accountId: planned.id,
    roleName: options.roleName ?? DEFAULT_ROLE_NAME,
    partition: partitionOf(settings.region),
    ...(options.externalId !== undefined ? { externalId: options.externalId } : {}),
  };
  const credentials = memberCredentials(role, base, settings);
  try {
    await credentials();
  } catch (e) {
    options.signal?.throwIfAborted();
    const err = errorInfo(e);
    return fail({ code: err.code, message: `cannot assume arn:${role.partition}:iam::${planned.id}:role/${role.roleName}: ${oneLine(err.message)}` });
  }
  const { ous: _ous, accounts: _accounts, excludeAccounts: _excluded, accountConcurrency: _ac, roleName: _rn, externalId: _ei, callerRoleArn: _cr, callerExternalId: _ce, onProgress: _op, ...shared } = options;
  let inventory: Inventory;
  try {
    inventory = await collectInventory({
      ...shared,
      homeRegion: settings.region,
      credentials,
      onProgress: (p) => {
        totals.update(planned.id, p);
      },
    });
  } catch (e) {
    if (e instanceof CollectError) return fail({ code: e.code, message: e.message });
    throw e;
  }
  totals.accountFinished(false);
  return {
    account: accountRecord(planned, { status: 'ok' }),
    regions: inventory.regions.map((r) => ({ ...r, accountId: planned.id })),
    instances: inventory.instances.map((i) => ({ ...i, accountId: planned.id })),
  };
}
