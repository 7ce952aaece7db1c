import { describe, expect, test } from '@jest/globals';
import { GetInstancePortStatesCommand, GetInstancesCommand } from '@aws-sdk/client-lightsail';
import { demoFleet } from '../../src/emulator/demo-fleet.js';
import { startEmulator } from '../../src/emulator/server.js';
import { client } from './helpers.js';
import type { InventoryInstance, RawPortState } from '../../src/core/types.js';

const fleet = demoFleet();
const byName = (name: string): InventoryInstance => {
  const found = fleet.instances.find((i) => i.name === name);
  if (!found) throw new Error(`no ${name} in the demo fleet`);
  return found;
};
const states = (name: string): RawPortState[] => byName(name).portStates ?? [];

describe('demo fleet', () => {
  test('is deterministic and survives a JSON round trip unchanged', () => {
    expect(demoFleet()).toEqual(fleet);
    expect(JSON.parse(JSON.stringify(fleet))).toEqual(fleet);
  });

  test('about 60 instances, unique per region, with realistic ARNs of account 111122223333', () => {
    expect(fleet.instances.length).toBeGreaterThanOrEqual(55);
    expect(fleet.instances.length).toBeLessThanOrEqual(65);
    const keys = fleet.instances.map((i) => `${i.region}/${i.name}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const i of fleet.instances) {
      expect(i.name).toMatch(/^\w[\w-]*\w$/);
      expect(i.arn).toMatch(new RegExp(`^arn:aws:lightsail:${i.region}:111122223333:Instance/[0-9a-f-]{36}$`));
    }
    expect(new Set(fleet.instances.map((i) => i.arn)).size).toBe(fleet.instances.length);
  });

  test('regions: five healthy, ap-northeast-1 denied; one region pages', () => {
    expect(fleet.regions.filter((r) => r.status === 'ok').map((r) => r.name)).toEqual([
      'us-east-1',
      'us-west-2',
      'eu-west-1',
      'eu-central-1',
      'ap-southeast-2',
    ]);
    expect(fleet.regions.find((r) => r.name === 'ap-northeast-1')).toMatchObject({ status: 'error', error: { code: 'AccessDeniedException' } });
    expect(fleet.instances.filter((i) => i.region === 'us-east-1').length).toBeGreaterThan(20);
    for (const i of fleet.instances) expect(fleet.regions.find((r) => r.name === i.region)?.status).toBe('ok');
  });

  test.each<[string, string, Partial<RawPortState>]>([
    ['bastion-1', 'us-east-1', { protocol: 'tcp', fromPort: 22, toPort: 22, cidrs: ['0.0.0.0/0'] }],
    ['orders-db', 'us-east-1', { protocol: 'tcp', fromPort: 5432, toPort: 5432, cidrs: ['0.0.0.0/0'] }],
    ['ipv6-only-1', 'us-west-2', { protocol: 'tcp', fromPort: 22, cidrs: [], ipv6Cidrs: ['::/0'] }],
    ['split-world-1', 'us-west-2', { protocol: 'tcp', fromPort: 0, toPort: 65535, cidrs: ['0.0.0.0/1', '128.0.0.0/1'] }],
    ['connect-ssh-1', 'us-west-2', { protocol: 'tcp', fromPort: 22, cidrs: [], cidrListAliases: ['lightsail-connect'] }],
    ['legacy-ftp', 'us-east-1', { protocol: 'all', cidrs: ['0.0.0.0/0'] }],
    ['monitor-1', 'us-east-1', { protocol: 'icmp', fromPort: -1, toPort: -1, cidrs: ['0.0.0.0/0'] }],
    ['win-jump-1', 'us-east-1', { protocol: 'tcp', fromPort: 3389, ipv6Cidrs: ['::ffff:0.0.0.0/96'] }],
  ])('%s (%s) has %j', (name, region, expected) => {
    expect(byName(name).region).toBe(region);
    expect(states(name)).toContainEqual(expect.objectContaining(expected));
  });

  test('bastion-1 carries role=bastion; envs are prod and staging', () => {
    expect(byName('bastion-1').tags).toContainEqual({ key: 'role', value: 'bastion' });
    const envs = new Set(fleet.instances.flatMap((i) => (i.tags ?? []).filter((t) => t.key === 'env').map((t) => t.value)));
    expect(envs).toEqual(new Set(['prod', 'staging']));
  });

  test('ipv6-only-1 has no public IPv4 address', () => {
    expect(byName('ipv6-only-1').publicIpAddress).toBeUndefined();
    expect(byName('ipv6-only-1').ipv6Addresses?.length).toBe(1);
  });

  test('scratch-tmp is gone; private-only ranges exist', () => {
    expect(byName('scratch-tmp').status).toBe('gone');
    expect(byName('scratch-tmp').portStates).toBeUndefined();
    const sources = fleet.instances.flatMap((i) => (i.portStates ?? []).flatMap((s) => s.cidrs as string[]));
    expect(sources).toEqual(expect.arrayContaining(['10.0.0.0/8', '198.51.100.0/24']));
  });
});

describe('demo fleet served by the emulator', () => {
  test('us-east-1 takes two pages, ap-northeast-1 is denied, bastion-1 reads back raw', async () => {
    const emulator = await startEmulator({ inventory: fleet });
    try {
      const east = client(emulator.url, 'us-east-1');
      const first = await east.send(new GetInstancesCommand({}));
      const second = await east.send(new GetInstancesCommand({ pageToken: first.nextPageToken }));
      expect(second.nextPageToken).toBeUndefined();
      expect([...(first.instances ?? []), ...(second.instances ?? [])].map((i) => i.name)).toEqual(
        fleet.instances.filter((i) => i.region === 'us-east-1').map((i) => i.name),
      );
      const bastion = await east.send(new GetInstancePortStatesCommand({ instanceName: 'bastion-1' }));
      expect(bastion.portStates).toEqual(states('bastion-1'));
      await expect(client(emulator.url, 'ap-northeast-1').send(new GetInstancesCommand({}))).rejects.toMatchObject({
        name: 'AccessDeniedException',
      });
    } finally {
      await emulator.close();
    }
  });
});
