// `audit --input A --input B` or `--input DIR`: several inventories (shards
// of an organization) audited as one fleet. Each file is streamed into the
// audit. An account must come from one input only: a shard counted twice
// would double its coverage and hide nothing, but it means the shards do not
// add up to the organization, so it is a usage error naming both files.

import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isAccountId, isAudited } from '../core/account-state.js';
import { UserInputError } from '../core/errors.js';
import type { FleetAudit } from '../core/evaluate.js';
import { quote } from '../core/text.js';
import type { InventoryAccount, InventoryInstance, InventoryRegion } from '../core/types.js';
import { jsonReason } from '../core/json-split.js';
import { readChunks } from '../io/files.js';
import { streamInventoryFile } from './inventory-file.js';

/** An accounts list is small: a few thousand accounts at most. */
const ACCOUNTS_MAX_BYTES = 64 * 1024 * 1024;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export interface InputsRead {
  /** How the reports name where the inventory came from. */
  source: string;
  /** `listing` when any input took port states from GetInstances. */
  portSource?: string;
}

/**
 * `--input` values, with each directory replaced by its `*.json` files
 * (sorted). An empty directory is an error unless `emptyFolderAllowed` (with
 * --expect-accounts every shard may have failed: each of its accounts is then
 * reported as not read, which says more than refusing to run).
 */
export function expandInputs(paths: readonly string[], emptyFolderAllowed = false): string[] {
  const out: string[] = [];
  for (const path of paths) {
    if (path === '-') {
      out.push(path);
      continue;
    }
    let isDir = false;
    try {
      isDir = statSync(path).isDirectory();
    } catch {
      // not there: the reader names the problem
    }
    if (!isDir) {
      out.push(path);
      continue;
    }
    const files = readdirSync(path)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => join(path, f));
    if (files.length === 0 && !emptyFolderAllowed) throw new UserInputError(`${path}: no *.json inventory in this folder`);
    for (const f of files) out.push(f);
  }
  if (out.filter((p) => p === '-').length > 1) throw new UserInputError('--input: standard input (-) can be read once');
  const seen = new Set<string>();
  for (const p of out) {
    if (seen.has(p)) throw new UserInputError(`--input: ${p} is named twice; a shard must never be counted twice`);
    seen.add(p);
  }
  return out;
}

/** The account an ARN names (`arn:aws:lightsail:REGION:ACCOUNT:Instance/...`). */
export function accountOfArn(arn: string | undefined): string | undefined {
  const id = arn?.split(':')[4];
  return id !== undefined && isAccountId(id) ? id : undefined;
}

/**
 * Streams every input into `audit`. With one input, nothing is added to what
 * it holds. With several, each instance and region carries its account (from
 * the input's accounts list, else the instance ARNs), so findings and
 * coverage say which account they belong to, and no account may come from
 * two inputs.
 */
export async function readInputs(paths: readonly string[], audit: FleetAudit, expectAccountsPath?: string): Promise<InputsRead> {
  const expected = expectAccountsPath !== undefined ? await readExpectedAccounts(expectAccountsPath) : undefined;
  const files = expandInputs(paths, expected !== undefined);
  const merging = files.length > 1 || expected !== undefined;
  const owner = new Map<string, string>();
  const named = namedAsDiscovered(expected);
  let portSource: string | undefined;
  for (const file of files) {
    const read = merging ? await readShard(file, audit, named) : await readSingle(file, audit);
    if (read.portSource === 'listing') portSource = 'listing';
    if (!merging) continue;
    if (read.accounts.size === 0) {
      throw new UserInputError(`${file}: cannot tell which account this inventory holds (no accounts list and no instance ARN); merging needs it so that no shard is counted twice`);
    }
    for (const id of read.accounts) {
      const first = owner.get(id);
      if (first !== undefined) throw new UserInputError(`account ${quote(id)} is in both ${first} and ${file}; a shard must never be counted twice`);
      owner.set(id, file);
    }
  }
  if (expected) addMissingAccounts(expected, owner, audit);
  const source =
    files.length === 1
      ? files[0] === '-'
        ? 'stdin'
        : (files[0] as string)
      : files.length === 0
        ? `no inventory (every shard missing from ${paths.join(', ')})`
        : `${files.length} inventories (${files.map((f) => (f === '-' ? 'stdin' : f)).join(', ')})`;
  return portSource !== undefined ? { source, portSource } : { source };
}

interface ShardRead {
  accounts: Set<string>;
  portSource?: string;
}

/** The accounts `portolan accounts` listed, for --expect-accounts. */
interface ExpectedAccount {
  id: string;
  name?: string;
  ouPath?: string;
  state: string;
}

