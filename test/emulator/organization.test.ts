// Organization mode through the real JS SDK clients: Organizations listings and
// paging, STS AssumeRole and GetCallerIdentity, and Lightsail answered per
// account from the credentials that signed the call.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import {
  DescribeOrganizationCommand,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListRootsCommand,
  OrganizationsClient,
  paginateListAccounts,
} from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient, type AssumeRoleCommandInput } from '@aws-sdk/client-sts';
import { GetInstancePortStatesCommand, GetInstancesCommand, GetRegionsCommand, LightsailClient } from '@aws-sdk/client-lightsail';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity } from '@smithy/types';
import type { OrganizationSpec } from '../../src/emulator/organization-file.js';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator/server.js';
import { instance, inventory, SSH_WORLD } from './helpers.js';

const BASE: AwsCredentialIdentity = { accessKeyId: 'test', secretAccessKey: 'test' };
const MANAGEMENT = '111111111111';
const SHOP = '222222222222';
const LEGACY = '333333333333';
const PROD = 'ou-root-prod1234';
const SHOP_UNIT = 'ou-root-shop5678';
const SHOP_ROLE = `arn:aws:iam::${SHOP}:role/PortolanAudit`;
const FILLERS = Array.from({ length: 20 }, (_, i) => `5000000000${String(i).padStart(2, '0')}`);

function spec(extra: Partial<OrganizationSpec> = {}): OrganizationSpec {
  return {
    version: 1,
    organization: { id: 'o-a1b2c3d4e5', managementAccountId: MANAGEMENT },
    units: [
      { id: PROD, name: 'prod', parent: 'r-root' },
      { id: SHOP_UNIT, name: 'shop', parent: PROD },
    ],
    accounts: [
      { id: MANAGEMENT, name: 'management', status: 'ACTIVE', parent: 'r-root', roles: [{ name: 'PortolanAudit' }], inventory: { regions: [], instances: [instance('mgmt-1', 'us-east-1')] } },
      {
        id: SHOP,
        name: 'shop-prod',
        status: 'ACTIVE',
        parent: SHOP_UNIT,
        joinedTimestamp: '2022-03-04T05:06:07Z',
        roles: [{ name: 'PortolanAudit', externalId: 'team-secret-1' }],
        inventory: { regions: [{ name: 'us-east-1', status: 'ok' }], instances: [instance('shop-1', 'us-east-1'), instance('shop-2', 'us-east-1', { portStates: [] })] },
      },
      { id: LEGACY, name: 'legacy', status: 'SUSPENDED', parent: 'r-root', roles: [{ name: 'PortolanAudit' }], inventory: { regions: [], instances: [] } },
      ...FILLERS.map((id) => ({ id, name: `team-${id.slice(-2)}`, status: 'ACTIVE' as const, parent: PROD, roles: [], inventory: { regions: [], instances: [] } })),
    ],
    ...extra,
  };
}

const config = (url: string, credentials: AwsCredentialIdentity) => ({ endpoint: url, region: 'us-east-1', maxAttempts: 1, credentials });
const organizations = (url: string, credentials = BASE) => new OrganizationsClient(config(url, credentials));
const sts = (url: string, credentials = BASE) => new STSClient(config(url, credentials));
const lightsail = (url: string, credentials = BASE) => new LightsailClient(config(url, credentials));

async function failure(promise: Promise<unknown>): Promise<{ name: string; status: number | undefined; message: string; reason?: unknown }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; message: string; Reason?: unknown; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, status: e.$metadata?.httpStatusCode, message: e.message, ...(e.Reason !== undefined ? { reason: e.Reason } : {}) };
  }
  throw new Error('expected the call to fail');
}

async function assume(url: string, input: Partial<AssumeRoleCommandInput> = {}): Promise<AwsCredentialIdentity> {
  const out = await sts(url).send(new AssumeRoleCommand({ RoleArn: SHOP_ROLE, RoleSessionName: `portolan-${SHOP}`, ExternalId: 'team-secret-1', ...input }));
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error('no credentials');
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
}

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator({ organization: spec() });
});
afterAll(async () => {
  await emulator.close();
});

async function withEmulator(options: EmulatorOptions, run: (e: RunningEmulator) => Promise<void>): Promise<void> {
  const own = await startEmulator(options);
  try {
    await run(own);
  } finally {
    await own.close();
  }
}

