// Proof with a second, independent client: Debian's AWS CLI v2 (botocore) must
// read the emulator exactly as it reads Lightsail. Skipped, visibly, without it.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import type { RawPortState } from '../../src/core/types.js';
import { awsCliEnv, instance, inventory } from './helpers.js';

const AWS = '/usr/bin/aws';
const run = promisify(execFile);
const describeWithCli = existsSync(AWS) ? describe : describe.skip;

const STATES: RawPortState[] = [
  { fromPort: 22, toPort: 22, protocol: 'tcp', state: 'open', cidrs: ['0.0.0.0/0'], ipv6Cidrs: ['::/0'], cidrListAliases: [] },
  { fromPort: -1, toPort: -1, protocol: 'icmp', state: 'open', cidrs: ['198.51.100.0/24'], ipv6Cidrs: [], cidrListAliases: [] },
  { fromPort: 0, toPort: 65535, protocol: 'all', state: 'closed', cidrs: [], ipv6Cidrs: [], cidrListAliases: ['lightsail-connect'] },
];

const fleet = inventory(
  [
    ...['n-1', 'n-2', 'n-3', 'n-4', 'n-5'].map((name) => instance(name, 'eu-central-1')),
    instance('target', 'us-west-2', { portStates: STATES }),
    instance('gone-1', 'us-west-2', { status: 'gone', portStates: undefined }),
  ],
  [
    { name: 'eu-central-1', status: 'ok' },
    { name: 'us-west-2', status: 'ok' },
  ],
);

describeWithCli('AWS CLI v2 against the emulator', () => {
  let emulator: RunningEmulator;
  type Outcome = Awaited<ReturnType<typeof aws>>;
  let regions: Outcome, instances: Outcome, states: Outcome, gone: Outcome;
  // Each CLI start costs about a second of Python: run the four side by side once.
  beforeAll(async () => {
    emulator = await startEmulator({ inventory: fleet, pageSize: 2 });
    [regions, instances, states, gone] = await Promise.all([
      aws('us-west-2', 'get-regions'),
      aws('eu-central-1', 'get-instances'),
      aws('us-west-2', 'get-instance-port-states', '--instance-name', 'target'),
      aws('us-west-2', 'get-instance-port-states', '--instance-name', 'gone-1'),
    ]);
  });
  afterAll(async () => {
    await emulator.close();
  });

  // Async child: the emulator runs in this process, a sync child would deadlock it.
  async function aws(region: string, ...args: string[]): Promise<{ ok: true; json: Record<string, unknown> } | { ok: false; stderr: string; code: number }> {
    try {
      const { stdout } = await run(AWS, ['lightsail', ...args, '--endpoint-url', emulator.url, '--region', region, '--output', 'json'], {
        env: awsCliEnv({ AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' }),
        timeout: 20_000,
      });
      return { ok: true, json: JSON.parse(stdout) as Record<string, unknown> };
    } catch (error) {
      const e = error as { stderr?: string; code?: number };
      return { ok: false, stderr: e.stderr ?? String(error), code: e.code ?? -1 };
    }
  }

  test('get-regions lists the inventory regions', () => {
    const out = regions;
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect((out.json['regions'] as { name: string }[]).map((r) => r.name)).toEqual(['eu-central-1', 'us-west-2']);
  });

  test('get-instances auto-paginates: page size 2, all 5 instances', () => {
    const out = instances;
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect((out.json['instances'] as { name: string }[]).map((i) => i.name)).toEqual(['n-1', 'n-2', 'n-3', 'n-4', 'n-5']);
    const pages = emulator.calls.filter((c) => c.operation === 'GetInstances');
    expect(pages.map((c) => [c.region, c.outcome])).toEqual([
      ['eu-central-1', 'ok'],
      ['eu-central-1', 'ok'],
      ['eu-central-1', 'ok'],
    ]);
  });

  test('get-instance-port-states prints what the inventory holds', () => {
    const out = states;
    expect(out).toEqual({ ok: true, json: { portStates: STATES } });
  });

  test('an instance deleted mid-scan is NotFoundException with its message', () => {
    const out = gone;
    expect(out.ok).toBe(false);
    if (out.ok) return;
    expect(out.stderr).toMatch(/An error occurred \(NotFoundException\) when calling the GetInstancePortStates operation.*: The Instance does not exist: gone-1/);
    expect(out.code).toBe(254);
    // A modelled 4xx is final: the CLI does not retry it.
    expect(emulator.calls.filter((c) => c.instanceName === 'gone-1').map((c) => c.outcome)).toEqual(['NotFoundException']);
  });
});
