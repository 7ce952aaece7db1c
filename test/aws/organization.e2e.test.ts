// An organization audit through the real AWS SDK (Organizations, STS,
// Lightsail) against the emulator's organization mode: discovery, one role per
// account, and every account accounted for.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { collectOrganization, planAccounts, selectOrganizationAccounts, type OrganizationCollectOptions } from '../../src/aws/organization-collector.js';
import { discoverAccounts } from '../../src/aws/organizations.js';
import { createOrganizationsClient, CollectorRetryStrategy } from '../../src/aws/client.js';
import { evaluate } from '../../src/core/evaluate.js';
import type { Inventory } from '../../src/core/types.js';
import { DEMO_ACCOUNTS, DEMO_EXTERNAL_ID, demoOrganization } from '../../src/emulator/demo-org.js';
import type { AccountInventory, OrganizationSpec } from '../../src/emulator/organization-file.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import { loadPolicy } from '../../src/policy/load.js';
import { dummyCredentials, useOfflineAwsEnv } from './env.js';

useOfflineAwsEnv();
const policy = loadPolicy('rules/baseline.yaml');
const NOW = new Date('2026-12-01T00:00:00Z');

function options(url: string, extra: Partial<OrganizationCollectOptions> = {}): OrganizationCollectOptions {
  return { endpointUrl: url, homeRegion: 'us-east-1', credentials: dummyCredentials, externalId: DEMO_EXTERNAL_ID, retryDelayBaseMs: 2, maxAttempts: 4, ...extra };
}

/** One account's inventory of the organization file as a one-account collection records it (a denied region lists nothing). */
function accountInventory(spec: OrganizationSpec, id: string): Inventory {
  const inv = spec.accounts.find((a) => a.id === id)?.inventory as AccountInventory;
  const denied = new Set(inv.regions.filter((r) => r.status === 'error').map((r) => r.name));
  return { version: 1, collectedAt: '2026-12-01T00:00:00Z', regions: inv.regions, instances: inv.instances.filter((i) => !denied.has(i.region)) };
}

const fingerprints = (inv: Inventory, accountId?: string): string[] =>
  evaluate(policy, inv, { now: NOW })
    .findings.filter((f) => accountId === undefined || f.instance.accountId === accountId)
    .map((f) => `${f.fingerprint} ${f.suppressed}`)
    .sort();

