// Deterministic synthetic fleets for benchmarks: realistic CIDR mixes where
// most source lists repeat across instances and about 5% are unique, in both
// address families.

import { mulberry32 } from '../core/prng.js';
import type { Inventory, InventoryInstance, RawPortState } from '../core/types.js';


// What fleets look like: web ports open to the world, admin ports from an
// office or private range or the console alias, and a few risky exposures.
const ADMIN_SOURCES = [['198.51.100.0/24'], ['10.0.0.0/8'], ['203.0.113.0/24', '192.0.2.0/24'], ['172.16.0.0/12']];
const RISKY_SOURCES = [['0.0.0.0/0'], ['0.0.0.0/1', '128.0.0.0/1']];
const V6_SOURCES = [[], [], ['2001:db8:10::/48'], []];
const OTHER_STATES: Array<[string, number, number]> = [
  ['tcp', 22, 22], ['tcp', 3389, 3389], ['udp', 53, 53], ['tcp', 5432, 5432], ['tcp', 8000, 8999],
  ['icmp', 8, -1], ['icmpv6', 128, 0], ['tcp', 6379, 6379], ['tcp', 3306, 3306], ['udp', 60000, 61000],
];
const RISKY_STATES: Array<[string, number, number]> = [['tcp', 22, 22], ['tcp', 0, 65535], ['all', -1, -1], ['tcp', 5432, 5432], ['icmp', -1, -1]];
const REGIONS = ['us-east-1', 'us-east-2', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-2', 'ap-northeast-1', 'ca-central-1'];

function uniqueV4(rand: () => number): string {
  const o = () => Math.floor(rand() * 256);
  return `${Math.floor(rand() * 223) + 1}.${o()}.${o()}.${o()}/32`;
}

function uniqueV6(rand: () => number): string {
  const h = () => Math.floor(rand() * 65536).toString(16);
  return `2600:${h()}:${h()}:${h()}::/64`;
}

export function syntheticFleet(instances: number, statesPerInstance = 8, seed = 42): Inventory {
  const rand = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const list: InventoryInstance[] = [];
  for (let i = 0; i < instances; i++) {
    const region = REGIONS[i % REGIONS.length] as string;
    const portStates: RawPortState[] = [];
    for (let s = 0; s < statesPerInstance; s++) {
      if (s < 2) {
        // tcp 80 and 443 open to the world in both families: not a finding.
        const port = s === 0 ? 80 : 443;
        portStates.push({ fromPort: port, toPort: port, protocol: 'tcp', state: 'open', cidrs: ['0.0.0.0/0'], ipv6Cidrs: ['::/0'], cidrListAliases: [] });
        continue;
      }
      const roll = rand();
      const risky = roll < 0.02;
      const unique = !risky && roll < 0.07; // ~5% of states name a source of their own
      const [protocol, fromPort, toPort] = risky ? pick(RISKY_STATES) : pick(OTHER_STATES);
      const cidrs = unique ? [uniqueV4(rand)] : risky ? pick(RISKY_SOURCES) : pick(ADMIN_SOURCES);
      const ipv6Cidrs = unique && rand() < 0.5 ? [uniqueV6(rand)] : pick(V6_SOURCES);
      const cidrListAliases = protocol === 'tcp' && fromPort === 22 && rand() < 0.3 ? ['lightsail-connect'] : [];
      portStates.push({ fromPort, toPort, protocol, state: 'open', cidrs, ipv6Cidrs, cidrListAliases });
    }
    list.push({
      name: `i-${i.toString(36)}`,
      region,
      arn: `arn:aws:lightsail:${region}:111122223333:Instance/${i.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`,
      tags: [{ key: 'env', value: pick(['prod', 'staging', 'dev']) }],
      publicIpAddress: `192.0.2.${i % 256}`,
      ipv6Addresses: [],
      portStates,
    });
  }
  return { version: 1, collectedAt: '2026-11-25T12:00:00Z', regions: REGIONS.map((name) => ({ name, status: 'ok' as const })), instances: list };
}

/**
 * A findings-heavy fleet, as Lightsail fleets are by default (SSH is open to
 * the world on a new instance): world SSH on most instances, RDP on the
 * Windows ones, and a share of states whose source is an address of its own,
 * so caches help little. About 3.3 findings an instance with the baseline pack.
 */
export function findingsHeavyFleet(instances: number, seed = 7, accountId = '111122223333', regionCount = REGIONS.length): Inventory {
  const rand = mulberry32(seed);
  const regions = REGIONS.slice(0, Math.max(1, Math.min(regionCount, REGIONS.length)));
  const world: Pick<RawPortState, 'cidrs' | 'ipv6Cidrs' | 'cidrListAliases'> = { cidrs: ['0.0.0.0/0'], ipv6Cidrs: ['::/0'], cidrListAliases: [] };
  const list: InventoryInstance[] = [];
  for (let i = 0; i < instances; i++) {
    const region = regions[i % regions.length] as string;
    const portStates: RawPortState[] = [
      { fromPort: 80, toPort: 80, protocol: 'tcp', state: 'open', ...world },
      { fromPort: 443, toPort: 443, protocol: 'tcp', state: 'open', ...world },
    ];
    if (rand() < 0.9) portStates.push({ fromPort: 22, toPort: 22, protocol: 'tcp', state: 'open', ...world });
    else portStates.push({ fromPort: 22, toPort: 22, protocol: 'tcp', state: 'open', cidrs: ['10.0.0.0/8'], ipv6Cidrs: [], cidrListAliases: ['lightsail-connect'] });
    if (rand() < 0.2) portStates.push({ fromPort: 3389, toPort: 3389, protocol: 'tcp', state: 'open', cidrs: ['0.0.0.0/0'], ipv6Cidrs: [], cidrListAliases: [] });
    if (rand() < 0.5) portStates.push({ fromPort: 8080, toPort: 8080, protocol: 'tcp', state: 'open', cidrs: [uniqueV4(rand)], ipv6Cidrs: [], cidrListAliases: [] });
    if (rand() < 0.3) portStates.push({ fromPort: 5432, toPort: 5432, protocol: 'tcp', state: 'open', cidrs: [uniqueV4(rand)], ipv6Cidrs: rand() < 0.5 ? [uniqueV6(rand)] : [], cidrListAliases: [] });
    if (rand() < 0.5) portStates.push({ fromPort: 8, toPort: -1, protocol: 'icmp', state: 'open', cidrs: ['0.0.0.0/0'], ipv6Cidrs: [], cidrListAliases: [] });
    list.push({
      name: `web-${i.toString(36)}`,
      region,
      arn: `arn:aws:lightsail:${region}:${accountId}:Instance/${i.toString(16).padStart(8, '0')}-0000-4000-8000-${accountId}`,
      tags: [{ key: 'env', value: rand() < 0.7 ? 'prod' : 'dev' }],
      publicIpAddress: `203.0.113.${i % 256}`,
      ipv6Addresses: [],
      portStates,
    });
  }
  return { version: 1, collectedAt: '2026-11-25T12:00:00Z', regions: regions.map((name) => ({ name, status: 'ok' as const })), instances: list };
}
