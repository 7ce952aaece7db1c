// Fleets for the live end-to-end tests of the CLI. Every readable instance
// carries at least one port state that the baseline pack reports, so the
// findings name every scanned instance and a lost instance shows up as a
// missing name, not just as a count that happens to add up.
import type { Inventory, InventoryInstance, RawPortState } from '../../src/core/types.js';

export const ACCOUNT = '111122223333';
export const DENIED_REGION = 'ap-northeast-1';

const open = (protocol: string, fromPort: number, toPort: number, cidrs: string[], ipv6Cidrs: string[] = [], aliases: string[] = []): RawPortState => ({
  fromPort,
  toPort,
  protocol,
  state: 'open',
  cidrs,
  ipv6Cidrs,
  cidrListAliases: aliases,
});

/** Each kind yields at least one baseline finding (the rule named in the comment). */
const KINDS: RawPortState[][] = [
  // ssh-rdp-world (critical) + high-risk-ports-public; a closed state and a console-only state beside it raise nothing.
  [
    open('tcp', 22, 22, ['0.0.0.0/0'], ['::/0']),
    { ...open('tcp', 8080, 8080, ['0.0.0.0/0']), state: 'closed' },
    open('tcp', 3389, 3389, [], [], ['lightsail-connect']),
  ],
  // Split world over every tcp port: ssh-rdp-world, high-risk-ports-public, database-ports-public.
  [open('tcp', 0, 65535, ['0.0.0.0/1', '128.0.0.0/1'])],
  // Every ICMP type from everywhere: icmp-all-world (low).
  [open('icmp', -1, -1, ['0.0.0.0/0']), open('tcp', 443, 443, ['0.0.0.0/0'], ['::/0'])],
  // all from one public range: all-traffic-public (critical).
  [open('all', 0, 65535, ['81.2.69.0/24'])],
  // PostgreSQL to every IPv6 address only: database-ports-public, high-risk-ports-public.
  [open('tcp', 5432, 5432, [], ['::/0'])],
  // RDP to the IPv4 internet in IPv4-mapped IPv6 form: ssh-rdp-world.
  [open('tcp', 3389, 3389, [], ['::ffff:0.0.0.0/96']), open('udp', 53, 53, ['10.0.0.0/8'])],
];

export function fleetInstance(name: string, region: string, i: number): InventoryInstance {
  const instance: InventoryInstance = {
    name,
    region,
    arn: `arn:aws:lightsail:${region}:${ACCOUNT}:Instance/00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    tags: i % 2 === 0 ? [{ key: 'env', value: 'prod' }] : [],
    publicIpAddress: `192.0.2.${i % 250}`,
    ipv6Addresses: i % 3 === 0 ? [`2001:db8:1::${i.toString(16)}`] : [],
    portStates: KINDS[i % KINDS.length],
  };
  return instance;
}

/**
 * us-east-1: `bigRegion` instances (many GetInstances pages at a small page size);
 * eu-west-1: 4 readable, one whose port states cannot be read, one deleted mid-scan;
 * ap-south-1: empty; ap-northeast-1: AccessDeniedException for the whole region.
 * Shaped exactly like a collected inventory (nothing listed in the denied region),
 * so collecting it gives it back unchanged.
 */
export function liveFleet(bigRegion = 23): Inventory {
  const instances: InventoryInstance[] = [];
  let i = 0;
  for (let k = 0; k < bigRegion; k++) instances.push(fleetInstance(`web-${String(k).padStart(2, '0')}`, 'us-east-1', i++));
  for (let k = 0; k < 2; k++) instances.push(fleetInstance(`api-${k}`, 'eu-west-1', i++));
  const broken = fleetInstance('broken-1', 'eu-west-1', i++);
  delete broken.portStates;
  broken.status = 'error';
  // Not retryable (HTTP 400): the read fails at once instead of spending --max-attempts.
  broken.error = { code: 'OperationFailureException', message: 'The instance is in a state that does not allow this operation' };
  instances.push(broken);
  const gone = fleetInstance('deleted-1', 'eu-west-1', i++);
  delete gone.portStates;
  gone.status = 'gone';
  instances.push(gone);
  for (let k = 2; k < 4; k++) instances.push(fleetInstance(`api-${k}`, 'eu-west-1', i++));
  return {
    version: 1,
    collectedAt: '2026-11-25T12:00:00Z',
    regions: [
      { name: 'us-east-1', status: 'ok' },
      { name: 'eu-west-1', status: 'ok' },
      { name: 'ap-south-1', status: 'ok' },
      { name: DENIED_REGION, status: 'error', error: { code: 'AccessDeniedException', message: `User is not authorized to perform lightsail:GetInstances in ${DENIED_REGION}` } },
    ],
    instances,
  };
}

/** Findings only below `high` (icmp-all-world, low), and a denied region: the default --fail-on does not fail it, coverage does. */
export function lowOnlyFleet(): Inventory {
  const instances = [0, 1, 2].map((k) => ({
    ...fleetInstance(`ping-${k}`, 'us-east-1', 100 + k),
    portStates: [open('icmp', -1, -1, ['0.0.0.0/0']), open('tcp', 443, 443, ['0.0.0.0/0'])],
  }));
  return {
    version: 1,
    collectedAt: '2026-11-25T12:00:00Z',
    regions: [
      { name: 'us-east-1', status: 'ok' },
      { name: DENIED_REGION, status: 'error', error: { code: 'AccessDeniedException', message: `User is not authorized in ${DENIED_REGION}` } },
    ],
    instances,
  };
}
