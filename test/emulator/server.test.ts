// The emulator through the real JS SDK: shapes, paging, raw port states, errors,
// routing by credential scope, and the read-only guarantee.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { request } from 'node:http';
import {
  GetInstancePortStatesCommand,
  GetInstancesCommand,
  GetRegionsCommand,
  PutInstancePublicPortsCommand,
  type Instance,
} from '@aws-sdk/client-lightsail';
import { startEmulator, isLoopbackHost, type RunningEmulator } from '../../src/emulator/server.js';
import type { InventoryRegion, RawPortState } from '../../src/core/types.js';
import { client, instance, inventory, SSH_WORLD } from './helpers.js';

const ODD_STATES: RawPortState[] = [
  { fromPort: 22, toPort: 22, protocol: 'TCP', state: 'open', cidrs: ['0.0.0.0/0'], ipv6Cidrs: [], cidrListAliases: [] },
  { fromPort: 7, toPort: 7, protocol: 'gre', state: 'open', cidrs: ['10.0.0.5/8'], ipv6Cidrs: ['::ffff:1.2.3.4/128'] },
  { fromPort: 900, toPort: 80, protocol: 'udp', state: 'open', cidrs: ['not-a-cidr'], extraField: { nested: [1, null] } },
  { fromPort: '22', protocol: 'tcp', state: 'closed', cidrs: [] },
  { fromPort: -1, toPort: -1, protocol: 'icmp6', cidrListAliases: ['lightsail-connect'] },
];

const names45 = Array.from({ length: 45 }, (_, i) => `web-${String(i + 1).padStart(2, '0')}`);

const fleet = inventory(
  [
    ...names45.map((n) => instance(n, 'us-east-1')),
    instance('odd-1', 'eu-west-1', { portStates: ODD_STATES, arn: 'arn:aws:lightsail:eu-west-1:444455556666:Instance/abc' }),
    instance('gone-1', 'eu-west-1', { status: 'gone', portStates: undefined }),
    instance('broken-1', 'eu-west-1', {
      status: 'error',
      portStates: undefined,
      error: { code: 'OperationFailureException', message: 'instance is being modified' },
    }),
    instance('denied-1', 'eu-west-1', {
      status: 'error',
      portStates: undefined,
      error: { code: 'AccessDeniedException', message: 'no access to this one' },
    }),
    instance('nostates-1', 'eu-west-1', { portStates: undefined }),
    instance('tokyo-1', 'ap-northeast-1'),
    instance('only-in-instances', 'ca-central-1'),
  ],
  [
    { name: 'us-east-1', status: 'ok' },
    { name: 'eu-west-1', status: 'ok' },
    { name: 'ap-northeast-1', status: 'error', error: { code: 'AccessDeniedException', message: 'region is off limits' } },
    // Recorded without an error (the type forbids it, an old file may not): the default denial is answered.
    { name: 'us-west-2', status: 'error' } as unknown as InventoryRegion,
  ],
);

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator({ inventory: fleet });
});
afterAll(async () => {
  await emulator.close();
});

async function failure(promise: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    const out: { name: string; message: string; status?: number } = { name: e.name, message: e.message };
    if (e.$metadata?.httpStatusCode !== undefined) out.status = e.$metadata.httpStatusCode;
    return out;
  }
  throw new Error('expected the call to fail');
}

describe('GetRegions', () => {
  test('lists every region of the inventory, in order, error regions included', async () => {
    const out = await client(emulator.url, 'us-east-1').send(new GetRegionsCommand({}));
    expect(out.regions?.map((r) => r.name)).toEqual(['us-east-1', 'eu-west-1', 'ap-northeast-1', 'us-west-2', 'ca-central-1']);
    const virginia = out.regions?.[0];
    expect(virginia).toMatchObject({ continentCode: 'NA', displayName: 'Virginia', availabilityZones: [] });
    expect(typeof virginia?.description).toBe('string');
  });

  test('availability zones on request', async () => {
    const out = await client(emulator.url, 'eu-west-1').send(new GetRegionsCommand({ includeAvailabilityZones: true }));
    expect(out.regions?.[1]?.availabilityZones?.map((z) => z.zoneName)).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
  });

  test('called in an error region it answers that region error', async () => {
    const e = await failure(client(emulator.url, 'ap-northeast-1').send(new GetRegionsCommand({})));
    expect(e).toEqual({ name: 'AccessDeniedException', message: 'region is off limits', status: 403 });
  });
});

