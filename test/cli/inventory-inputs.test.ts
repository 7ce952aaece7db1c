import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserInputError } from '../../src/core/errors.js';
import { FleetAudit } from '../../src/core/evaluate.js';
import type { Inventory, InventoryAccount, InventoryInstance, Policy } from '../../src/core/types.js';
import { readInputs } from '../../src/cli/inventory-inputs.js';

const A = '111111111111';
const B = '222222222222';
const C = '333333333333';
const D = '444444444444';

const policy: Policy = {
  path: 'p.yaml',
  files: ['p.yaml'],
  networks: {},
  exceptions: [],
  rules: [{ id: 'ssh', title: 'ssh', severity: 'high', match: { protocols: ['tcp'], ports: [{ from: 22, to: 22 }], source: 'world' }, position: { file: 'p.yaml', line: 1, col: 1 } }],
};

function instance(account: string, name: string): InventoryInstance {
  return {
    name,
    region: 'us-east-1',
    arn: `arn:aws:lightsail:us-east-1:${account}:Instance/${name}`,
    portStates: [{ protocol: 'tcp', fromPort: 22, toPort: 22, state: 'open', cidrs: ['0.0.0.0/0'], ipv6Cidrs: [], cidrListAliases: [] }],
  };
}

/** A shard as `collect --org --accounts` writes it: accounts without names (no Organizations call). */
function shard(accounts: InventoryAccount[]): Inventory {
  const read = accounts.filter((a) => a.status === 'ok');
  return {
    version: 1,
    collectedAt: '2026-12-01T00:00:00Z',
    accounts,
    regions: read.map((a) => ({ name: 'us-east-1', accountId: a.id, status: 'ok' as const })),
    instances: read.map((a) => ({ ...instance(a.id, `web-${a.id.slice(0, 1)}`), accountId: a.id })),
  };
}

const accountsList = {
  accounts: [
    { id: A, name: 'shop', ouPath: '/prod', status: 'ACTIVE' },
    { id: B, name: 'data', ouPath: '/prod/data', status: 'ACTIVE' },
    { id: C, name: 'old', ouPath: '/legacy', status: 'SUSPENDED' },
    { id: D, name: 'lab', ouPath: '/sandbox', status: 'ACTIVE', excluded: true },
  ],
};

let dir: string;
let expectAccounts: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'portolan-inputs-'));
  expectAccounts = join(dir, 'accounts.json');
  writeFileSync(expectAccounts, JSON.stringify(accountsList));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function folder(name: string, files: Record<string, Inventory>): string {
  const path = join(dir, name);
  mkdirSync(path);
  for (const [file, inventory] of Object.entries(files)) writeFileSync(join(path, file), JSON.stringify(inventory));
  return path;
}

async function merge(paths: string[], expect?: string) {
  const audit = new FleetAudit(policy, { now: new Date('2026-12-01T12:00:00Z') });
  const read = await readInputs(paths, audit, expect);
  return { read, result: audit.finish() };
}

async function refusal(paths: string[], expectPath?: string): Promise<string[]> {
  try {
    await merge(paths, expectPath);
  } catch (e) {
    expect(e).toBeInstanceOf(UserInputError);
    return (e as UserInputError).lines;
  }
  throw new Error('expected a UserInputError');
}