describe('an organization audit against the emulator', () => {
  let emulator: RunningEmulator;
  let inventory: Inventory;
  beforeAll(async () => {
    emulator = await startEmulator({ organization: demoOrganization() });
    inventory = await collectOrganization(options(emulator.url));
  });
  afterAll(() => emulator.close());

  test('every account is accounted for: read, failed with its AWS code, or skipped', () => {
    expect(inventory.accounts?.map((a) => [a.id, a.status, a.ouPath])).toEqual([
      [DEMO_ACCOUNTS.management, 'ok', '/'],
      [DEMO_ACCOUNTS.shop, 'ok', '/prod/shop'],
      [DEMO_ACCOUNTS.data, 'ok', '/prod'],
      [DEMO_ACCOUNTS.staging, 'ok', '/staging'],
      [DEMO_ACCOUNTS.sandbox, 'error', '/sandbox'],
      [DEMO_ACCOUNTS.legacy, 'skipped', '/'],
    ]);
    const sandbox = inventory.accounts?.find((a) => a.id === DEMO_ACCOUNTS.sandbox);
    expect(sandbox?.error?.code).toBe('AccessDenied');
    expect(inventory.accounts?.find((a) => a.id === DEMO_ACCOUNTS.legacy)).toMatchObject({ status: 'skipped', reason: 'not active (SUSPENDED)' });
  });

  test('findings per account equal the offline audit of that account alone (fingerprints included)', () => {
    const spec = demoOrganization();
    for (const id of [DEMO_ACCOUNTS.management, DEMO_ACCOUNTS.shop, DEMO_ACCOUNTS.data, DEMO_ACCOUNTS.staging]) {
      expect(fingerprints(inventory, id)).toEqual(fingerprints(accountInventory(spec, id)));
      if (id !== DEMO_ACCOUNTS.management) expect(fingerprints(inventory, id).length).toBeGreaterThan(0); // the management account is clean
    }
  });

  test('coverage: the unassumable account makes it incomplete; the suspended one does not', () => {
    const result = evaluate(policy, inventory, { now: NOW });
    expect(result.coverage.complete).toBe(false);
    expect(result.coverage.accounts?.filter((a) => a.status === 'error').map((a) => a.id)).toEqual([DEMO_ACCOUNTS.sandbox]);
    const withoutSandbox = evaluate(policy, { ...inventory, accounts: inventory.accounts?.filter((a) => a.id !== DEMO_ACCOUNTS.sandbox), regions: inventory.regions.filter((r) => r.status === 'ok') }, { now: NOW });
    expect(withoutSandbox.coverage.complete).toBe(true);
  });

  test('regions and instances carry their account; each account was read with its own role session', () => {
    expect(inventory.instances.every((i) => typeof i.accountId === 'string' && i.arn?.split(':')[4] === i.accountId)).toBe(true);
    expect(inventory.regions.every((r) => typeof r.accountId === 'string')).toBe(true);
    for (const id of [DEMO_ACCOUNTS.shop, DEMO_ACCOUNTS.data]) expect(emulator.callCount({ service: 'lightsail', accountId: id })).toBeGreaterThan(0);
    expect(emulator.callCount({ service: 'lightsail', accountId: DEMO_ACCOUNTS.legacy })).toBe(0);
    expect(emulator.callCount({ service: 'sts', operation: 'AssumeRole' })).toBe(5);
  });

  test('--accounts as given: no Organizations call at all', async () => {
    const before = emulator.callCount({ service: 'organizations' });
    const inv = await collectOrganization(options(emulator.url, { accounts: [DEMO_ACCOUNTS.shop] }));
    expect(emulator.callCount({ service: 'organizations' })).toBe(before);
    expect(inv.accounts?.map((a) => [a.id, a.status])).toEqual([[DEMO_ACCOUNTS.shop, 'ok']]);
  });

  test('--ou keeps the accounts under a unit, recursively; --exclude-accounts lists the excluded as skipped', async () => {
    const plan = await selectOrganizationAccounts(options(emulator.url, { ous: ['ou-root-prod0001'], excludeAccounts: [DEMO_ACCOUNTS.data] }));
    expect(plan.map((a) => [a.id, a.skipped ?? 'audit'])).toEqual([
      [DEMO_ACCOUNTS.shop, 'audit'],
      [DEMO_ACCOUNTS.data, 'excluded by --exclude-accounts'],
    ]);
    await expect(selectOrganizationAccounts(options(emulator.url, { ous: ['ou-root-nope0001'] }))).rejects.toThrow(/OrganizationalUnitNotFound: no root or unit ou-root-nope0001/);
  });
});