describe('Organizations', () => {
  test('ListAccounts pages by MaxResults, and the SDK paginator walks the default pages of 20', async () => {
    const client = organizations(emulator.url);
    const pages: string[][] = [];
    for await (const page of paginateListAccounts({ client, pageSize: 10 }, {})) pages.push((page.Accounts ?? []).map((a) => a.Id ?? ''));
    expect(pages.map((p) => p.length)).toEqual([10, 10, 3]);
    expect(pages.flat()).toEqual([MANAGEMENT, SHOP, LEGACY, ...FILLERS]);
    const first = await client.send(new ListAccountsCommand({}));
    expect(first.Accounts).toHaveLength(20);
    const rest = await client.send(new ListAccountsCommand({ NextToken: first.NextToken }));
    expect(rest.Accounts).toHaveLength(3);
    expect(rest.NextToken).toBeUndefined();
  });

  test('an account carries Id, Arn, Email, Name, Status and State, JoinedMethod and JoinedTimestamp', async () => {
    const out = await organizations(emulator.url).send(new ListAccountsForParentCommand({ ParentId: SHOP_UNIT }));
    expect(out.Accounts).toEqual([
      {
        Id: SHOP,
        Arn: `arn:aws:organizations::${MANAGEMENT}:account/o-a1b2c3d4e5/${SHOP}`,
        Email: `aws+${SHOP}@example.com`,
        Name: 'shop-prod',
        Status: 'ACTIVE',
        State: 'ACTIVE',
        Paths: [`o-a1b2c3d4e5/r-root/${PROD}/${SHOP_UNIT}/${SHOP}/`],
        JoinedMethod: 'CREATED',
        JoinedTimestamp: new Date('2022-03-04T05:06:07Z'),
      },
    ]);
    const root = await organizations(emulator.url).send(new ListAccountsForParentCommand({ ParentId: 'r-root' }));
    expect(root.Accounts?.map((a) => [a.Id, a.Status, a.State, a.JoinedMethod])).toEqual([
      [MANAGEMENT, 'ACTIVE', 'ACTIVE', 'INVITED'],
      [LEGACY, 'SUSPENDED', 'SUSPENDED', 'CREATED'],
    ]);
  });

  test('ListRoots, ListOrganizationalUnitsForParent down the tree, DescribeOrganization', async () => {
    const client = organizations(emulator.url);
    const roots = await client.send(new ListRootsCommand({}));
    expect(roots.Roots).toEqual([{ Id: 'r-root', Arn: `arn:aws:organizations::${MANAGEMENT}:root/o-a1b2c3d4e5/r-root`, Name: 'Root', PolicyTypes: [] }]);
    const units = async (ParentId: string) => (await client.send(new ListOrganizationalUnitsForParentCommand({ ParentId }))).OrganizationalUnits?.map((u) => [u.Id, u.Name]);
    expect(await units('r-root')).toEqual([[PROD, 'prod']]);
    expect(await units(PROD)).toEqual([[SHOP_UNIT, 'shop']]);
    expect(await units(SHOP_UNIT)).toEqual([]);
    const org = await client.send(new DescribeOrganizationCommand({}));
    expect(org.Organization).toMatchObject({ Id: 'o-a1b2c3d4e5', MasterAccountId: MANAGEMENT, FeatureSet: 'ALL' });
  });

  test.each<[string, () => Promise<unknown>, { name: string; status: number; reason?: string }]>([
    ['MaxResults 21', () => organizations(emulator.url).send(new ListAccountsCommand({ MaxResults: 21 })), { name: 'InvalidInputException', status: 400, reason: 'MAX_VALUE_EXCEEDED' }],
    ['MaxResults 0', () => organizations(emulator.url).send(new ListAccountsCommand({ MaxResults: 0 })), { name: 'InvalidInputException', status: 400, reason: 'MIN_VALUE_EXCEEDED' }],
    ['a made-up NextToken', () => organizations(emulator.url).send(new ListAccountsCommand({ NextToken: 'bm9wZQ' })), { name: 'InvalidInputException', status: 400, reason: 'INVALID_NEXT_TOKEN' }],
    ['an unknown parent', () => organizations(emulator.url).send(new ListAccountsForParentCommand({ ParentId: 'ou-root-none0000' })), { name: 'ParentNotFoundException', status: 404 }],
    ['a malformed parent', () => organizations(emulator.url).send(new ListOrganizationalUnitsForParentCommand({ ParentId: 'prod' })), { name: 'InvalidInputException', status: 400, reason: 'INVALID_PATTERN_TARGET_ID' }],
  ])('%s is refused', async (_label, run, expected) => {
    const e = await failure(run());
    expect(e).toMatchObject(expected);
  });

  test('member credentials may not call Organizations', async () => {
    const member = await assume(emulator.url);
    expect(await failure(organizations(emulator.url, member).send(new ListAccountsCommand({})))).toMatchObject({ name: 'AccessDeniedException', status: 403 });
  });

  test('deniedOperations ["*"] denies the management account too: discovery denied', async () => {
    await withEmulator({ organization: spec({ organization: { id: 'o-a1b2c3d4e5', managementAccountId: MANAGEMENT, deniedOperations: ['*'] }, units: [], accounts: [] }) }, async (denied) => {
      expect(await failure(organizations(denied.url).send(new ListRootsCommand({})))).toMatchObject({ name: 'AccessDeniedException', status: 403 });
    });
  });

  test('a single inventory is an account in no organization', async () => {
    await withEmulator({ inventory: inventory([]) }, async (single) => {
      expect(await failure(organizations(single.url).send(new ListAccountsCommand({})))).toMatchObject({ name: 'AWSOrganizationsNotInUseException' });
      const me = await sts(single.url).send(new GetCallerIdentityCommand({}));
      expect(me).toMatchObject({ Account: '111122223333', Arn: 'arn:aws:iam::111122223333:user/auditor' });
    });
  });

  test('an organization file without its management account still has it, under the root', async () => {
    const accounts = spec().accounts.filter((a) => a.id !== MANAGEMENT);
    await withEmulator({ organization: spec({ accounts }) }, async (own) => {
      const out = await organizations(own.url).send(new ListAccountsCommand({ MaxResults: 2 }));
      expect(out.Accounts?.map((a) => [a.Id, a.Name])).toEqual([
        [MANAGEMENT, 'management'],
        [SHOP, 'shop-prod'],
      ]);
    });
  });
});

