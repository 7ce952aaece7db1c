import { describe, expect, it, beforeEach, afterAll } from '@jest/globals';
import {
  AccessDeniedException,
  GetInstancePortStatesCommand,
  GetInstancesCommand,
  GetRegionsCommand,
  LightsailClient,
  NotFoundException,
  PutInstancePublicPortsCommand,
} from '@aws-sdk/client-lightsail';
import { mockClient } from 'aws-sdk-client-mock';
import { readFileSync } from 'node:fs';
import { CollectError, collectInventory, portStatesOfListing, selectRegions, type CollectOptions } from '../../src/aws/collector.js';
import { ReadOnlyViolationError, createLightsailClient, CollectorRetryStrategy, type RetryPolicy } from '../../src/aws/client.js';
import type { RetryErrorInfo } from '@smithy/types';
import { READ_OPERATIONS, iamPolicyDocument } from '../../src/aws/operations.js';
import { dummyCredentials, useOfflineAwsEnv } from './env.js';

useOfflineAwsEnv();

const lightsail = mockClient(LightsailClient);
afterAll(() => { lightsail.restore(); });

const base: CollectOptions = {
  homeRegion: 'us-east-1',
  credentials: dummyCredentials,
  retryDelayBaseMs: 1,
  maxAttempts: 2,
  now: () => new Date('2026-11-25T12:00:00.123Z'),
};

const instance = (name: string, region = 'us-east-1') => ({
  name,
  arn: `arn:aws:lightsail:${region}:111122223333:Instance/${name}`,
  tags: [{ key: 'env', value: 'prod' }],
  publicIpAddress: '203.0.113.10',
  ipv6Addresses: [],
});

async function regionOf(getClient: () => LightsailClient): Promise<string> {
  return getClient().config.region();
}

beforeEach(() => {
  lightsail.reset();
  lightsail.on(GetRegionsCommand).resolves({ regions: [{ name: 'us-east-1' }, { name: 'eu-west-1' }] });
});

