// A deterministic demo organization: six accounts in nested units (/prod/shop
// among them), with what an organization audit meets in practice: the
// management account, a suspended account, one whose audit role was never
// rolled out, one that may not read a region, and the classic firewall
// mistakes spread over the rest. Addresses are from documentation ranges.

import type { RawPortState } from '../core/types.js';
import { DemoHosts, dual, numbered, OFFICE, port, tcp, udp, VPC, WORLD, WORLD_DUAL } from './demo-fleet.js';
import type { AccountInventory, OrganizationAccount, OrganizationSpec } from './organization-file.js';

export const DEMO_ROLE_NAME = 'PortolanAudit';
export const DEMO_EXTERNAL_ID = 'portolan-demo';

export const DEMO_ACCOUNTS = {
  management: '111111111111',
  shop: '222222222222',
  data: '333333333333',
  staging: '444444444444',
  sandbox: '555555555555',
  legacy: '666666666666',
} as const;

const ROOT = 'r-root';
const UNITS = {
  prod: 'ou-root-prod0001',
  shop: 'ou-root-shop0001',
  staging: 'ou-root-stag0001',
  sandbox: 'ou-root-sand0001',
} as const;

const AUDIT_ROLE = [{ name: DEMO_ROLE_NAME, externalId: DEMO_EXTERNAL_ID }];
const web = (source = WORLD): RawPortState[] => [tcp(80, source), tcp(443, source), tcp(22, OFFICE)];

function managementInventory(): AccountInventory {
  const hosts = new DemoHosts(DEMO_ACCOUNTS.management);
  return {
    regions: [{ name: 'us-east-1', status: 'ok' }],
    instances: [
      hosts.host('monitor-1', 'us-east-1', [tcp(443, OFFICE), tcp(22, OFFICE)], { env: 'prod', role: 'monitoring' }),
      hosts.host('ci-runner-1', 'us-east-1', [tcp(22, { cidrs: ['10.20.0.0/16'] })], { env: 'prod', role: 'ci' }),
    ],
  };
}

/** SSH open to the world on a bastion, PostgreSQL open to the world, protocol all; enough web hosts to page. */
function shopInventory(): AccountInventory {
  const hosts = new DemoHosts(DEMO_ACCOUNTS.shop);
  return {
    regions: [
      { name: 'us-east-1', status: 'ok' },
      { name: 'eu-central-1', status: 'ok' },
    ],
    instances: [
      ...numbered('shop-web', 22).map((name, i) => hosts.host(name, 'us-east-1', web(i % 4 === 0 ? WORLD_DUAL : WORLD), { env: 'prod', role: 'web' }, i % 4 === 0 ? dual(i) : {})),
      hosts.host('bastion-1', 'us-east-1', [tcp(22, WORLD)], { env: 'prod', role: 'bastion' }, { isStaticIp: true }),
      hosts.host('orders-db', 'us-east-1', [tcp(5432, WORLD), tcp(22, OFFICE)], { env: 'prod', role: 'database' }, { blueprintId: 'postgres_16' }),
      hosts.host('legacy-ftp', 'eu-central-1', [port('all', 0, 65535, WORLD)], { env: 'prod', owner: 'finance' }),
      hosts.host('shop-eu-1', 'eu-central-1', web(), { env: 'prod', role: 'web' }),
    ],
  };
}

/** A region the audit role may not read, next to a world split in halves and MySQL open to the world. */
function dataInventory(): AccountInventory {
  const hosts = new DemoHosts(DEMO_ACCOUNTS.data);
  return {
    regions: [
      { name: 'eu-west-1', status: 'ok' },
      {
        name: 'ap-northeast-1',
        status: 'error',
        error: {
          code: 'AccessDeniedException',
          message: `User: arn:aws:sts::${DEMO_ACCOUNTS.data}:assumed-role/${DEMO_ROLE_NAME}/portolan-${DEMO_ACCOUNTS.data} is not authorized to perform: lightsail:GetInstances in region ap-northeast-1`,
        },
      },
    ],
    instances: [
      hosts.host('split-world-1', 'eu-west-1', [tcp(0, { cidrs: ['0.0.0.0/1', '128.0.0.0/1'] }, 65535)], { env: 'prod', owner: 'data-team' }),
      hosts.host('analytics-db', 'eu-west-1', [tcp(3306, WORLD), tcp(3306, VPC)], { env: 'prod', role: 'database' }),
      hosts.host('etl-1', 'eu-west-1', [tcp(22, { cidrs: ['10.0.0.0/8', '192.168.0.0/16'] })], { env: 'prod', role: 'etl' }),
      hosts.host('tokyo-1', 'ap-northeast-1', [tcp(22, WORLD)], { env: 'prod' }),
    ],
  };
}