describe('STS', () => {
  test('GetCallerIdentity with the base credentials is the management account', async () => {
    const me = await sts(emulator.url).send(new GetCallerIdentityCommand({}));
    expect(me).toMatchObject({ Account: MANAGEMENT, Arn: `arn:aws:iam::${MANAGEMENT}:user/auditor` });
    expect(me.UserId).toMatch(/^AIDA[0-9A-Z]{17}$/);
  });

  test('AssumeRole hands out credentials of the member account, expiring in an hour by default', async () => {
    const before = Date.now();
    const out = await sts(emulator.url).send(new AssumeRoleCommand({ RoleArn: SHOP_ROLE, RoleSessionName: `portolan-${SHOP}`, ExternalId: 'team-secret-1' }));
    expect(out.Credentials?.AccessKeyId).toMatch(new RegExp(`^ASIA${SHOP}[0-9A-Z]{4}$`));
    expect(out.Credentials?.Expiration).toBeInstanceOf(Date);
    const expires = out.Credentials?.Expiration?.getTime() ?? 0;
    expect(expires).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 3_599_000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 3_600_000);
    expect(out.AssumedRoleUser).toEqual({
      Arn: `arn:aws:sts::${SHOP}:assumed-role/PortolanAudit/portolan-${SHOP}`,
      AssumedRoleId: expect.stringMatching(new RegExp(`^AROA[0-9A-Z]{17}:portolan-${SHOP}$`)) as unknown as string,
    });
    const me = await sts(emulator.url, await assume(emulator.url)).send(new GetCallerIdentityCommand({}));
    expect(me).toMatchObject({ Account: SHOP, Arn: `arn:aws:sts::${SHOP}:assumed-role/PortolanAudit/portolan-${SHOP}` });
  });

  test.each<[string, Partial<AssumeRoleCommandInput>]>([
    ['a wrong external id', { ExternalId: 'guess' }],
    ['no external id where the role sets one', { ExternalId: undefined }],
    ['a role the account does not have', { RoleArn: `arn:aws:iam::${SHOP}:role/OrganizationAccountAccessRole` }],
    ['a suspended account', { RoleArn: `arn:aws:iam::${LEGACY}:role/PortolanAudit`, ExternalId: undefined }],
    ['an account outside the organization', { RoleArn: 'arn:aws:iam::999999999999:role/PortolanAudit' }],
  ])('%s is AccessDenied (403)', async (_label, input) => {
    const e = await failure(assume(emulator.url, input));
    expect(e).toMatchObject({ name: 'AccessDenied', status: 403 });
    expect(e.message).toContain(`User: arn:aws:iam::${MANAGEMENT}:user/auditor is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::`);
  });

  test.each<[string, Partial<AssumeRoleCommandInput>]>([
    ['a one-letter session name', { RoleSessionName: 'a' }],
    ['a session name with a space', { RoleSessionName: 'has space' }],
    ['a session name of 65 characters', { RoleSessionName: 'x'.repeat(65) }],
    ['a malformed role ARN', { RoleArn: 'arn:aws:iam::2222:role/X' }],
    ['more than the role allows (MaxSessionDuration 3600)', { DurationSeconds: 7200 }],
    ['less than 15 minutes', { DurationSeconds: 899 }],
  ])('%s is ValidationError (400)', async (_label, input) => {
    expect(await failure(assume(emulator.url, input))).toMatchObject({ name: 'ValidationError', status: 400 });
  });

  test('a chained session may not ask for more than an hour', async () => {
    const member = await assume(emulator.url);
    const chained = sts(emulator.url, member).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${MANAGEMENT}:role/PortolanAudit`, RoleSessionName: 'chain', DurationSeconds: 3601 }));
    expect(await failure(chained)).toMatchObject({ name: 'ValidationError', message: expect.stringContaining('role chaining') as unknown as string });
  });
});

describe('Lightsail per account', () => {
  test('assumed credentials read that account; base credentials read the management account', async () => {
    const member = await assume(emulator.url);
    const shop = await lightsail(emulator.url, member).send(new GetInstancesCommand({}));
    expect(shop.instances?.map((i) => i.name)).toEqual(['shop-1', 'shop-2']);
    for (const i of shop.instances ?? []) expect(i.arn).toMatch(new RegExp(`^arn:aws:lightsail:us-east-1:${SHOP}:Instance/[0-9a-f-]{36}$`));
    expect(shop.instances?.[0]?.supportCode).toMatch(new RegExp(`^${SHOP}/i-`));
    const states = await lightsail(emulator.url, member).send(new GetInstancePortStatesCommand({ instanceName: 'shop-1' }));
    expect(states.portStates).toEqual([SSH_WORLD]);
    const base = await lightsail(emulator.url).send(new GetInstancesCommand({}));
    expect(base.instances?.map((i) => i.name)).toEqual(['mgmt-1']);
    expect(await failure(lightsail(emulator.url).send(new GetInstancePortStatesCommand({ instanceName: 'shop-1' })))).toMatchObject({ name: 'NotFoundException' });
  });

  test('the same instance name in two accounts gets two ARNs', async () => {
    await withEmulator(
      {
        organization: spec({
          accounts: [
            { id: MANAGEMENT, name: 'm', status: 'ACTIVE', parent: 'r-root', inventory: { regions: [], instances: [instance('web-1', 'us-east-1')] } },
            { id: SHOP, name: 's', status: 'ACTIVE', parent: 'r-root', roles: [{ name: 'R' }], inventory: { regions: [], instances: [instance('web-1', 'us-east-1')] } },
          ],
        }),
      },
      async (own) => {
        const out = await sts(own.url).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${SHOP}:role/R`, RoleSessionName: 'x1' }));
        const c = out.Credentials as { AccessKeyId: string; SecretAccessKey: string; SessionToken: string };
        const [a, b] = await Promise.all([
          lightsail(own.url).send(new GetInstancesCommand({})),
          lightsail(own.url, { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken }).send(new GetInstancesCommand({})),
        ]);
        expect(a.instances?.[0]?.arn).toContain(`:${MANAGEMENT}:`);
        expect(b.instances?.[0]?.arn).toContain(`:${SHOP}:`);
        expect(a.instances?.[0]?.arn?.split('/')[1]).not.toBe(b.instances?.[0]?.arn?.split('/')[1]);
      },
    );
  });

  test('fromTemporaryCredentials (what a collector uses) assumes the role and reads the member account', async () => {
    const credentials = fromTemporaryCredentials({
      masterCredentials: BASE,
      params: { RoleArn: SHOP_ROLE, RoleSessionName: `portolan-${SHOP}`, ExternalId: 'team-secret-1' },
      clientConfig: { endpoint: emulator.url, region: 'us-east-1' },
    });
    const out = await new LightsailClient({ endpoint: emulator.url, region: 'us-east-1', maxAttempts: 1, credentials }).send(new GetInstancesCommand({}));
    expect(out.instances?.map((i) => i.name)).toEqual(['shop-1', 'shop-2']);
  });

  test('tampered or foreign session tokens are refused; expired credentials are ExpiredTokenException', async () => {
    await withEmulator({ organization: spec(), credentialLifetimeSeconds: 0.3 }, async (own) => {
      const member = await assume(own.url);
      expect(((await lightsail(own.url, member).send(new GetInstancesCommand({}))).instances ?? []).length).toBe(2);
      const forged = { ...member, sessionToken: `${member.sessionToken ?? ''}x` };
      expect(await failure(lightsail(own.url, forged).send(new GetInstancesCommand({})))).toMatchObject({ name: 'UnrecognizedClientException', status: 403 });
      expect(await failure(sts(own.url, forged).send(new GetCallerIdentityCommand({})))).toMatchObject({ name: 'InvalidClientTokenId', status: 403 });
      // A token from another emulator run is not this run's either.
      expect(await failure(lightsail(emulator.url, member).send(new GetInstancesCommand({})))).toMatchObject({ name: 'UnrecognizedClientException' });
      await new Promise((r) => setTimeout(r, 350));
      expect(await failure(lightsail(own.url, member).send(new GetInstancesCommand({})))).toMatchObject({ name: 'ExpiredTokenException', status: 403 });
      expect(await failure(sts(own.url, member).send(new GetCallerIdentityCommand({})))).toMatchObject({ name: 'ExpiredToken', status: 403 });
    });
  });

  test('every call is recorded with its service and account', async () => {
    await withEmulator({ organization: spec() }, async (own) => {
      const member = await assume(own.url);
      await lightsail(own.url, member).send(new GetRegionsCommand({}));
      await organizations(own.url).send(new ListRootsCommand({}));
      await failure(organizations(own.url, member).send(new ListRootsCommand({})));
      expect(own.calls.map(({ service, operation, accountId, region, outcome }) => ({ service, operation, accountId, region, outcome }))).toEqual([
        { service: 'sts', operation: 'AssumeRole', accountId: MANAGEMENT, region: 'us-east-1', outcome: 'ok' },
        { service: 'lightsail', operation: 'GetRegions', accountId: SHOP, region: 'us-east-1', outcome: 'ok' },
        { service: 'organizations', operation: 'ListRoots', accountId: MANAGEMENT, region: 'us-east-1', outcome: 'ok' },
        { service: 'organizations', operation: 'ListRoots', accountId: SHOP, region: 'us-east-1', outcome: 'AccessDeniedException' },
      ]);
      expect(own.counts.byAccount).toEqual({ [MANAGEMENT]: 2, [SHOP]: 2 });
    });
  });
});