describe('discovery and credentials under stress', () => {
  test('throttled Organizations and STS, empty pages with a NextToken: nothing is lost', async () => {
    const spec: OrganizationSpec = {
      ...demoOrganization(),
      faults: {
        organizations: { rateLimit: { requestsPerSecond: 20, burst: 2 }, emptyPages: true },
        sts: { rateLimit: { requestsPerSecond: 10, burst: 1 } },
      },
    };
    const emulator = await startEmulator({ organization: spec });
    try {
      const inv = await collectOrganization(options(emulator.url, { accountConcurrency: 6 }));
      expect(inv.accounts?.map((a) => a.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'error', 'skipped']);
      expect(emulator.callCount({ outcome: 'TooManyRequestsException' }) + emulator.callCount({ outcome: 'Throttling' })).toBeGreaterThan(0);
      const calm = await startEmulator({ organization: demoOrganization() });
      try {
        const reference = await collectOrganization(options(calm.url));
        expect(fingerprints(inv)).toEqual(fingerprints(reference));
      } finally {
        await calm.close();
      }
    } finally {
      await emulator.close();
    }
  }, 60_000);

  test('member credentials that expire are refreshed: a short-lived session still reads the whole account', async () => {
    const emulator = await startEmulator({ organization: demoOrganization(), credentialLifetimeSeconds: 1 });
    try {
      const inv = await collectOrganization(options(emulator.url, { accounts: [DEMO_ACCOUNTS.shop] }));
      expect(inv.accounts?.[0]?.status).toBe('ok');
      expect(inv.instances.filter((i) => i.status === undefined || i.status === 'ok').length).toBe(inv.instances.length);
      expect(emulator.callCount({ service: 'sts', operation: 'AssumeRole' })).toBeGreaterThan(1);
    } finally {
      await emulator.close();
    }
  });

  test('discovery denied: one error naming the caller, nothing collected', async () => {
    const spec = demoOrganization();
    spec.organization.deniedOperations = ['*'];
    const emulator = await startEmulator({ organization: spec });
    try {
      await expect(collectOrganization(options(emulator.url))).rejects.toThrow(
        /^cannot list the organization's accounts: AccessDeniedException: .*; the caller is arn:aws:iam::111111111111:user\/auditor \(account 111111111111\)\. Run from the management account/,
      );
      expect(emulator.callCount({ service: 'lightsail' })).toBe(0);
    } finally {
      await emulator.close();
    }
  });

  test('an answer without its list is an error, not an empty organization', async () => {
    await expect(discoverAccounts(scriptedClient(() => ({})))).rejects.toThrow('ListAccounts answered without a Accounts list');
  });

  /** A client whose answers come from `answer(operation, input)`, the way a misbehaving endpoint would give them. */
  function scriptedClient(answer: (operation: string, input: Record<string, unknown>) => object): ReturnType<typeof createOrganizationsClient> {
    const client = createOrganizationsClient({
      region: 'us-east-1',
      credentials: dummyCredentials,
      retryStrategy: new CollectorRetryStrategy({ maxAttempts: 1, mode: 'standard', baseDelayMs: 1, maxDelayMs: 1, throttleBaseDelayMs: 1, throttleMaxDelayMs: 1, throttleBudgetMs: 1 }),
      maxAttempts: 1,
      maxSockets: 1,
      requestTimeoutMs: 1000,
    });
    let calls = 0;
    client.send = (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      if (++calls > 1000) throw new Error('more than 1000 calls: the walk does not end');
      return Promise.resolve(answer(command.constructor.name.replace(/Command$/, ''), command.input));
    };
    return client;
  }

  test('an account listed without State or Status is audited, never skipped as inactive', async () => {
    const client = scriptedClient((operation) =>
      operation === 'ListAccounts'
        ? { Accounts: [{ Id: '222222222222', Name: 'thin' }, { Id: '333333333333', State: 'SUSPENDED' }] }
        : operation === 'ListRoots'
          ? { Roots: [] }
          : {},
    );
    const found = await discoverAccounts(client);
    expect(found.map((a) => [a.id, a.state])).toEqual([['222222222222', 'UNKNOWN'], ['333333333333', 'SUSPENDED']]);
    expect((await planAccounts({}, () => Promise.resolve(found))).map((a) => [a.id, a.skipped ?? 'audit'])).toEqual([
      ['222222222222', 'audit'],
      ['333333333333', 'not active (SUSPENDED)'],
    ]);
  });

  test('a unit that is its own child is a malformed tree, not a walk without end', async () => {
    const client = scriptedClient((operation, input) => {
      switch (operation) {
        case 'ListAccounts':
          return { Accounts: [{ Id: '222222222222', State: 'ACTIVE' }] };
        case 'ListRoots':
          return { Roots: [{ Id: 'r-root' }] };
        case 'ListOrganizationalUnitsForParent':
          return { OrganizationalUnits: [{ Id: 'ou-root-loop1234', Name: 'loop' }] };
        case 'ListAccountsForParent':
          return { Accounts: input['ParentId'] === 'ou-root-loop1234' ? [{ Id: '222222222222', State: 'ACTIVE' }] : [] };
        default:
          return {};
      }
    });
    await expect(discoverAccounts(client, { ous: ['ou-root-loop1234'] })).rejects.toThrow('the organization tree holds ou-root-loop1234 twice (a cycle or a unit under two parents)');
    // Without --ou the OU paths are a courtesy: the account list stands, without paths.
    expect(await discoverAccounts(client)).toEqual([{ id: '222222222222', state: 'ACTIVE' }]);
  });

  test('a tree deeper than AWS allows is refused', async () => {
    const client = scriptedClient((operation, input) => {
      const parent = String(input['ParentId']);
      if (operation === 'ListAccounts') return { Accounts: [{ Id: '222222222222', State: 'ACTIVE' }] };
      if (operation === 'ListRoots') return { Roots: [{ Id: 'r-root' }] };
      if (operation === 'ListOrganizationalUnitsForParent') return { OrganizationalUnits: [{ Id: `${parent}x`, Name: 'deeper' }] };
      return { Accounts: [] };
    });
    await expect(discoverAccounts(client, { ous: ['r-root'] })).rejects.toThrow('the organization tree is more than 8 units deep');
  });
});

