// Issue 7, "dependable gate": defects that were found in the emulator, each
// pinned by a test that failed before its fix. The bracketed IPv6 host, an
// inventory that could kill the server, the unbounded call record, and timer
// values Node silently clamps to 1 ms.
import { describe, expect, test } from '@jest/globals';
import { request } from 'node:http';
import fc from 'fast-check';
import { GetRegionsCommand } from '@aws-sdk/client-lightsail';
import { UserInputError } from '../../src/core/errors.js';
import type { Inventory, InventoryInstance } from '../../src/core/types.js';
import { parseEmulatorFlags } from '../../src/cli/commands/emulator.js';
import { MAX_DELAY_MS, validateFaults } from '../../src/emulator/faults.js';
import { CallLog, OTHER_OPERATION, type CallRecord } from '../../src/emulator/record.js';
import { DEFAULT_CALL_RECORD_LIMIT, ListenError, startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import { client, instance, inventory } from './helpers.js';

async function withEmulator<T>(options: Parameters<typeof startEmulator>[0], run: (emulator: RunningEmulator) => Promise<T>): Promise<T> {
  const emulator = await startEmulator(options);
  try {
    return await run(emulator);
  } finally {
    await emulator.close();
  }
}

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** One call over raw HTTP; rejects on a dropped or hung connection (5 s). */
function call(url: string, operation: string, region: string, body: unknown): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: hostname.replace(/^\[|\]$/g, ''),
        port,
        method: 'POST',
        path: '/',
        headers: {
          'Content-Type': 'application/x-amz-json-1.1',
          'X-Amz-Target': `Lightsail_20161128.${operation}`,
          Authorization: `AWS4-HMAC-SHA256 Credential=AKIDTEST/20261125/${region}/lightsail/aws4_request, SignedHeaders=host, Signature=00`,
        },
        timeout: 5_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => { resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }); });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer to ${operation} within 5 s`)));
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** An answer as a client reads it: a 2xx JSON object, or an error whose header (if any) agrees with its __type. */
function expectWellFormed(answer: RawAnswer): Record<string, unknown> {
  expect(Number.isInteger(answer.status)).toBe(true);
  const parsed: unknown = JSON.parse(answer.text);
  expect(parsed !== null && typeof parsed === 'object').toBe(true);
  const body = parsed as Record<string, unknown>;
  if (answer.status >= 300) {
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(600);
    expect(typeof body['__type']).toBe('string');
    const header = answer.headers['x-amzn-errortype'];
    if (header !== undefined) expect(header).toBe(body['__type']);
  }
  return body;
}

describe('host [::1]', () => {
  test('the bracketed form listens on ::1 instead of failing with ENOTFOUND', async () => {
    await withEmulator({ inventory: inventory([instance('web-1', 'us-east-1')]), host: '[::1]' }, async (emulator) => {
      expect(emulator.url).toMatch(/^http:\/\/\[::1\]:\d+$/);
      const out = await client(emulator.url, 'us-east-1').send(new GetRegionsCommand({}));
      expect(out.regions?.map((r) => r.name)).toEqual(['us-east-1']);
    });
  });

  test('the flag accepts [::1] too', () => {
    expect(parseEmulatorFlags({ inventory: 'i.json', host: '[::1]' }).host).toBe('[::1]');
  });

  test('a listen failure is a UserInputError line, not a crash', async () => {
    await withEmulator({ inventory: inventory([]) }, async (first) => {
      const port = Number(new URL(first.url).port);
      const error = await startEmulator({ inventory: inventory([]), port }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(UserInputError);
      expect(error).toBeInstanceOf(ListenError);
      expect((error as ListenError).code).toBe('EADDRINUSE');
      expect((error as UserInputError).lines).toEqual([expect.stringMatching(new RegExp(`^cannot listen on 127\\.0\\.0\\.1:${port}: EADDRINUSE \\(`))]);
    });
  });

  test('names are still refused', async () => {
    await expect(startEmulator({ inventory: inventory([]), host: 'localhost' })).rejects.toThrow(/"localhost" is not a loopback address/);
  });
});

describe('an inventory cannot kill the emulator', () => {
  const poison = (code: string): Inventory =>
    inventory(
      [
        instance('web-1', 'us-east-1', { status: 'error', portStates: undefined, error: { code, message: `recorded ${code}` } }),
        instance('web-2', 'eu-west-1'),
      ],
      [
        { name: 'us-east-1', status: 'ok' },
        { name: 'ap-south-1', status: 'error', error: { code, message: 'region error' } },
      ],
    );

  test.each(['toString', 'constructor', '__proto__', 'hasOwnProperty', 'Dénied', 'Отказано', 'Bad\r\nX-Injected: 1', 'Tab\there', '\u0000', ''])(
    'error code %j is answered (status from own properties only, header only for a plain token), also after a delay',
    async (code) => {
      await withEmulator({ inventory: poison(code), faults: { latencyMs: 1 } }, async (emulator) => {
        const answers = await Promise.all([
          call(emulator.url, 'GetInstancePortStates', 'us-east-1', { instanceName: 'web-1' }),
          call(emulator.url, 'GetInstances', 'ap-south-1', {}),
        ]);
        for (const answer of answers) {
          const body = expectWellFormed(answer);
          expect(body['__type']).toBe(code);
          expect(answer.status).toBe(400);
          expect(answer.headers['x-injected']).toBeUndefined();
        }
        // The server is still up for everyone else.
        expect(expectWellFormed(await call(emulator.url, 'GetInstancePortStates', 'eu-west-1', { instanceName: 'web-2' }))['portStates']).toHaveLength(1);
      });
    },
  );

  test('a value JSON cannot write (a BigInt in a port state) gets a 500 ServiceException, and the server keeps serving', async () => {
    const broken = inventory([instance('web-1', 'us-east-1', { portStates: [{ fromPort: 10n }] })]);
    await withEmulator({ inventory: broken }, async (emulator) => {
      const answer = await call(emulator.url, 'GetInstancePortStates', 'us-east-1', { instanceName: 'web-1' });
      expect(answer.status).toBe(500);
      expect(expectWellFormed(answer)['__type']).toBe('ServiceException');
      expect(expectWellFormed(await call(emulator.url, 'GetRegions', 'us-east-1', {}))['regions']).toHaveLength(1);
    });
  });

  // Strings of every kind: any code point, ASCII controls, and names that live on Object.prototype.
  const anyText = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 8 }),
    fc.string({ unit: 'binary-ascii', maxLength: 8 }),
    fc.constantFrom('toString', 'constructor', '__proto__', 'valueOf', 'Dénied', 'a\nb', '\ud800', 'us-east-1', 'eu-west-1', ''),
  );
  const regionName = fc.oneof(fc.constantFrom('us-east-1', 'eu-west-1', 'constructor', '__proto__'), anyText);
  const errorInfo = fc.record({ code: anyText, message: anyText });
  const region = fc.oneof(
    fc.record({ name: regionName, status: fc.constant('ok' as const) }),
    fc.record({ name: regionName, status: fc.constant('error' as const), error: errorInfo }),
  );
  const portStates = fc.oneof(fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }), fc.array(fc.dictionary(anyText, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }), { maxLength: 3 }));
  const instanceEntry = fc.record(
    {
      name: fc.oneof(fc.constantFrom('web-1', 'x', 'toString', 'constructor'), anyText),
      region: regionName,
      status: fc.constantFrom('ok', 'error', 'gone'),
      error: errorInfo,
      tags: fc.array(fc.record({ key: anyText, value: anyText }), { maxLength: 2 }),
      portStates,
      listedPorts: portStates,
      arn: anyText,
      publicIpAddress: anyText,
      createdAt: fc.jsonValue({ maxDepth: 1 }),
    },
    { requiredKeys: ['name', 'region'] },
  );
  const randomInventory = fc.record({ regions: fc.array(region, { maxLength: 3 }), instances: fc.array(instanceEntry, { maxLength: 5 }) });

  /** Region names a SigV4 credential scope can carry (the HTTP client refuses the rest before sending). */
  const signable = (name: string): boolean => /^[\x21-\x7e]+$/.test(name) && !/[/,]/.test(name);

  test('property: every GetRegions, GetInstances and GetInstancePortStates of a random inventory gets a parseable answer', async () => {
    await fc.assert(
      fc.asyncProperty(randomInventory, fc.boolean(), async (random, delayed) => {
        const served = { version: 1, collectedAt: 'x', regions: random.regions, instances: random.instances as InventoryInstance[] } as Inventory;
        await withEmulator({ inventory: served, pageSize: 2, ...(delayed ? { faults: { latencyMs: 1 } } : {}) }, async (emulator) => {
          const regions = [...new Set(['us-east-1', ...random.regions.map((r) => r.name), ...random.instances.map((i) => i.region)])].filter(signable);
          const answers: Promise<RawAnswer>[] = [];
          for (const name of regions) {
            answers.push(call(emulator.url, 'GetRegions', name, { includeAvailabilityZones: true }));
            answers.push(call(emulator.url, 'GetInstances', name, {}));
            for (const entry of random.instances) answers.push(call(emulator.url, 'GetInstancePortStates', name, { instanceName: entry.name }));
          }
          for (const answer of await Promise.all(answers)) expectWellFormed(answer);
          // The real SDK reads its answer too (a value or a typed error, never a parse failure).
          const sdk = await client(emulator.url, 'us-east-1')
            .send(new GetRegionsCommand({}))
            .then(
              () => 200,
              (e: unknown) => (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode,
            );
          expect(typeof sdk).toBe('number');
        });
      }),
      { numRuns: 30 },
    );
  });
});

describe('the call record is bounded', () => {
  test('recent calls are a ring of callRecordLimit; totals stay exact', async () => {
    await withEmulator({ inventory: inventory([instance('web-1', 'us-east-1')]), callRecordLimit: 4 }, async (emulator) => {
      const lightsail = client(emulator.url, 'us-east-1');
      for (let i = 0; i < 7; i++) await lightsail.send(new GetRegionsCommand({}));
      for (let i = 0; i < 3; i++) await call(emulator.url, 'GetInstancePortStates', 'us-east-1', { instanceName: i === 0 ? 'web-1' : 'nope' });
      expect(emulator.calls).toHaveLength(4);
      expect(emulator.calls.map((c) => `${c.operation} ${c.outcome} ${c.instanceName ?? ''}`)).toEqual([
        'GetRegions ok ',
        'GetInstancePortStates ok web-1',
        'GetInstancePortStates NotFoundException nope',
        'GetInstancePortStates NotFoundException nope',
      ]);
      expect(emulator.callCount()).toBe(10);
      expect(emulator.callCount({ operation: 'GetRegions' })).toBe(7);
      expect(emulator.callCount({ operation: 'GetInstancePortStates', outcome: 'NotFoundException' })).toBe(2);
      expect(emulator.callCount({ service: 'lightsail', accountId: '111122223333' })).toBe(10);
      expect(emulator.counts).toEqual({
        total: 10,
        byService: { lightsail: 10 },
        byOperation: { GetRegions: 7, GetInstancePortStates: 3 },
        byAccount: { '111122223333': 10 },
        byOutcome: { ok: 8, NotFoundException: 2 },
      });
    });
  });

  test('the default keeps 10,000 calls', () => {
    expect(DEFAULT_CALL_RECORD_LIMIT).toBe(10_000);
  });

  test('operation names from requests cannot grow the totals without end', () => {
    const log = new CallLog(10);
    for (let i = 0; i < 1_500; i++) {
      const record: CallRecord = { service: 'lightsail', operation: `Made-Up-${i}`, accountId: '111122223333', region: 'r', outcome: 'UnknownOperationException', startedAt: 0, durationMs: 0 };
      log.started(record);
      log.finished(record);
    }
    expect(log.recent().map((r) => r.operation)).toEqual(Array.from({ length: 10 }, (_, i) => `Made-Up-${1_490 + i}`));
    expect(log.count({ outcome: 'UnknownOperationException' })).toBe(1_500);
    expect(log.count({ operation: 'Made-Up-7' })).toBe(1);
    expect(log.count({ operation: OTHER_OPERATION })).toBe(500);
  });
});

describe('timer values Node would clamp are refused', () => {
  test.each<[string, Record<string, string>, string]>([
    ['--latency', { latency: '3000000000' }, '--latency: expected milliseconds 0..3600000 (one hour at most), got "3000000000"'],
    ['--jitter', { jitter: '3600001' }, '--jitter: expected milliseconds 0..3600000 (one hour at most), got "3600001"'],
    ['--slow-region', { slowRegion: 'eu-west-1:3000000000' }, '--slow-region: expected REGION:MS with MS milliseconds 0..3600000 (one hour at most), got "eu-west-1:3000000000"'],
  ])('%s', (_flag, flags, line) => {
    expect(() => parseEmulatorFlags({ inventory: 'i.json', ...flags })).toThrow(line);
  });

  test('one hour is allowed, a moment more is not', () => {
    expect(parseEmulatorFlags({ inventory: 'i.json', latency: String(MAX_DELAY_MS) }).faults.latencyMs).toBe(MAX_DELAY_MS);
    expect(validateFaults({ latencyMs: MAX_DELAY_MS, jitterMs: 0 }, 'faults')).toEqual([]);
    expect(validateFaults({ latencyMs: 3e9, jitterMs: MAX_DELAY_MS + 0.5, slowRegion: { region: 'r', latencyMs: 2 ** 31 } }, 'faults')).toEqual([
      'faults.latencyMs: expected milliseconds 0..3600000 (one hour at most), got 3000000000',
      'faults.jitterMs: expected milliseconds 0..3600000 (one hour at most), got 3600000.5',
      'faults.slowRegion.latencyMs: expected milliseconds 0..3600000 (one hour at most), got 2147483648',
    ]);
  });

  test('startEmulator refuses them too, instead of answering after 1 ms', async () => {
    await expect(startEmulator({ inventory: inventory([]), faults: { latencyMs: 3_000_000_000 } })).rejects.toThrow(
      'faults.latencyMs: expected milliseconds 0..3600000 (one hour at most), got 3000000000',
    );
  });
});