describe('faults per service and account', () => {
  test('each account\'s Lightsail, Organizations and STS have their own bucket, each with its own throttling error', async () => {
    await withEmulator({ organization: spec(), faults: { rateLimit: { requestsPerSecond: 0.001, burst: 1 } } }, async (own) => {
      const member = await assume(own.url); // STS's one token
      expect(await failure(sts(own.url).send(new GetCallerIdentityCommand({})))).toMatchObject({ name: 'Throttling', status: 400 });
      await lightsail(own.url).send(new GetRegionsCommand({}));
      await lightsail(own.url, member).send(new GetRegionsCommand({})); // another account, another bucket
      expect(await failure(lightsail(own.url).send(new GetRegionsCommand({})))).toMatchObject({ name: 'ThrottlingException', status: 400 });
      await organizations(own.url).send(new ListRootsCommand({}));
      expect(await failure(organizations(own.url).send(new ListRootsCommand({})))).toMatchObject({ name: 'TooManyRequestsException', status: 429 });
    });
  });

  test('an account\'s inventory faults stay in that account; the file\'s service faults reach only that service', async () => {
    const base = spec();
    const accounts = base.accounts.map((a) => (a.id === SHOP && typeof a.inventory !== 'string' ? { ...a, inventory: { ...a.inventory, faults: { errorRate: 1 } } } : a));
    await withEmulator({ organization: { ...base, accounts, faults: { organizations: { errorRate: 1 }, sts: { latencyMs: 30 } } } }, async (own) => {
      const member = await assume(own.url);
      expect(own.calls[0]?.durationMs).toBeGreaterThanOrEqual(29);
      expect(await failure(lightsail(own.url, member).send(new GetRegionsCommand({})))).toMatchObject({ name: 'ServiceException', status: 500 });
      await lightsail(own.url).send(new GetRegionsCommand({}));
      expect(await failure(organizations(own.url).send(new ListRootsCommand({})))).toMatchObject({ name: 'ServiceException', status: 500 });
    });
  });

  test('emptyPages: every Organizations listing starts with an empty page and a NextToken; the paginator still sees everyone', async () => {
    await withEmulator({ organization: spec({ faults: { organizations: { emptyPages: true } } }) }, async (own) => {
      const client = organizations(own.url);
      const first = await client.send(new ListAccountsCommand({}));
      expect(first.Accounts).toEqual([]);
      expect(first.NextToken).toBeDefined();
      const ids: string[] = [];
      for await (const page of paginateListAccounts({ client }, {})) ids.push(...(page.Accounts ?? []).map((a) => a.Id ?? ''));
      expect(ids).toHaveLength(23);
    });
  });

  test('an injected STS error is InternalFailure (500) in an XML envelope', async () => {
    await withEmulator({ organization: spec({ faults: { sts: { errorRate: 1 } } }) }, async (own) => {
      expect(await failure(assume(own.url))).toMatchObject({ name: 'InternalFailure', status: 500 });
    });
  });
});

