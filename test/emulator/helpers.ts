// Shared test helpers: small inventories and an SDK client aimed at the emulator.
import { LightsailClient } from '@aws-sdk/client-lightsail';
import type { Inventory, InventoryInstance, RawPortState } from '../../src/core/types.js';

// Never reach a real account or the metadata service from a test.
process.env['AWS_ACCESS_KEY_ID'] = 'test';
process.env['AWS_SECRET_ACCESS_KEY'] = 'test';
process.env['AWS_CONFIG_FILE'] = '/dev/null';
process.env['AWS_SHARED_CREDENTIALS_FILE'] = '/dev/null';
process.env['AWS_EC2_METADATA_DISABLED'] = 'true';
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';
delete process.env['AWS_PROFILE'];
delete process.env['AWS_ENDPOINT_URL'];
delete process.env['AWS_ENDPOINT_URL_LIGHTSAIL'];

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