describe('planAccounts', () => {
  const found = [
    { id: '111111111111', state: 'ACTIVE', name: 'a' },
    { id: '222222222222', state: 'SUSPENDED' },
    { id: '333333333333', state: 'PENDING_CLOSURE' },
    { id: '444444444444', state: 'ACTIVE' },
    { id: '555555555555', state: 'CLOSED' },
    { id: '666666666666', state: 'PENDING_ACTIVATION' },
    { id: '777777777777', state: 'Active' },
  ];
  const discover = () => Promise.resolve(found);
  test.each<[string, Parameters<typeof planAccounts>[0], Array<[string, string]>]>([
    [
      'everything discovered; a state AWS does not document is audited (fail closed)',
      {},
      [
        ['111111111111', 'audit'],
        ['222222222222', 'not active (SUSPENDED)'],
        ['333333333333', 'not active (PENDING_CLOSURE)'],
        ['444444444444', 'audit'],
        ['555555555555', 'not active (CLOSED)'],
        ['666666666666', 'not active (PENDING_ACTIVATION)'],
        ['777777777777', 'audit'],
      ],
    ],
    [
      '--exclude-accounts',
      { excludeAccounts: ['444444444444'] },
      [
        ['111111111111', 'audit'],
        ['222222222222', 'not active (SUSPENDED)'],
        ['333333333333', 'not active (PENDING_CLOSURE)'],
        ['444444444444', 'excluded by --exclude-accounts'],
        ['555555555555', 'not active (CLOSED)'],
        ['666666666666', 'not active (PENDING_ACTIVATION)'],
        ['777777777777', 'audit'],
      ],
    ],
    ['--accounts as given (no discovery)', { accounts: ['999999999999'] }, [['999999999999', 'audit']]],
    ['--ou with --accounts narrows the discovered set', { ous: ['ou-x-y'], accounts: ['444444444444'] }, [['444444444444', 'audit']]],
  ])('%s', async (_label, selection, plan) => {
    expect((await planAccounts(selection, discover)).map((a) => [a.id, a.skipped ?? 'audit'])).toEqual(plan);
  });

  test('no account left to audit is an error, never an empty clean run', async () => {
    await expect(planAccounts({ excludeAccounts: ['111111111111', '444444444444', '777777777777'] }, discover)).rejects.toThrow('no account to audit: every account selected is skipped');
    await expect(planAccounts({ ous: ['ou-x-y'], accounts: ['888888888888'] }, discover)).rejects.toThrow('--accounts: 888888888888 is not in the organization under --ou');
  });
});