describe('listing drift', () => {
  const drifting = inventory([
    instance('listed-1', 'us-east-1', { listedPorts: [{ fromPort: 443, toPort: 443, protocol: 'tcp', cidrs: ['0.0.0.0/0'] }] }),
    instance('plain-1', 'us-east-1'),
    instance('plain-2', 'us-east-1', { portStates: [{ ...SSH_WORLD, fromPort: 80, toPort: 80 }, SSH_WORLD] }),
  ]);

  test('listedPorts are served as networking.ports, raw; otherwise they mirror the open port states', async () => {
    await withEmulator({ inventory: drifting }, async (own) => {
      const out = await lightsail(own.url).send(new GetInstancesCommand({}));
      expect(out.instances?.map((i) => i.networking?.ports?.map((p) => `${p.protocol ?? ''}/${String(p.fromPort)}`))).toEqual([['tcp/443'], ['tcp/22'], ['tcp/80', 'tcp/22']]);
    });
  });

  test('portDrift drops the first listed port of the named instances (or a rate of all), never the port states', async () => {
    await withEmulator({ inventory: drifting, faults: { portDrift: { instances: ['plain-2'] } } }, async (own) => {
      const out = await lightsail(own.url).send(new GetInstancesCommand({}));
      expect(out.instances?.map((i) => i.networking?.ports?.length)).toEqual([1, 1, 1]);
      expect(out.instances?.[2]?.networking?.ports?.[0]?.fromPort).toBe(22);
      const states = await lightsail(own.url).send(new GetInstancePortStatesCommand({ instanceName: 'plain-2' }));
      expect(states.portStates?.map((s) => s.fromPort)).toEqual([80, 22]);
    });
    await withEmulator({ inventory: drifting, faults: { portDrift: { rate: 1 } } }, async (own) => {
      const out = await lightsail(own.url).send(new GetInstancesCommand({}));
      expect(out.instances?.map((i) => i.networking?.ports?.length)).toEqual([0, 0, 1]);
    });
  });
});

