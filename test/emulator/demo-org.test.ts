// The demo organization: valid, deterministic, and served as an organization
// audit meets one: six accounts in nested units, one suspended, one without the
// audit role, one with a denied region, the classic mistakes in the rest.
import { describe, expect, test } from '@jest/globals';
import { ListAccountsCommand, ListOrganizationalUnitsForParentCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { GetInstancePortStatesCommand, GetInstancesCommand, LightsailClient } from '@aws-sdk/client-lightsail';
import type { InventoryInstance, RawPortState } from '../../src/core/types.js';
import { DEMO_ACCOUNTS, DEMO_EXTERNAL_ID, DEMO_ROLE_NAME, demoOrganization } from '../../src/emulator/demo-org.js';
import { validateOrganization, type AccountInventory } from '../../src/emulator/organization-file.js';
import { startEmulator } from '../../src/emulator/server.js';
import './helpers.js';

const org = demoOrganization();
const inventoryOf = (id: string): AccountInventory => org.accounts.find((a) => a.id === id)?.inventory as AccountInventory;
const find = (id: string, name: string): InventoryInstance => {
  const found = inventoryOf(id).instances.find((i) => i.name === name);
  if (!found) throw new Error(`no ${name} in ${id}`);
  return found;
};

describe('demo organization', () => {
  test('is valid, deterministic, and survives a JSON round trip unchanged', () => {
    expect(validateOrganization(org)).toEqual([]);
    expect(demoOrganization()).toEqual(org);
    expect(JSON.parse(JSON.stringify(org))).toEqual(org);
  });

  test('six accounts: the management account, one suspended, one without the audit role, nested units /prod/shop', () => {
    expect(org.accounts.map((a) => a.id)).toEqual(Object.values(DEMO_ACCOUNTS));
    expect(org.organization.managementAccountId).toBe(DEMO_ACCOUNTS.management);
    expect(org.accounts.filter((a) => a.status === 'SUSPENDED').map((a) => a.id)).toEqual([DEMO_ACCOUNTS.legacy]);
    expect(org.accounts.filter((a) => !a.roles?.some((r) => r.name === DEMO_ROLE_NAME)).map((a) => a.id)).toEqual([DEMO_ACCOUNTS.sandbox]);
    expect(org.units?.length).toBeGreaterThanOrEqual(3);
    const shopUnit = org.units?.find((u) => u.name === 'shop');
    expect(org.units?.find((u) => u.id === shopUnit?.parent)?.name).toBe('prod');
    expect(org.accounts.find((a) => a.id === DEMO_ACCOUNTS.shop)?.parent).toBe(shopUnit?.id);
  });

  test('every instance ARN names its own account', () => {
    for (const account of org.accounts) {
      for (const i of (account.inventory as AccountInventory).instances) expect(i.arn).toMatch(new RegExp(`^arn:aws:lightsail:${i.region}:${account.id}:Instance/[0-9a-f-]{36}$`));
    }
  });

  test.each<[string, string, Partial<RawPortState>]>([
    [DEMO_ACCOUNTS.shop, 'bastion-1', { protocol: 'tcp', fromPort: 22, cidrs: ['0.0.0.0/0'] }],
    [DEMO_ACCOUNTS.shop, 'orders-db', { protocol: 'tcp', fromPort: 5432, cidrs: ['0.0.0.0/0'] }],
    [DEMO_ACCOUNTS.shop, 'legacy-ftp', { protocol: 'all', cidrs: ['0.0.0.0/0'] }],
    [DEMO_ACCOUNTS.data, 'split-world-1', { protocol: 'tcp', cidrs: ['0.0.0.0/1', '128.0.0.0/1'] }],
    [DEMO_ACCOUNTS.data, 'analytics-db', { protocol: 'tcp', fromPort: 3306, cidrs: ['0.0.0.0/0'] }],
    [DEMO_ACCOUNTS.staging, 'ipv6-only-1', { protocol: 'tcp', fromPort: 22, ipv6Cidrs: ['::/0'] }],
    [DEMO_ACCOUNTS.staging, 'win-jump-1', { protocol: 'tcp', fromPort: 3389, ipv6Cidrs: ['::ffff:0.0.0.0/96'] }],
    [DEMO_ACCOUNTS.staging, 'monitor-2', { protocol: 'icmp', cidrs: ['0.0.0.0/0'] }],
  ])('account %s, %s has %j', (account, name, expected) => {
    expect(find(account, name).portStates).toContainEqual(expect.objectContaining(expected));
  });

  test('bastion-1 is tagged role=bastion', () => {
    expect(find(DEMO_ACCOUNTS.shop, 'bastion-1').tags).toContainEqual({ key: 'role', value: 'bastion' });
  });
});

describe('demo organization served', () => {
  test('discovery, AssumeRole per account (two denied), a denied region, paging and a drifted listing', async () => {
    const emulator = await startEmulator({ organization: org });
    try {
      const config = { endpoint: emulator.url, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
      const organizations = new OrganizationsClient(config);
      const accounts = await organizations.send(new ListAccountsCommand({}));
      expect(accounts.Accounts?.map((a) => [a.Id, a.State])).toEqual(org.accounts.map((a) => [a.id, a.status]));
      const units = await organizations.send(new ListOrganizationalUnitsForParentCommand({ ParentId: 'r-root' }));
      expect(units.OrganizationalUnits?.map((u) => u.Name)).toEqual(['prod', 'staging', 'sandbox']);

      const sts = new STSClient(config);
      const assumed = await Promise.all(
        org.accounts.map((a) =>
          sts
            .send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${a.id}:role/${DEMO_ROLE_NAME}`, RoleSessionName: `portolan-${a.id}`, ExternalId: DEMO_EXTERNAL_ID }))
            .then(
              (out) => out.Credentials,
              (e: unknown) => (e as Error).name,
            ),
        ),
      );
      expect(assumed.map((a) => (typeof a === 'string' ? a : 'ok'))).toEqual(['ok', 'ok', 'ok', 'ok', 'AccessDenied', 'AccessDenied']);
      const as = (index: number, region: string): LightsailClient => {
        const c = assumed[index] as { AccessKeyId: string; SecretAccessKey: string; SessionToken: string };
        return new LightsailClient({ ...config, region, credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken } });
      };

      const shop = await as(1, 'us-east-1').send(new GetInstancesCommand({}));
      expect(shop.instances).toHaveLength(20);
      expect(shop.nextPageToken).toBeDefined();
      await expect(as(2, 'ap-northeast-1').send(new GetInstancesCommand({}))).rejects.toMatchObject({ name: 'AccessDeniedException' });
      const staging = await as(3, 'us-west-2').send(new GetInstancesCommand({}));
      const drifted = staging.instances?.find((i) => i.name === 'drifted-1');
      expect(drifted?.networking?.ports?.map((p) => p.fromPort)).toEqual([443]);
      const states = await as(3, 'us-west-2').send(new GetInstancePortStatesCommand({ instanceName: 'drifted-1' }));
      expect(states.portStates?.map((p) => p.fromPort)).toEqual([443, 22]);
    } finally {
      await emulator.close();
    }
  });
});