describe('GetInstances', () => {
  test('45 instances in pages of 20: 3 pages, opaque tokens, each instance once in order', async () => {
    const lightsail = client(emulator.url, 'us-east-1');
    const pages: Instance[][] = [];
    const tokens: string[] = [];
    let pageToken: string | undefined;
    do {
      const out = await lightsail.send(new GetInstancesCommand(pageToken ? { pageToken } : {}));
      pages.push(out.instances ?? []);
      pageToken = out.nextPageToken;
      if (pageToken) tokens.push(pageToken);
    } while (pageToken);
    expect(pages.map((p) => p.length)).toEqual([20, 20, 5]);
    expect(pages.flat().map((i) => i.name)).toEqual(names45);
    for (const token of tokens) expect(token).not.toMatch(/^\d+$/);
  });

  test('instance shape is what Lightsail returns', async () => {
    const out = await client(emulator.url, 'eu-west-1').send(new GetInstancesCommand({}));
    expect(out.instances?.map((i) => i.name)).toEqual(['odd-1', 'gone-1', 'broken-1', 'denied-1', 'nostates-1']);
    const odd = out.instances?.[0] as Instance;
    expect(odd.arn).toBe('arn:aws:lightsail:eu-west-1:444455556666:Instance/abc');
    expect(odd.supportCode).toMatch(/^444455556666\/i-[0-9a-f]{17}$/);
    expect(odd.createdAt).toBeInstanceOf(Date);
    expect(odd.location).toEqual({ availabilityZone: 'eu-west-1a', regionName: 'eu-west-1' });
    expect(odd.resourceType).toBe('Instance');
    expect(odd.state).toEqual({ code: 16, name: 'running' });
    expect(odd.publicIpAddress).toBe('203.0.113.10');
    expect(odd.ipAddressType).toBe('ipv4');
    // networking.ports mirrors the open states only (the closed one is left out).
    expect(odd.networking?.ports?.map((p) => p.protocol)).toEqual(['TCP', 'gre', 'udp', 'icmp6']);
    expect(odd.networking?.ports?.[0]).toMatchObject({ fromPort: 22, toPort: 22, accessDirection: 'inbound', cidrs: ['0.0.0.0/0'] });
  });

  test('synthesized ARNs are stable and distinct per name and region', async () => {
    const a = await client(emulator.url, 'us-east-1').send(new GetInstancesCommand({}));
    const b = await client(emulator.url, 'us-east-1').send(new GetInstancesCommand({}));
    const arns = a.instances?.map((i) => i.arn) ?? [];
    expect(arns).toEqual(b.instances?.map((i) => i.arn));
    expect(new Set(arns).size).toBe(20);
    for (const arn of arns) {
      expect(arn).toMatch(/^arn:aws:lightsail:us-east-1:111122223333:Instance\/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });

  test('a region without instances answers an empty list', async () => {
    const out = await client(emulator.url, 'eu-north-1').send(new GetInstancesCommand({}));
    expect(out.instances).toEqual([]);
    expect(out.nextPageToken).toBeUndefined();
  });

  test('a region known only from an instance is served', async () => {
    const out = await client(emulator.url, 'ca-central-1').send(new GetInstancesCommand({}));
    expect(out.instances?.map((i) => i.name)).toEqual(['only-in-instances']);
  });

  test.each([
    ['garbage', 'not a token!'],
    ['base64 of nonsense', Buffer.from('hello').toString('base64url')],
    ['a number', '20'],
  ])('a bad page token (%s) is InvalidInputException', async (_label, pageToken) => {
    const e = await failure(client(emulator.url, 'us-east-1').send(new GetInstancesCommand({ pageToken })));
    expect(e.name).toBe('InvalidInputException');
    expect(e.status).toBe(400);
  });

  test('a token from another region is refused', async () => {
    const first = await client(emulator.url, 'us-east-1').send(new GetInstancesCommand({}));
    const pageToken = first.nextPageToken as string;
    const e = await failure(client(emulator.url, 'eu-west-1').send(new GetInstancesCommand({ pageToken })));
    expect(e.name).toBe('InvalidInputException');
  });

  test('a token from another emulator run is refused', async () => {
    const first = await client(emulator.url, 'us-east-1').send(new GetInstancesCommand({}));
    const other = await startEmulator({ inventory: fleet });
    try {
      const e = await failure(client(other.url, 'us-east-1').send(new GetInstancesCommand({ pageToken: first.nextPageToken })));
      expect(e.name).toBe('InvalidInputException');
    } finally {
      await other.close();
    }
  });

  test.each([
    ['ap-northeast-1', 'AccessDeniedException', 'region is off limits', 403],
    ['us-west-2', 'AccessDeniedException', 'User is not authorized to perform lightsail operations in this region', 403],
  ])('error region %s answers %s', async (region, name, message, status) => {
    const e = await failure(client(emulator.url, region).send(new GetInstancesCommand({})));
    expect(e).toEqual({ name, message, status });
  });
});

describe('GetInstancePortStates', () => {
  test('returns the raw states unchanged, odd ones included', async () => {
    const out = await client(emulator.url, 'eu-west-1').send(new GetInstancePortStatesCommand({ instanceName: 'odd-1' }));
    // The SDK itself drops members it does not model (extraField); everything else arrives untouched.
    const { extraField: _dropped, ...third } = ODD_STATES[2] as RawPortState;
    expect(out.portStates).toEqual([ODD_STATES[0], ODD_STATES[1], third, ODD_STATES[3], ODD_STATES[4]]);
  });

  test('on the wire the states are the inventory JSON values exactly, unmodelled members too', async () => {
    const res = await post({ 'X-Amz-Target': 'Lightsail_20161128.GetInstancePortStates', Authorization: AUTH('eu-west-1') }, '{"instanceName":"odd-1"}');
    expect(JSON.stringify(res.body)).toBe(JSON.stringify({ portStates: ODD_STATES }));
  });

  test('a normal instance', async () => {
    const out = await client(emulator.url, 'us-east-1').send(new GetInstancePortStatesCommand({ instanceName: 'web-07' }));
    expect(out.portStates).toEqual([SSH_WORLD]);
  });

  test('an instance without recorded states answers {} (portStates undefined)', async () => {
    const out = await client(emulator.url, 'eu-west-1').send(new GetInstancePortStatesCommand({ instanceName: 'nostates-1' }));
    expect(out.portStates).toBeUndefined();
  });

  test.each([
    ['unknown instance', 'eu-west-1', 'nope', 'NotFoundException', 404],
    ['instance of another region', 'us-east-1', 'odd-1', 'NotFoundException', 404],
    ['gone instance', 'eu-west-1', 'gone-1', 'NotFoundException', 404],
    ['error instance (OperationFailure)', 'eu-west-1', 'broken-1', 'OperationFailureException', 400],
    ['error instance (AccessDenied)', 'eu-west-1', 'denied-1', 'AccessDeniedException', 403],
    ['malformed name', 'eu-west-1', 'bad name!', 'InvalidInputException', 400],
    ['name ending in a dash', 'eu-west-1', 'web-', 'InvalidInputException', 400],
    ['empty name', 'eu-west-1', '', 'InvalidInputException', 400],
    ['error region', 'ap-northeast-1', 'tokyo-1', 'AccessDeniedException', 403],
  ])('%s => %s', async (_label, region, instanceName, name, status) => {
    const e = await failure(client(emulator.url, region).send(new GetInstancePortStatesCommand({ instanceName })));
    expect(e.name).toBe(name);
    expect(e.status).toBe(status);
  });

  test('the recorded error message is passed on', async () => {
    const e = await failure(client(emulator.url, 'eu-west-1').send(new GetInstancePortStatesCommand({ instanceName: 'broken-1' })));
    expect(e.message).toBe('instance is being modified');
  });

  test('a single word character is a valid name', async () => {
    const e = await failure(client(emulator.url, 'eu-west-1').send(new GetInstancePortStatesCommand({ instanceName: 'x' })));
    expect(e.name).toBe('NotFoundException');
  });
});

// Raw HTTP, for what the SDK would never send.
function post(
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Record<string, unknown> }> {
  const url = new URL(emulator.url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, method: 'POST', path: '/', headers: { 'Content-Type': 'application/x-amz-json-1.1', ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => { resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> }); },
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const AUTH = (region: string) =>
  `AWS4-HMAC-SHA256 Credential=AKIDTEST/20261125/${region}/lightsail/aws4_request, SignedHeaders=host, Signature=00`;

describe('wire details', () => {
  test('routes by the region of the credential scope', async () => {
    const res = await post({ 'X-Amz-Target': 'Lightsail_20161128.GetInstances', Authorization: AUTH('ca-central-1') }, '{}');
    expect(res.status).toBe(200);
    expect((res.body['instances'] as { name: string }[]).map((i) => i.name)).toEqual(['only-in-instances']);
    expect(res.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(res.headers['x-amzn-requestid']).toMatch(/^[0-9a-f-]{36}$/);
    const date = Date.parse(String(res.headers['date']));
    expect(Math.abs(date - Date.now())).toBeLessThan(60_000);
  });

  test('error body carries __type, message, code and the x-amzn-ErrorType header', async () => {
    const res = await post({ 'X-Amz-Target': 'Lightsail_20161128.GetInstancePortStates', Authorization: AUTH('eu-west-1') }, '{"instanceName":"nope"}');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ __type: 'NotFoundException', code: 'NotFoundException', message: 'The Instance does not exist: nope' });
    expect(res.headers['x-amzn-errortype']).toBe('NotFoundException');
  });

  test('no Authorization header => MissingAuthenticationTokenException', async () => {
    const res = await post({ 'X-Amz-Target': 'Lightsail_20161128.GetRegions' }, '{}');
    expect(res.status).toBe(400);
    expect(res.body['__type']).toBe('MissingAuthenticationTokenException');
  });

  test('an Authorization header without a credential scope => IncompleteSignatureException', async () => {
    const res = await post({ 'X-Amz-Target': 'Lightsail_20161128.GetRegions', Authorization: 'Bearer abc' }, '{}');
    expect(res.body['__type']).toBe('IncompleteSignatureException');
  });

  test('a body that is not JSON => SerializationException', async () => {
    const res = await post({ 'X-Amz-Target': 'Lightsail_20161128.GetInstances', Authorization: AUTH('us-east-1') }, '{oops');
    expect(res.body['__type']).toBe('SerializationException');
  });

  test('instanceName of the wrong type => InvalidInputException', async () => {
    const res = await post({ 'X-Amz-Target': 'Lightsail_20161128.GetInstancePortStates', Authorization: AUTH('eu-west-1') }, '{"instanceName":42}');
    expect(res.body['__type']).toBe('InvalidInputException');
  });

  test('a pageToken of the wrong type => InvalidInputException', async () => {
    const res = await post({ 'X-Amz-Target': 'Lightsail_20161128.GetInstances', Authorization: AUTH('us-east-1') }, '{"pageToken":7}');
    expect(res.body['__type']).toBe('InvalidInputException');
  });
});

describe('read-only', () => {
  test('PutInstancePublicPorts is refused and nothing changes', async () => {
    const e = await failure(
      client(emulator.url, 'us-east-1').send(new PutInstancePublicPortsCommand({ instanceName: 'web-01', portInfos: [] })),
    );
    expect(e.name).toBe('UnknownOperationException');
    expect(e.status).toBe(400);
    const after = await client(emulator.url, 'us-east-1').send(new GetInstancePortStatesCommand({ instanceName: 'web-01' }));
    expect(after.portStates).toEqual([SSH_WORLD]);
  });

  test.each(['CloseInstancePublicPorts', 'OpenInstancePublicPorts', 'GetInstance', 'DeleteInstance', ''])(
    'operation "%s" is refused',
    async (operation) => {
      const res = await post({ 'X-Amz-Target': `Lightsail_20161128.${operation}`, Authorization: AUTH('us-east-1') }, '{}');
      expect(res.status).toBe(400);
      expect(res.body['__type']).toBe('UnknownOperationException');
    },
  );
});

describe('concurrency', () => {
  test('many calls in flight at once over keep-alive connections are all answered', async () => {
    const slow = await startEmulator({ inventory: fleet, faults: { latencyMs: 30 } });
    try {
      const lightsail = client(slow.url, 'us-east-1');
      const names = names45.slice(0, 30);
      const results = await Promise.all(names.map((instanceName) => lightsail.send(new GetInstancePortStatesCommand({ instanceName }))));
      expect(results.map((r) => r.portStates)).toEqual(names.map(() => [SSH_WORLD]));
      expect(slow.calls.map((c) => c.instanceName).sort()).toEqual([...names].sort());
    } finally {
      await slow.close();
    }
  });
});

describe('call records', () => {
  test('each call is recorded with operation, region, outcome and instance name', async () => {
    const own = await startEmulator({ inventory: fleet });
    try {
      await client(own.url, 'eu-west-1').send(new GetInstancePortStatesCommand({ instanceName: 'odd-1' }));
      await failure(client(own.url, 'eu-west-1').send(new GetInstancePortStatesCommand({ instanceName: 'gone-1' })));
      await client(own.url, 'us-east-1').send(new GetRegionsCommand({}));
      expect(own.calls.map(({ operation, region, outcome, instanceName }) => ({ operation, region, outcome, instanceName }))).toEqual([
        { operation: 'GetInstancePortStates', region: 'eu-west-1', outcome: 'ok', instanceName: 'odd-1' },
        { operation: 'GetInstancePortStates', region: 'eu-west-1', outcome: 'NotFoundException', instanceName: 'gone-1' },
        { operation: 'GetRegions', region: 'us-east-1', outcome: 'ok', instanceName: undefined },
      ]);
      for (const call of own.calls) {
        expect(call.durationMs).toBeGreaterThanOrEqual(0);
        expect(call.startedAt).toBeGreaterThan(1_700_000_000_000);
      }
    } finally {
      await own.close();
    }
  });
});

describe('host', () => {
  test.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['::1', true],
    ['0:0:0:0:0:0:0:1', true],
    ['[::1]', true],
    ['0.0.0.0', false],
    ['::', false],
    ['192.168.1.10', false],
    ['localhost', false],
    ['127.0.0.256', false],
    ['example.com', false],
  ])('isLoopbackHost(%s) = %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });

  test('a non-loopback host is refused', async () => {
    await expect(startEmulator({ inventory: fleet, host: '0.0.0.0' })).rejects.toThrow(/not a loopback address/);
  });

  test('serves on ::1 too', async () => {
    const v6 = await startEmulator({ inventory: fleet, host: '::1' });
    try {
      expect(v6.url).toMatch(/^http:\/\/\[::1\]:\d+$/);
      const out = await client(v6.url, 'us-east-1').send(new GetRegionsCommand({}));
      expect(out.regions?.length).toBe(5);
    } finally {
      await v6.close();
    }
  });
});