describe('any request input is answered', () => {
  const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 30 }), fc.constantFrom(SHOP_ROLE, 'r-root', PROD, '__proto__', 'toString', ''));
  /** A real client reads every answer: a value, or an error it could parse (it has an HTTP status). */
  const answered = async (call: Promise<unknown>): Promise<void> => {
    const status = await call.then(
      () => 200,
      (e: unknown) => (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode,
    );
    expect(typeof status).toBe('number');
  };

  test('property: random AssumeRole inputs and Organizations paging and parents, through the real clients', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({ RoleArn: text, RoleSessionName: text, ExternalId: fc.option(text, { nil: undefined }), DurationSeconds: fc.option(fc.integer(), { nil: undefined }) }),
        fc.record({ ParentId: text, NextToken: fc.option(text, { nil: undefined }), MaxResults: fc.option(fc.integer({ min: -5, max: 40 }), { nil: undefined }) }),
        async (assumeRole, listing) => {
          await Promise.all([
            answered(sts(emulator.url).send(new AssumeRoleCommand(assumeRole))),
            answered(organizations(emulator.url).send(new ListAccountsForParentCommand(listing))),
            answered(organizations(emulator.url).send(new ListOrganizationalUnitsForParentCommand(listing))),
          ]);
        },
      ),
      { numRuns: 40 },
    );
  });
});