async function readExpectedAccounts(path: string): Promise<ExpectedAccount[]> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of readChunks(path, 'the accounts list', ACCOUNTS_MAX_BYTES)) chunks.push(chunk);
  let data: unknown;
  try {
    data = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (e) {
    throw new UserInputError(`${path}: the accounts list is not valid JSON: ${jsonReason((e as Error).message)}`);
  }
  const list = isRecord(data) ? data['accounts'] : undefined;
  if (!Array.isArray(list)) throw new UserInputError(`${path}: not an accounts list (expected {"accounts": [...]} as \`portolan accounts\` writes it)`);
  const accounts = list.map((a: unknown, i): ExpectedAccount => {
    if (!isRecord(a) || typeof a['id'] !== 'string' || !isAccountId(a['id'])) throw new UserInputError(`${path}: accounts[${i}]: expected an object with a 12-digit "id"`);
    const status = typeof a['status'] === 'string' ? a['status'] : 'ACTIVE';
    return {
      id: a['id'],
      state: a['excluded'] === true ? 'EXCLUDED' : status,
      ...(typeof a['name'] === 'string' ? { name: a['name'] } : {}),
      ...(typeof a['ouPath'] === 'string' ? { ouPath: a['ouPath'] } : {}),
    };
  });
  // Nothing to audit must not read as a clean organization.
  if (!accounts.some((a) => isAudited(a.state))) throw new UserInputError(`${path}: the accounts list holds no active account to audit`);
  return accounts;
}

/**
 * An account as a shard holds it, with the name and OU path discovery gave it
 * where the shard has none: a shard collected with --accounts made no
 * Organizations call, and the merged reports should name accounts as the
 * unsharded audit does.
 */
function namedAsDiscovered(expected: readonly ExpectedAccount[] | undefined): (account: InventoryAccount) => InventoryAccount {
  if (expected === undefined) return (account) => account;
  const byId = new Map(expected.map((a) => [a.id, a]));
  return (account) => {
    const listed = byId.get(account.id);
    if (listed === undefined) return account;
    return {
      ...account,
      ...(account.name === undefined && listed.name !== undefined ? { name: listed.name } : {}),
      ...(account.ouPath === undefined && listed.ouPath !== undefined ? { ouPath: listed.ouPath } : {}),
    };
  };
}

/** Accounts discovery listed that no input holds: an active one is a gap (its shard did not finish), an inactive one is skipped. */
function addMissingAccounts(expected: readonly ExpectedAccount[], held: ReadonlyMap<string, string>, audit: FleetAudit): void {
  for (const a of expected) {
    if (held.has(a.id)) continue;
    const base = { id: a.id, ...(a.name !== undefined ? { name: a.name } : {}), ...(a.ouPath !== undefined ? { ouPath: a.ouPath } : {}) };
    if (isAudited(a.state)) {
      audit.addAccount({ ...base, status: 'error', error: { code: 'ShardMissing', message: 'discovery listed this account, but no inventory holds it: its shard did not finish' } });
    } else {
      audit.addAccount({ ...base, status: 'skipped', reason: a.state === 'EXCLUDED' ? 'excluded by --exclude-accounts' : `not active (${a.state})` });
    }
  }
}

async function readSingle(file: string, audit: FleetAudit): Promise<ShardRead> {
  const header = await streamInventoryFile(file, {
    account: (a) => {
      audit.addAccount(a);
    },
    region: (r) => {
      audit.addRegion(r);
    },
    instance: (i) => {
      audit.addInstance(i);
    },
  });
  const accounts = new Set([...header.accountIds, ...header.listedAccounts]);
  return header.portSource !== undefined ? { accounts, portSource: header.portSource } : { accounts };
}

/** One input of several: regions and accounts are held until the input's accounts are known (they are few). */
async function readShard(file: string, audit: FleetAudit, named: (account: InventoryAccount) => InventoryAccount): Promise<ShardRead> {
  const accounts: InventoryAccount[] = [];
  const regions: InventoryRegion[] = [];
  const fromArns = new Set<string>();
  const header = await streamInventoryFile(file, {
    account: (a) => accounts.push(a),
    region: (r) => regions.push(r),
    instance: (i: InventoryInstance) => {
      const id = i.accountId ?? accountOfArn(i.arn);
      if (id !== undefined) {
        fromArns.add(id);
        i.accountId = id; // a fresh object of this read: tagged in place, not copied
        audit.addInstance(i);
      } else audit.addInstance(i);
    },
  });
  const ids = new Set<string>(accounts.map((a) => a.id));
  if (!header.organization) {
    for (const id of fromArns) ids.add(id);
    // A one-account inventory: its regions belong to its account (when the ARNs name exactly one).
    const only = fromArns.size === 1 ? [...fromArns][0] : undefined;
    for (const id of ids) audit.addAccount(named({ id, status: 'ok' }));
    for (const r of regions) audit.addRegion(r.accountId === undefined && only !== undefined ? { ...r, accountId: only } : r);
  } else {
    for (const a of accounts) audit.addAccount(named(a));
    for (const r of regions) audit.addRegion(r);
  }
  return header.portSource !== undefined ? { accounts: ids, portSource: header.portSource } : { accounts: ids };
}
