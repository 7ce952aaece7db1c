// `portolan emulator --organization FILE` run in-process: the file and the
// inventory it names by path are read with the CLI's own reader, every account
// is served, and a bad file is one line per problem before anything listens.
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { GetInstancesCommand, LightsailClient } from '@aws-sdk/client-lightsail';
import { emulatorCommand } from '../../src/cli/commands/emulator.js';
import { instance, inventory } from './helpers.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'portolan-emuorg-'));
  mkdirSync(join(dir, 'inventories'));
});
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

const organization = (inventoryOfShop: unknown) => ({
  version: 1,
  organization: { id: 'o-a1b2c3d4e5', managementAccountId: '111111111111' },
  units: [{ id: 'ou-root-shop5678', name: 'shop', parent: 'r-root' }],
  accounts: [
    { id: '222222222222', name: 'shop-prod', status: 'ACTIVE', parent: 'ou-root-shop5678', roles: [{ name: 'PortolanAudit', externalId: 'team-secret-1' }], inventory: inventoryOfShop },
    { id: '333333333333', name: 'legacy', status: 'SUSPENDED', parent: 'r-root', roles: [], inventory: { regions: [], instances: [] } },
  ],
  faults: { sts: { latencyMs: 1 } },
});

describe('portolan emulator --organization', () => {
  test('serves every account, reading inventory paths with the CLI reader; stops on SIGINT', async () => {
    writeFileSync(join(dir, 'inventories', 'shop.json'), JSON.stringify(inventory([instance('shop-1', 'eu-west-1'), instance('shop-2', 'eu-west-1')])));
    const path = join(dir, 'org.json');
    writeFileSync(path, JSON.stringify(organization('inventories/shop.json')));
    const lines: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const run = emulatorCommand().exitOverride().parseAsync(['--organization', path, '--credential-lifetime', '60', '--latency', '2'], { from: 'user' });
    let failed: unknown;
    run.catch((e: unknown) => (failed = e));
    try {
      while (lines.length < 2 && failed === undefined) await new Promise((r) => setTimeout(r, 5));
      expect(failed).toBeUndefined();
      const url = /^Lightsail emulator listening on (http:\/\/127\.0\.0\.1:\d+)\n$/.exec(lines[0] ?? '')?.[1] as string;
      expect(url).toBeDefined();
      expect(lines[1]).toContain('Serving organization o-a1b2c3d4e5 from');
      expect(lines[1]).toContain('3 accounts (2 active) in 1 units');
      expect(lines[1]).toContain('faults from flags: latency 2 ms');
      const out = await new STSClient({ endpoint: url, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }).send(
        new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::222222222222:role/PortolanAudit', RoleSessionName: 'portolan-222222222222', ExternalId: 'team-secret-1' }),
      );
      const expires = out.Credentials?.Expiration?.getTime() ?? 0;
      expect(expires - Date.now()).toBeLessThanOrEqual(60_000);
      const c = out.Credentials as { AccessKeyId: string; SecretAccessKey: string; SessionToken: string };
      const member = new LightsailClient({ endpoint: url, region: 'eu-west-1', maxAttempts: 1, credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken } });
      const page = await member.send(new GetInstancesCommand({}));
      expect(page.instances?.map((i) => i.name)).toEqual(['shop-1', 'shop-2']);
    } finally {
      process.emit('SIGINT');
      await run.catch(() => undefined);
      write.mockRestore();
    }
    expect(failed).toBeUndefined();
  });

  test('a bad organization file is one line per problem, naming the file, before listening', async () => {
    const path = join(dir, 'bad-org.json');
    writeFileSync(path, JSON.stringify({ ...organization({ regions: 'none', instances: [] }), version: 3 }));
    await expect(emulatorCommand().exitOverride().parseAsync(['--organization', path], { from: 'user' })).rejects.toMatchObject({
      lines: [`${path}: version: expected 1, got 3`, `${path}: accounts[0].inventory.regions: expected an array, got "none"`],
    });
  });

  test('an inventory path that is not there is named with its full path', async () => {
    const path = join(dir, 'missing-org.json');
    writeFileSync(path, JSON.stringify(organization('inventories/none.json')));
    await expect(emulatorCommand().exitOverride().parseAsync(['--organization', path], { from: 'user' })).rejects.toMatchObject({
      lines: [expect.stringContaining(join(dir, 'inventories', 'none.json'))],
    });
  });
});
