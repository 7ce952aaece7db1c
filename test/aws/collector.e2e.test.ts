// The collector through the real SDK against the local emulator (loopback only).
import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { collectInventory, type CollectOptions, type CollectProgress } from '../../src/aws/collector.js';
import { READ_OPERATIONS } from '../../src/aws/operations.js';
import type { Inventory } from '../../src/core/types.js';
import { startEmulator, type CallRecord, type EmulatorOptions, type RunningEmulator } from '../../src/emulator/server.js';
import { dummyCredentials, useOfflineAwsEnv } from './env.js';
import { bigFleet, liveInstance, roundTripInventory, withoutListedPorts } from './fleet.js';

useOfflineAwsEnv();

let running: RunningEmulator | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function emulate(options: EmulatorOptions): Promise<RunningEmulator> {
  running = await startEmulator(options);
  return running;
}

const COLLECTED_AT = '2026-11-25T12:00:00Z';
const options = (url: string, extra: Partial<CollectOptions> = {}): CollectOptions => ({
  endpointUrl: url,
  homeRegion: 'us-east-1',
  credentials: dummyCredentials,
  retryDelayBaseMs: 1,
  maxAttempts: 3,
  now: () => new Date(COLLECTED_AT),
  ...extra,
});

/** Most GetInstancePortStates calls the server was handling at one moment. */
function maxInFlight(calls: CallRecord[], operation: string): number {
  const edges: [number, number][] = [];
  for (const c of calls) {
    if (c.operation !== operation) continue;
    // startedAt is whole ms: trim 1 ms so back-to-back calls on one slot never look overlapped.
    edges.push([c.startedAt, 1], [c.startedAt + c.durationMs - 1, -1]);
  }
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let max = 0;
  for (const [, d] of edges) max = Math.max(max, (now += d));
  return max;
}

