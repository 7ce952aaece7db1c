// Inventories for the collector's end-to-end tests. Every instance carries
// arn, tags and ipv6Addresses explicitly so the emulator serves them back
// exactly (it synthesizes those fields when they are absent).
import type { Inventory, InventoryInstance, RawPortState } from '../../src/core/types.js';

export const ACCOUNT = '111122223333';

const PORT_STATE_KINDS: RawPortState[][] = [
  [{ fromPort: 22, toPort: 22, protocol: 'tcp', state: 'open', cidrs: ['0.0.0.0/0'], ipv6Cidrs: ['::/0'], cidrListAliases: [] }],
  [
    { fromPort: 80, toPort: 80, protocol: 'tcp', state: 'open', cidrs: ['0.0.0.0/1', '128.0.0.0/1'], ipv6Cidrs: [], cidrListAliases: [] },
    { fromPort: 443, toPort: 443, protocol: 'tcp', state: 'closed', cidrs: [], ipv6Cidrs: [], cidrListAliases: [] },
  ],
  [
    { fromPort: 8, toPort: -1, protocol: 'icmp', state: 'open', cidrs: ['198.51.100.0/24'], ipv6Cidrs: [], cidrListAliases: [] },
    { fromPort: 128, toPort: 0, protocol: 'icmpv6', state: 'open', cidrs: [], ipv6Cidrs: ['2001:db8::/32'], cidrListAliases: [] },
  ],
  [{ fromPort: 0, toPort: 65535, protocol: 'all', state: 'open', cidrs: ['10.0.0.5/8'], ipv6Cidrs: [], cidrListAliases: ['lightsail-connect'] }],
  // Unknown protocol and odd values: passed through untouched, judged later.
  [{ fromPort: 47, toPort: 47, protocol: 'gre', state: 'open', cidrs: ['203.0.113.7'], ipv6Cidrs: [], cidrListAliases: [] }],
  [],
];

export function liveInstance(name: string, region: string, i: number, extra: Partial<InventoryInstance> = {}): InventoryInstance {
  const inst: InventoryInstance = {
    name,
    region,
    arn: `arn:aws:lightsail:${region}:${ACCOUNT}:Instance/00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    tags: i % 3 === 0 ? [] : i % 3 === 1 ? [{ key: 'env', value: 'prod' }, { key: 'team', value: 'web' }] : [{ key: 'bastion' }],
    ipv6Addresses: i % 4 === 0 ? [`2001:db8:1::${i.toString(16)}`] : [],
    portStates: PORT_STATE_KINDS[i % PORT_STATE_KINDS.length],
  };
  if (i % 5 !== 4) inst.publicIpAddress = `203.0.113.${i % 250}`;
  return { ...inst, ...extra };
}

/** Three readable regions (one with 25 instances, one with an error and a gone instance, one empty) and one denied region. */
export function roundTripInventory(): Inventory {
  const instances: InventoryInstance[] = [];
  for (let i = 0; i < 25; i++) instances.push(liveInstance(`web-${i}`, 'us-east-1', i));
  instances.push(liveInstance('db-1', 'eu-west-1', 101));
  const failing = liveInstance('broken-1', 'eu-west-1', 102, {
    status: 'error',
    error: { code: 'OperationFailureException', message: 'The instance is in a state that does not allow this operation' },
  });
  delete failing.portStates;
  instances.push(failing);
  const gone = liveInstance('deleted-1', 'eu-west-1', 103, { status: 'gone' });
  delete gone.portStates;
  instances.push(gone);
  instances.push(liveInstance('db-2', 'eu-west-1', 104));
  return {
    version: 1,
    collectedAt: '2026-11-25T12:00:00Z',
    regions: [
      { name: 'us-east-1', status: 'ok' },
      { name: 'eu-west-1', status: 'ok' },
      { name: 'ap-south-1', status: 'ok' },
      { name: 'ap-northeast-1', status: 'error', error: { code: 'AccessDeniedException', message: 'User is not authorized in ap-northeast-1' } },
    ],
    instances,
  };
}

/** `regions` x `perRegion` readable instances, for load and fault tests. */
export function bigFleet(regions: number, perRegion: number): Inventory {
  const names = Array.from({ length: regions }, (_, r) => `xx-test-${r + 1}`);
  const instances: InventoryInstance[] = [];
  let i = 0;
  for (const region of names) for (let k = 0; k < perRegion; k++) instances.push(liveInstance(`i-${k}`, region, i++));
  return { version: 1, collectedAt: '2026-11-25T12:00:00Z', regions: names.map((name) => ({ name, status: 'ok' })), instances };
}

/** The inventory without the recorded GetInstances listing: what the emulator was given, to compare with what was collected. */
export function withoutListedPorts(inventory: Inventory): Inventory {
  return { ...inventory, instances: inventory.instances.map(({ listedPorts: _listed, ...rest }) => rest) };
}