/** IPv6-only SSH to ::/0, RDP to the mapped IPv4 world, world ICMP; one listing that drifted from its port states. */
function stagingInventory(): AccountInventory {
  const hosts = new DemoHosts(DEMO_ACCOUNTS.staging);
  return {
    regions: [{ name: 'us-west-2', status: 'ok' }],
    instances: [
      hosts.host('ipv6-only-1', 'us-west-2', [tcp(22, { ipv6Cidrs: ['::/0'] }), tcp(443, { ipv6Cidrs: ['::/0'] })], { env: 'staging', role: 'web' }, {
        publicIpAddress: undefined,
        ipv6Addresses: ['2001:db8:2::20'],
        ipAddressType: 'ipv6',
      }),
      hosts.host('win-jump-1', 'us-west-2', [tcp(3389, { ipv6Cidrs: ['::ffff:0.0.0.0/96'] })], { env: 'staging', role: 'jump' }, { blueprintId: 'windows_server_2022' }),
      hosts.host('monitor-2', 'us-west-2', [port('icmp', -1, -1, WORLD_DUAL), udp(161, OFFICE)], { env: 'staging', role: 'monitoring' }),
      // GetInstances still lists only HTTPS; the port states also have SSH open to the world.
      hosts.host('drifted-1', 'us-west-2', [tcp(443, WORLD), tcp(22, WORLD)], { env: 'staging', role: 'web' }, {
        listedPorts: [{ fromPort: 443, toPort: 443, protocol: 'tcp', accessFrom: 'Anywhere (0.0.0.0/0)', accessType: 'public', accessDirection: 'inbound', cidrs: ['0.0.0.0/0'], ipv6Cidrs: [], cidrListAliases: [] }],
      }),
    ],
  };
}

function sandboxInventory(): AccountInventory {
  const hosts = new DemoHosts(DEMO_ACCOUNTS.sandbox);
  return { regions: [{ name: 'us-east-1', status: 'ok' }], instances: [hosts.host('playground-1', 'us-east-1', [tcp(22, WORLD), tcp(8080, WORLD)], { env: 'sandbox' })] };
}

function legacyInventory(): AccountInventory {
  const hosts = new DemoHosts(DEMO_ACCOUNTS.legacy);
  return { regions: [{ name: 'us-east-1', status: 'ok' }], instances: [hosts.host('old-www', 'us-east-1', [tcp(21, WORLD), tcp(23, WORLD)], { env: 'prod' })] };
}

function accounts(): OrganizationAccount[] {
  return [
    { id: DEMO_ACCOUNTS.management, name: 'portolan-management', status: 'ACTIVE', parent: ROOT, joinedMethod: 'INVITED', roles: AUDIT_ROLE, inventory: managementInventory() },
    { id: DEMO_ACCOUNTS.shop, name: 'shop-prod', status: 'ACTIVE', parent: UNITS.shop, roles: AUDIT_ROLE, inventory: shopInventory() },
    { id: DEMO_ACCOUNTS.data, name: 'data-prod', status: 'ACTIVE', parent: UNITS.prod, roles: AUDIT_ROLE, inventory: dataInventory() },
    { id: DEMO_ACCOUNTS.staging, name: 'staging', status: 'ACTIVE', parent: UNITS.staging, roles: AUDIT_ROLE, inventory: stagingInventory() },
    // The audit role was never rolled out here: AssumeRole is denied.
    { id: DEMO_ACCOUNTS.sandbox, name: 'sandbox', status: 'ACTIVE', parent: UNITS.sandbox, roles: [{ name: 'OrganizationAccountAccessRole' }], inventory: sandboxInventory() },
    { id: DEMO_ACCOUNTS.legacy, name: 'legacy', status: 'SUSPENDED', parent: ROOT, roles: AUDIT_ROLE, inventory: legacyInventory() },
  ];
}

export function demoOrganization(): OrganizationSpec {
  return {
    version: 1,
    organization: { id: 'o-portolan01', managementAccountId: DEMO_ACCOUNTS.management, rootId: ROOT },
    units: [
      { id: UNITS.prod, name: 'prod', parent: ROOT },
      { id: UNITS.shop, name: 'shop', parent: UNITS.prod },
      { id: UNITS.staging, name: 'staging', parent: ROOT },
      { id: UNITS.sandbox, name: 'sandbox', parent: ROOT },
    ],
    accounts: accounts(),
  };
}