describe('collectInventory against the emulator', () => {
  it.each([2, 20])('round trip: collecting inventory X gives back X (page size %i)', async (pageSize) => {
    const x = roundTripInventory();
    const emulator = await emulate({ inventory: x, pageSize });
    const got = await collectInventory(options(emulator.url));
    expect(withoutListedPorts(got)).toStrictEqual(x);
    // Paging really happened, region by region.
    const listCalls = emulator.calls.filter((c) => c.operation === 'GetInstances' && c.region === 'us-east-1');
    expect(listCalls).toHaveLength(Math.ceil(25 / pageSize));
  });

  it('records a denied region, an erroring instance and a gone instance as such', async () => {
    const emulator = await emulate({ inventory: roundTripInventory() });
    const got = await collectInventory(options(emulator.url));
    expect(got.regions.find((r) => r.name === 'ap-northeast-1')).toEqual({
      name: 'ap-northeast-1',
      status: 'error',
      error: { code: 'AccessDeniedException', message: 'User is not authorized in ap-northeast-1' },
    });
    const broken = got.instances.find((i) => i.name === 'broken-1');
    expect(broken).toMatchObject({ status: 'error', error: { code: 'OperationFailureException' } });
    expect(broken).not.toHaveProperty('portStates');
    const gone = got.instances.find((i) => i.name === 'deleted-1');
    expect(gone?.status).toBe('gone');
    expect(gone).not.toHaveProperty('error');
    expect(gone).not.toHaveProperty('portStates');
  });

  it('calls only READ_OPERATIONS', async () => {
    const emulator = await emulate({ inventory: roundTripInventory(), pageSize: 3 });
    await collectInventory(options(emulator.url));
    const used = new Set(emulator.calls.map((c) => c.operation));
    expect([...used].sort()).toEqual([...READ_OPERATIONS].sort());
  });

  it('a {} answer from GetInstancePortStates is an unread instance', async () => {
    const empty = liveInstance('blank-1', 'us-east-1', 7);
    delete empty.portStates;
    const emulator = await emulate({
      inventory: { version: 1, collectedAt: COLLECTED_AT, regions: [{ name: 'us-east-1', status: 'ok' }], instances: [empty] },
    });
    const got = await collectInventory(options(emulator.url));
    expect(got.instances[0]).toMatchObject({ name: 'blank-1', status: 'error', error: { code: 'MalformedResponse' } });
    expect(got.instances[0]).not.toHaveProperty('portStates');
  });

  it('keeps every instance through throttling, 500s and dropped connections', async () => {
    const x = bigFleet(3, 25);
    const emulator = await emulate({
      inventory: x,
      pageSize: 7,
      faults: { rateLimit: { requestsPerSecond: 150, burst: 3 }, errorRate: 0.2, dropRate: 0.1, seed: 42 },
    });
    const got = await collectInventory(options(emulator.url, { maxAttempts: 30, concurrency: 8 }));
    expect(withoutListedPorts(got)).toStrictEqual(x);
    const outcomes = new Set(emulator.calls.map((c) => c.outcome));
    // The faults really happened: otherwise this test proves nothing.
    expect(outcomes).toEqual(new Set(['ok', 'ThrottlingException', 'ServiceException', 'dropped']));
  });

  it('retries a failing read exactly maxAttempts times, then records why without losing the rest', async () => {
    const x = bigFleet(1, 12);
    const sick = x.instances[5];
    if (!sick) throw new Error('fleet too small');
    sick.status = 'error';
    sick.error = { code: 'ServiceException', message: 'An internal error occurred.' };
    delete sick.portStates;
    const emulator = await emulate({ inventory: x });
    const got = await collectInventory(options(emulator.url, { maxAttempts: 4, homeRegion: 'xx-test-1' }));
    expect(withoutListedPorts(got)).toStrictEqual(x);
    const attempts = emulator.calls.filter((c) => c.operation === 'GetInstancePortStates' && c.instanceName === sick.name);
    expect(attempts.map((c) => c.outcome)).toEqual(Array(4).fill('ServiceException'));
  });

  it.each([1, 3, 6])('never has more than %i port-state reads in flight, and does use them', async (concurrency) => {
    const emulator = await emulate({ inventory: bigFleet(2, 18), pageSize: 5, faults: { latencyMs: 15 } });
    await collectInventory(options(emulator.url, { concurrency }));
    expect(maxInFlight(emulator.calls, 'GetInstancePortStates')).toBe(concurrency);
  });

  it('reports progress that ends complete and never goes backwards', async () => {
    const emulator = await emulate({ inventory: roundTripInventory(), pageSize: 4 });
    const seen: CollectProgress[] = [];
    await collectInventory(options(emulator.url, { onProgress: (p) => seen.push(p) }));
    const last = seen[seen.length - 1];
    expect(last).toEqual({ regionsTotal: 4, regionsDone: 4, instancesListed: 29, instancesDone: 29, instancesFailed: 1, listingDone: true });
    for (let i = 1; i < seen.length; i++) {
      const [a, b] = [seen[i - 1] as CollectProgress, seen[i] as CollectProgress];
      expect(b.instancesDone).toBeGreaterThanOrEqual(a.instancesDone);
      expect(b.instancesListed).toBeGreaterThanOrEqual(a.instancesListed);
      expect(b.regionsDone).toBeGreaterThanOrEqual(a.regionsDone);
      expect(b.instancesDone).toBeLessThanOrEqual(b.instancesListed);
    }
  });

  it('does not hang on an endpoint that never answers: the call times out, is retried, then fails plainly', async () => {
    let requests = 0;
    const silent = createServer(() => {
      requests += 1; // read the request, never answer
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as AddressInfo;
      const run = collectInventory(options(`http://127.0.0.1:${port}`, { requestTimeoutMs: 150, maxAttempts: 2 }));
      await expect(run).rejects.toThrow(/^cannot list Lightsail regions \(GetRegions in us-east-1\): TimeoutError: .*requestTimeout.*nothing was collected$/);
      expect(requests).toBe(2);
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it.each([
    [{ AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'ap-south-1' }, undefined, 'eu-west-1'],
    [{ AWS_DEFAULT_REGION: 'ap-south-1' }, undefined, 'ap-south-1'],
    [{}, 'audit', 'eu-west-1'],
    [{}, undefined, 'us-east-1'],
  ])('asks GetRegions in the home region (env %j, profile %s): %s', async (env, profile, expected) => {
    const emulator = await emulate({ inventory: roundTripInventory() });
    const dir = mkdtempSync(join(tmpdir(), 'portolan-aws-config-'));
    writeFileSync(join(dir, 'config'), '[profile audit]\nregion = eu-west-1\n');
    const saved = { ...process.env };
    delete process.env['AWS_REGION'];
    delete process.env['AWS_DEFAULT_REGION'];
    Object.assign(process.env, env, { AWS_CONFIG_FILE: join(dir, 'config') });
    try {
      const { homeRegion: _none, ...rest } = options(emulator.url, profile ? { profile } : {});
      await collectInventory({ ...rest, regions: ['us-east-1'] });
      expect(emulator.calls[0]).toMatchObject({ operation: 'GetRegions', region: expected });
    } finally {
      process.env = saved;
    }
  });

  it('reads only the regions asked for', async () => {
    const emulator = await emulate({ inventory: roundTripInventory() });
    const got: Inventory = await collectInventory(options(emulator.url, { regions: ['eu-west-1', 'us-east-1'], excludeRegions: ['us-east-1'] }));
    expect(got.regions).toEqual([{ name: 'eu-west-1', status: 'ok' }]);
    expect(new Set(got.instances.map((i) => i.region))).toEqual(new Set(['eu-west-1']));
    expect(new Set(emulator.calls.filter((c) => c.operation !== 'GetRegions').map((c) => c.region))).toEqual(new Set(['eu-west-1']));
  });
});
