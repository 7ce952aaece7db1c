// A deterministic demo account: about 60 instances over five healthy regions and
// one the caller may not read, with the firewall mistakes an audit should catch
// next to ordinary, harmless setups. Addresses are from documentation ranges.

// The builders are shared with the demo organization (demo-org.ts).

import type { Inventory, InventoryInstance, InventoryRegion, RawPortState, Tag } from '../core/types.js';
import { DEFAULT_ACCOUNT_ID, synthesizedArn } from './fleet.js';

export type Source = { cidrs?: string[]; ipv6Cidrs?: string[]; aliases?: string[] };

export const WORLD: Source = { cidrs: ['0.0.0.0/0'] };
export const WORLD_DUAL: Source = { cidrs: ['0.0.0.0/0'], ipv6Cidrs: ['::/0'] };
export const OFFICE: Source = { cidrs: ['198.51.100.0/24'], ipv6Cidrs: ['2001:db8:10::/48'] };
export const VPC: Source = { cidrs: ['10.0.0.0/8'] };

export function port(protocol: string, fromPort: number, toPort: number, source: Source, state = 'open'): RawPortState {
  return {
    fromPort,
    toPort,
    protocol,
    state,
    cidrs: source.cidrs ?? [],
    ipv6Cidrs: source.ipv6Cidrs ?? [],
    cidrListAliases: source.aliases ?? [],
  };
}
export const tcp = (p: number, source: Source, to = p): RawPortState => port('tcp', p, to, source);
export const udp = (p: number, source: Source, to = p): RawPortState => port('udp', p, to, source);

/** Builds the instances of one account: ARNs in that account, public addresses numbered in order (deterministic). */
export class DemoHosts {
  private count = 0;
  constructor(readonly accountId: string = DEFAULT_ACCOUNT_ID) {}

  host(name: string, region: string, portStates: RawPortState[], tags: Record<string, string>, extra: Partial<InventoryInstance> = {}): InventoryInstance {
    this.count++;
    const tagList: Tag[] = Object.entries(tags).map(([key, value]) => ({ key, value }));
    const publicIpAddress = `${['192.0.2', '198.51.100', '203.0.113'][this.count % 3] ?? ''}.${String(10 + (this.count % 240))}`;
    const built: InventoryInstance = {
      name,
      region,
      arn: synthesizedArn(name, region, this.accountId),
      tags: tagList,
      publicIpAddress,
      ipv6Addresses: [],
      blueprintId: 'ubuntu_22_04',
      bundleId: 'small_3_0',
      portStates,
      ...extra,
    };
    // undefined fields (publicIpAddress, portStates) would vanish in JSON anyway; drop them so objects equal their JSON.
    return Object.fromEntries(Object.entries(built).filter(([, value]) => value !== undefined)) as InventoryInstance;
  }
}

export const dual = (n: number): Partial<InventoryInstance> => ({ ipv6Addresses: [`2001:db8:1:${n.toString(16)}::10`], ipAddressType: 'dualstack' });
export const numbered = (prefix: string, count: number): string[] => Array.from({ length: count }, (_, i) => `${prefix}-${String(i + 1).padStart(2, '0')}`);

