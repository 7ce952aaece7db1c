// Shared test helpers: small inventories and an SDK client aimed at the emulator.
import { LightsailClient } from '@aws-sdk/client-lightsail';
import type { Inventory, InventoryInstance, RawPortState } from '../../src/core/types.js';
import { useOfflineAwsEnv } from '../aws/env.js';

// Never reach a real account or the metadata service from a test.
useOfflineAwsEnv();

export function client(url: string, region: string, maxAttempts = 1): LightsailClient {
  return new LightsailClient({
    endpoint: url,
    region,
    maxAttempts,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
}

export const SSH_WORLD: RawPortState = {
  fromPort: 22,
  toPort: 22,
  protocol: 'tcp',
  state: 'open',
  cidrs: ['0.0.0.0/0'],
  ipv6Cidrs: ['::/0'],
  cidrListAliases: [],
};

export function instance(name: string, region: string, extra: Partial<InventoryInstance> = {}): InventoryInstance {
  return { name, region, tags: [], publicIpAddress: '203.0.113.10', ipv6Addresses: [], portStates: [SSH_WORLD], ...extra };
}

export function inventory(instances: InventoryInstance[], regions: Inventory['regions'] = []): Inventory {
  return { version: 1, collectedAt: '2026-11-25T12:00:00Z', regions, instances };
}

/** The environment for /usr/bin/aws against the emulator: no config, profile, pager or metadata lookup of this machine. */
export function awsCliEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: process.env['HOME'] ?? '/tmp',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_PAGER: '',
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  };
}