describe('merging shards (audit --input DIR --expect-accounts)', () => {
  test('accounts get the names and OU paths discovery gave them, on coverage and on findings', async () => {
    const shards = folder('named', { 'shard-1.json': shard([{ id: A, status: 'ok' }]), 'shard-2.json': shard([{ id: B, status: 'ok' }]) });
    const { result } = await merge([shards], expectAccounts);
    expect(result.coverage.accounts?.map((a) => [a.id, a.name, a.ouPath, a.status])).toEqual([
      [A, 'shop', '/prod', 'ok'],
      [B, 'data', '/prod/data', 'ok'],
      [C, 'old', '/legacy', 'skipped'],
      [D, 'lab', '/sandbox', 'skipped'],
    ]);
    expect(result.findings.map((f) => [f.instance.accountId, f.instance.accountName])).toEqual([
      [A, 'shop'],
      [B, 'data'],
    ]);
    expect(result.coverage.complete).toBe(true);
  });

  test('a name the shard holds is kept: discovery only fills what is missing', async () => {
    const shards = folder('own-name', { 'shard-1.json': shard([{ id: A, name: 'shop-renamed', status: 'ok' }]), 'shard-2.json': shard([{ id: B, status: 'ok' }]) });
    const { result } = await merge([shards], expectAccounts);
    expect(result.coverage.accounts?.find((a) => a.id === A)?.name).toBe('shop-renamed');
  });

  test('an active account no shard holds is not read (ShardMissing) and the coverage incomplete', async () => {
    const shards = folder('one-missing', { 'shard-1.json': shard([{ id: A, status: 'ok' }]) });
    const { result } = await merge([shards], expectAccounts);
    const missing = result.coverage.accounts?.find((a) => a.id === B);
    expect(missing).toMatchObject({ id: B, name: 'data', status: 'error', error: { code: 'ShardMissing' } });
    expect(result.coverage.complete).toBe(false);
  });

  test('every shard failed (an empty folder): every active account is ShardMissing, never a run that refuses or passes', async () => {
    const empty = folder('empty', {});
    const { read, result } = await merge([empty], expectAccounts);
    expect(result.coverage.accounts?.map((a) => `${a.id} ${a.status}`)).toEqual([`${A} error`, `${B} error`, `${C} skipped`, `${D} skipped`]);
    expect(result.coverage.complete).toBe(false);
    expect(result.findings).toEqual([]);
    expect(read.source).toContain('no inventory');
  });

  test('without --expect-accounts an empty folder is a usage error', async () => {
    const empty = folder('empty-alone', {});
    expect(await refusal([empty])).toEqual([`${empty}: no *.json inventory in this folder`]);
  });

  test('an account in two shards is refused, naming both files', async () => {
    const twice = folder('twice', { 'a.json': shard([{ id: A, status: 'ok' }]), 'b.json': shard([{ id: A, status: 'ok' }]) });
    expect(await refusal([twice], expectAccounts)).toEqual([`account "${A}" is in both ${join(twice, 'a.json')} and ${join(twice, 'b.json')}; a shard must never be counted twice`]);
  });

  test('a one-account inventory (no accounts list) is that of the account its ARNs name', async () => {
    const single: Inventory = { version: 1, collectedAt: '2026-12-01T00:00:00Z', regions: [{ name: 'us-east-1', status: 'ok' }], instances: [instance(A, 'web-1')] };
    const shards = folder('single', { 'a.json': single, 'b.json': shard([{ id: B, status: 'ok' }]) });
    const { result } = await merge([shards], expectAccounts);
    expect(result.coverage.accounts?.find((a) => a.id === A)).toMatchObject({ name: 'shop', status: 'ok' });
    expect(result.coverage.complete).toBe(true);
  });
});

describe('the accounts list (--expect-accounts)', () => {
  test.each<[string, unknown, string]>([
    ['no active account: nothing to audit is not a clean organization', { accounts: [{ id: C, status: 'SUSPENDED' }] }, 'the accounts list holds no active account to audit'],
    ['an empty list', { accounts: [] }, 'the accounts list holds no active account to audit'],
    ['not an accounts list', [1, 2], 'not an accounts list (expected {"accounts": [...]} as `portolan accounts` writes it)'],
    ['an id that is not 12 digits', { accounts: [{ id: '12' }] }, 'accounts[0]: expected an object with a 12-digit "id"'],
  ])('%s', async (name, content, message) => {
    const file = join(dir, `${name.slice(0, 12).replace(/\W/g, '-')}.accounts.json`);
    writeFileSync(file, JSON.stringify(content));
    const shards = join(dir, 'named');
    expect(await refusal([shards], file)).toEqual([`${file}: ${message}`]);
  });
});