export function demoFleet(): Inventory {
  const hosts = new DemoHosts();
  const host = hosts.host.bind(hosts);
  const regions: InventoryRegion[] = [
    { name: 'us-east-1', status: 'ok' },
    { name: 'us-west-2', status: 'ok' },
    { name: 'eu-west-1', status: 'ok' },
    { name: 'eu-central-1', status: 'ok' },
    { name: 'ap-southeast-2', status: 'ok' },
    {
      name: 'ap-northeast-1',
      status: 'error',
      error: {
        code: 'AccessDeniedException',
        message: 'User: arn:aws:iam::111122223333:user/auditor is not authorized to perform: lightsail:GetInstances in region ap-northeast-1',
      },
    },
  ];
  const web = (ipv6: boolean): RawPortState[] => [tcp(80, ipv6 ? WORLD_DUAL : WORLD), tcp(443, ipv6 ? WORLD_DUAL : WORLD), tcp(22, OFFICE)];

  const instances: InventoryInstance[] = [
    // us-east-1: 25 instances, more than one GetInstances page.
    ...numbered('web-prod', 12).map((name, i) => host(name, 'us-east-1', web(i % 3 === 0), { env: 'prod', role: 'web' }, i % 3 === 0 ? dual(i) : {})),
    host('bastion-1', 'us-east-1', [tcp(22, WORLD)], { env: 'prod', role: 'bastion' }, { isStaticIp: true }),
    host('orders-db', 'us-east-1', [tcp(5432, WORLD), tcp(22, OFFICE)], { env: 'prod', role: 'database' }, { blueprintId: 'postgres_16' }),
    ...numbered('api-staging', 4).map((name) => host(name, 'us-east-1', [tcp(443, WORLD), tcp(8080, OFFICE)], { env: 'staging', role: 'api' })),
    ...numbered('worker', 3).map((name) => host(name, 'us-east-1', [tcp(6379, VPC), tcp(22, { cidrs: ['10.20.0.0/16'] })], { env: 'prod', role: 'worker' })),
    host('legacy-ftp', 'us-east-1', [port('all', 0, 65535, WORLD)], { env: 'prod', owner: 'finance' }),
    host('monitor-1', 'us-east-1', [port('icmp', -1, -1, WORLD_DUAL), tcp(443, WORLD)], { env: 'prod', role: 'monitoring' }),
    // RDP to ::ffff:0.0.0.0/96, which is the whole IPv4 internet in mapped form.
    host('win-jump-1', 'us-east-1', [tcp(3389, { ipv6Cidrs: ['::ffff:0.0.0.0/96'] }), tcp(3389, { cidrs: ['198.51.100.0/24'] })], { env: 'staging', role: 'jump' }, {
      blueprintId: 'windows_server_2022',
      ...dual(90),
    }),
    // Listed by GetInstances, deleted before its ports are read.
    host('scratch-tmp', 'us-east-1', [], { env: 'staging' }, { status: 'gone', portStates: undefined }),

    // us-west-2
    ...numbered('web-west', 5).map((name, i) => host(name, 'us-west-2', web(i % 2 === 0), { env: 'prod', role: 'web' }, i % 2 === 0 ? dual(0x20 + i) : {})),
    host('ipv6-only-1', 'us-west-2', [tcp(22, { ipv6Cidrs: ['::/0'] }), tcp(443, { ipv6Cidrs: ['::/0'] })], { env: 'staging', role: 'web' }, {
      publicIpAddress: undefined,
      ipv6Addresses: ['2001:db8:2::20'],
      ipAddressType: 'ipv6',
    }),
    host('split-world-1', 'us-west-2', [tcp(0, { cidrs: ['0.0.0.0/1', '128.0.0.0/1'] }, 65535)], { env: 'staging', owner: 'data-team' }),
    host('connect-ssh-1', 'us-west-2', [tcp(22, { aliases: ['lightsail-connect'] }), tcp(80, WORLD)], { env: 'staging', role: 'web' }),
    host('dev-box', 'us-west-2', [tcp(22, { cidrs: ['81.2.69.160/32'] }), tcp(3000, { cidrs: ['81.2.69.160/32'] }), port('tcp', 8000, 8000, WORLD, 'closed')], {
      env: 'staging',
      owner: 'alice',
    }),
    host('build-cache', 'us-west-2', [tcp(9000, { cidrs: ['10.0.0.5/8'] })], { env: 'staging', role: 'ci' }),

    // eu-west-1
    ...numbered('web-eu', 6).map((name, i) => host(name, 'eu-west-1', web(true), { env: i < 4 ? 'prod' : 'staging', role: 'web' }, dual(0x30 + i))),
    host('mail-1', 'eu-west-1', [tcp(25, WORLD), tcp(587, WORLD), tcp(993, WORLD_DUAL)], { env: 'prod', role: 'mail' }),
    host('vpn-1', 'eu-west-1', [udp(1194, WORLD), tcp(22, OFFICE)], { env: 'prod', role: 'vpn' }),
    host('staging-eu-1', 'eu-west-1', [tcp(22, { cidrs: ['203.0.113.0/24'] }), tcp(80, WORLD)], { env: 'staging', role: 'web' }),
    host('db-eu-1', 'eu-west-1', [tcp(3306, VPC), tcp(3306, { cidrs: ['172.16.0.0/12'] })], { env: 'prod', role: 'database' }),

    // eu-central-1
    ...numbered('shop', 5).map((name) => host(name, 'eu-central-1', web(false), { env: 'prod', role: 'web' })),
    host('cache-1', 'eu-central-1', [tcp(6379, WORLD)], { env: 'staging', role: 'cache' }),
    host('elastic-1', 'eu-central-1', [tcp(9200, { cidrs: ['0.0.0.0/2', '64.0.0.0/2', '128.0.0.0/1'] }), tcp(9300, VPC)], { env: 'staging', role: 'search' }),
    host('ntp-1', 'eu-central-1', [udp(123, WORLD_DUAL), port('icmpv6', 128, 0, { ipv6Cidrs: ['::/0'] })], { env: 'prod', role: 'ntp' }, dual(0x40)),

    // ap-southeast-2
    ...numbered('web-syd', 3).map((name) => host(name, 'ap-southeast-2', web(false), { env: 'prod', role: 'web' })),
    host('game-server-1', 'ap-southeast-2', [udp(27015, WORLD), tcp(27015, WORLD), port('icmp', 8, -1, WORLD)], { env: 'prod', role: 'game' }),
    host('backup-1', 'ap-southeast-2', [tcp(22, { cidrs: ['10.0.0.0/8', '192.168.0.0/16'] }), tcp(873, OFFICE)], { env: 'prod', role: 'backup' }),
  ];
  return { version: 1, collectedAt: '2026-11-25T12:00:00Z', regions, instances };
}
