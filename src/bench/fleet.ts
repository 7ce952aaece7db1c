// Deterministic synthetic fleets for benchmarks: realistic CIDR mixes where
// most source lists repeat across instances and about 5% are unique, in both
// address families.

import type { Inventory, InventoryInstance, RawPortState } from '../core/types.js';

/** Small seeded PRNG (mulberry32): the same seed gives the same fleet. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const COMMON_V4 = [['0.0.0.0/0'], ['198.51.100.0/24'], ['10.0.0.0/8'], ['203.0.113.0/24', '192.0.2.0/24'], ['0.0.0.0/1', '128.0.0.0/1'], ['172.16.0.0/12']];
const COMMON_V6 = [['::/0'], [], ['2001:db8:10::/48'], []];
const PORTS: Array<[string, number, number]> = [
  ['tcp', 80, 80], ['tcp', 443, 443], ['tcp', 22, 22], ['tcp', 3389, 3389], ['udp', 53, 53],
  ['tcp', 5432, 5432], ['tcp', 8000, 8999], ['icmp', 8, -1], ['icmpv6', 128, 0], ['tcp', 0, 65535], ['all', -1, -1], ['tcp', 6379, 6379],
];
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
  const rand = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const list: InventoryInstance[] = [];
  for (let i = 0; i < instances; i++) {
    const region = REGIONS[i % REGIONS.length]!;
    const portStates: RawPortState[] = [];
    for (let s = 0; s < statesPerInstance; s++) {
      const [protocol, fromPort, toPort] = s < 2 ? PORTS[s]! : pick(PORTS);
      const unique = rand() < 0.05;
      const cidrs = unique ? [uniqueV4(rand)] : pick(COMMON_V4);
      const ipv6Cidrs = unique && rand() < 0.5 ? [uniqueV6(rand)] : pick(COMMON_V6);
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