describe('collectInventory with a mocked SDK', () => {
  it('stops a paging loop on a repeated token and records that region as an error', async () => {
    let calls = 0;
    lightsail.on(GetInstancesCommand).callsFake(async (input: { pageToken?: string }, getClient: () => LightsailClient) => {
      if ((await regionOf(getClient)) === 'eu-west-1') return { instances: [instance('ok-1', 'eu-west-1')] };
      calls += 1;
      if (calls > 10) throw new Error('the loop did not stop');
      return input.pageToken === undefined
        ? { instances: [instance('a')], nextPageToken: 'T1' }
        : { instances: [instance(`b${calls}`)], nextPageToken: 'T1' };
    });
    lightsail.on(GetInstancePortStatesCommand).resolves({ portStates: [] });
    const inv = await collectInventory(base);
    expect(inv.regions).toEqual([
      { name: 'us-east-1', status: 'error', error: { code: 'RepeatedPageToken', message: expect.stringContaining('T1') } },
      { name: 'eu-west-1', status: 'ok' },
    ]);
    expect(calls).toBe(2); // first page gives T1, the T1 page gives T1 again: stop
    // What was listed before the loop showed is still real and still read; the region says incomplete.
    expect(inv.instances.map((i) => `${i.region}/${i.name}`)).toEqual(['us-east-1/a', 'us-east-1/b2', 'eu-west-1/ok-1']);
    expect(inv.collectedAt).toBe('2026-11-25T12:00:00Z');
  });

  it('records a {} port-state answer as an unread instance, never as "no open ports"', async () => {
    lightsail.on(GetInstancesCommand).resolves({ instances: [instance('web-1')] });
    lightsail.on(GetInstancePortStatesCommand).resolves({});
    const inv = await collectInventory({ ...base, regions: ['us-east-1'] });
    expect(inv.instances).toEqual([
      { ...instance('web-1'), region: 'us-east-1', status: 'error', error: { code: 'MalformedResponse', message: expect.any(String) } },
    ]);
    expect(inv.instances[0]).not.toHaveProperty('portStates');
  });

  it('keeps port states raw: unknown protocols and odd values pass through, only undefined keys go', async () => {
    lightsail.on(GetInstancesCommand).resolves({ instances: [instance('web-1')] });
    const raw = [
      { fromPort: 0, toPort: 65535, protocol: 'gre', state: 'open', cidrs: ['0.0.0.0/0'], ipv6Cidrs: [], cidrListAliases: [] },
      { fromPort: -1, toPort: -1, protocol: 'icmp6', state: 'weird', cidrs: ['10.0.0.5/8'], ipv6Cidrs: undefined },
    ];
    lightsail.on(GetInstancePortStatesCommand).resolves({ portStates: raw as never });
    const inv = await collectInventory({ ...base, regions: ['us-east-1'] });
    expect(inv.instances[0]?.portStates).toStrictEqual([
      raw[0],
      { fromPort: -1, toPort: -1, protocol: 'icmp6', state: 'weird', cidrs: ['10.0.0.5/8'] },
    ]);
    expect(inv.instances[0]?.status).toBeUndefined();
  });

  it('marks NotFoundException on port states as gone (no error), other failures as error with the code', async () => {
    lightsail.on(GetInstancesCommand).resolves({ instances: [instance('gone-1'), instance('denied-1'), instance('ok-1')] });
    lightsail
      .on(GetInstancePortStatesCommand, { instanceName: 'gone-1' })
      .rejects(new NotFoundException({ message: 'The Instance does not exist: gone-1', $metadata: {} }))
      .on(GetInstancePortStatesCommand, { instanceName: 'denied-1' })
      .rejects(new AccessDeniedException({ message: 'no', $metadata: {} }))
      .on(GetInstancePortStatesCommand, { instanceName: 'ok-1' })
      .resolves({ portStates: [] });
    const inv = await collectInventory({ ...base, regions: ['us-east-1'] });
    expect(inv.instances.map((i) => [i.name, i.status, i.error])).toEqual([
      ['gone-1', 'gone', undefined],
      ['denied-1', 'error', { code: 'AccessDeniedException', message: 'no' }],
      ['ok-1', undefined, undefined],
    ]);
    expect(inv.instances[2]?.portStates).toEqual([]);
  });

  it('fails the whole collection with a one-line CollectError when GetRegions fails', async () => {
    lightsail.on(GetRegionsCommand).rejects(new AccessDeniedException({ message: 'User is not authorized', $metadata: {} }));
    const run = collectInventory(base);
    await expect(run).rejects.toBeInstanceOf(CollectError);
    await expect(run).rejects.toThrow(/^cannot list Lightsail regions \(GetRegions in us-east-1\): AccessDeniedException: User is not authorized; nothing was collected$/);
  });

  it('reports a named region GetRegions does not offer as an unread region, after the others', async () => {
    lightsail.on(GetInstancesCommand).resolves({ instances: [] });
    const inv = await collectInventory({ ...base, regions: ['us-est-1', 'eu-west-1'] });
    expect(inv.regions).toEqual([
      { name: 'eu-west-1', status: 'ok' },
      { name: 'us-est-1', status: 'error', error: { code: 'RegionNotOffered', message: expect.stringContaining('us-est-1') } },
    ]);
  });

  it('says plainly when there are no credentials, before any call', async () => {
    const saved = { id: process.env['AWS_ACCESS_KEY_ID'], secret: process.env['AWS_SECRET_ACCESS_KEY'] };
    delete process.env['AWS_ACCESS_KEY_ID'];
    delete process.env['AWS_SECRET_ACCESS_KEY'];
    try {
      const { credentials: _unused, ...withoutInjected } = base;
      const run = collectInventory(withoutInjected);
      await expect(run).rejects.toBeInstanceOf(CollectError);
      await expect(run).rejects.toThrow(/^no AWS credentials found \(set AWS_PROFILE/);
      await expect(collectInventory({ ...withoutInjected, profile: 'nope' })).rejects.toThrow(/^no AWS credentials for profile nope: /);
      expect(lightsail.calls()).toHaveLength(0);
    } finally {
      process.env['AWS_ACCESS_KEY_ID'] = saved.id;
      process.env['AWS_SECRET_ACCESS_KEY'] = saved.secret;
    }
  });

  it('rejects bad numbers before any call', async () => {
    await expect(collectInventory({ ...base, concurrency: 0 })).rejects.toThrow(/concurrency/);
    await expect(collectInventory({ ...base, maxAttempts: 1.5 })).rejects.toThrow(/maxAttempts/);
    expect(lightsail.calls()).toHaveLength(0);
  });
});

describe('selectRegions', () => {
  const offered = ['us-east-1', 'eu-west-1', 'ap-south-1'];
  it.each([
    [undefined, undefined, offered, []],
    [[], [], offered, []],
    [['ap-south-1', 'us-east-1'], undefined, ['us-east-1', 'ap-south-1'], []],
    [undefined, ['eu-west-1'], ['us-east-1', 'ap-south-1'], []],
    [['eu-west-1', 'xx-1'], ['eu-west-1'], [], ['xx-1']],
    [['xx-1'], ['xx-1'], [], []],
    [undefined, ['no-such'], offered, []],
  ])('include %j exclude %j', (include, exclude, regions, notOffered) => {
    expect(selectRegions(offered, include, exclude)).toEqual({ regions, notOffered });
  });
});

const policy = (over: Partial<RetryPolicy> = {}): RetryPolicy => ({
  maxAttempts: 3,
  mode: 'standard',
  baseDelayMs: 100,
  maxDelayMs: 1000,
  throttleBaseDelayMs: 10,
  throttleMaxDelayMs: 40,
  throttleBudgetMs: 60_000,
  ...over,
});

describe('CollectorRetryStrategy', () => {
  const err = (errorType: RetryErrorInfo['errorType']): RetryErrorInfo => ({ errorType });

  it('gives failures maxAttempts attempts with exponential, capped, jittered backoff', async () => {
    const s = new CollectorRetryStrategy(policy(), () => 0.999);
    let t = await s.acquireInitialRetryToken('');
    t = await s.refreshRetryTokenForRetry(t, err('TRANSIENT'));
    expect(t.getRetryDelay()).toBe(99);
    t = await s.refreshRetryTokenForRetry(t, err('TRANSIENT'));
    expect(t.getRetryDelay()).toBe(199);
    expect(t.getRetryCount()).toBe(2);
    await expect(s.refreshRetryTokenForRetry(t, err('TRANSIENT'))).rejects.toThrow(); // third failure = 3 attempts made
  });

  it('never retries client errors (AccessDenied, NotFound, ...) or non-transient server errors', async () => {
    const s = new CollectorRetryStrategy(policy());
    const t = await s.acquireInitialRetryToken('');
    await expect(s.refreshRetryTokenForRetry(t, err('CLIENT_ERROR'))).rejects.toThrow();
    await expect(s.refreshRetryTokenForRetry(t, err('SERVER_ERROR'))).rejects.toThrow();
  });

  it('does not spend maxAttempts on throttling, only the throttle time budget', async () => {
    let now = 0;
    const s = new CollectorRetryStrategy(policy({ maxAttempts: 2 }), () => 0.5, () => now);
    let t = await s.acquireInitialRetryToken('');
    for (let i = 0; i < 50; i++) {
      t = await s.refreshRetryTokenForRetry(t, err('THROTTLING'));
      expect(t.getRetryDelay()).toBeLessThanOrEqual(20); // half of the 40 ms cap
      now += 1000;
    }
    t = await s.refreshRetryTokenForRetry(t, err('TRANSIENT')); // one failure left of 2 attempts
    await expect(s.refreshRetryTokenForRetry(t, err('TRANSIENT'))).rejects.toThrow();
    now += 20_000; // first throttle was 50 s ago: 70 s > the 60 s budget
    await expect(s.refreshRetryTokenForRetry(t, err('THROTTLING'))).rejects.toThrow();
  });

  it('honours a Retry-After hint', async () => {
    const s = new CollectorRetryStrategy(policy(), () => 0, () => 1_000);
    const t = await s.acquireInitialRetryToken('');
    const next = await s.refreshRetryTokenForRetry(t, { errorType: 'THROTTLING', retryAfterHint: new Date(1_500) });
    expect(next.getRetryDelay()).toBeGreaterThanOrEqual(400);
  });
});

describe('read-only by construction', () => {
  it('iamPolicyDocument grants exactly READ_OPERATIONS', () => {
    const doc = iamPolicyDocument();
    expect(doc.Statement).toHaveLength(1);
    expect(doc.Statement[0]).toMatchObject({ Effect: 'Allow', Resource: '*' });
    expect(doc.Statement[0]?.Action).toEqual(READ_OPERATIONS.map((op) => `lightsail:${op}`));
    expect(doc.Statement[0]?.Action).toEqual(['lightsail:GetRegions', 'lightsail:GetInstances', 'lightsail:GetInstancePortStates']);
  });

  it('the README shows the policy `portolan iam-policy` prints, exactly', () => {
    const readme = readFileSync('README.md', 'utf8');
    const block = /Permissions policy: three read-only actions[^\n]*\n\n```json\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    expect(JSON.parse(block as string)).toEqual(iamPolicyDocument());
  });

  it('a guarded client refuses a mutating command before sending, and lets reads through', async () => {
    lightsail.restore(); // exercise the real middleware stack
    try {
      const client = createLightsailClient({
        region: 'us-east-1',
        endpointUrl: 'http://127.0.0.1:9', // discard port: nothing listens, nothing real is reached
        credentials: dummyCredentials,
        retryStrategy: new CollectorRetryStrategy(policy({ maxAttempts: 1 })),
        maxAttempts: 1,
        maxSockets: 2,
        requestTimeoutMs: 5_000,
      });
      await expect(client.send(new PutInstancePublicPortsCommand({ instanceName: 'x', portInfos: [] }))).rejects.toBeInstanceOf(
        ReadOnlyViolationError,
      );
      const read = client.send(new GetRegionsCommand({}));
      await expect(read).rejects.not.toBeInstanceOf(ReadOnlyViolationError);
      await expect(read).rejects.toThrow(/ECONNREFUSED/);
      client.destroy();
    } finally {
      mockClient(LightsailClient);
    }
  });
});

describe('portStatesOfListing', () => {
  it.each<[string, unknown, boolean]>([
    ['inbound: kept', 'inbound', true],
    ['missing: kept', undefined, true],
    ['outbound: left out', 'outbound', false],
    ['an unexpected spelling: kept (judged, never dropped)', 'INBOUND', true],
    ['a wrong type: kept (judged, never dropped)', ['inbound'], true],
  ])('an entry whose direction is %s', (_label, accessDirection, kept) => {
    const entry = { fromPort: 22, toPort: 22, protocol: 'tcp', cidrs: ['0.0.0.0/0'], ...(accessDirection === undefined ? {} : { accessDirection }) };
    expect(portStatesOfListing([entry])).toEqual(kept ? [{ fromPort: 22, toPort: 22, protocol: 'tcp', state: 'open', cidrs: ['0.0.0.0/0'] }] : []);
  });
});
