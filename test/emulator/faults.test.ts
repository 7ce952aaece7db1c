// Fault injection, each kind observed through the SDK and the call records.
import { describe, expect, test } from '@jest/globals';
import { GetInstancePortStatesCommand, GetRegionsCommand } from '@aws-sdk/client-lightsail';
import { startEmulator, type FaultConfig, type RunningEmulator } from '../../src/emulator/server.js';
import { client, instance, inventory } from './helpers.js';

const fleet = inventory(
  [instance('web-1', 'us-east-1'), instance('web-2', 'eu-west-1')],
  [
    { name: 'us-east-1', status: 'ok' },
    { name: 'eu-west-1', status: 'ok' },
  ],
);

async function withEmulator(faults: FaultConfig, run: (emulator: RunningEmulator) => Promise<void>): Promise<void> {
  const emulator = await startEmulator({ inventory: fleet, faults });
  try {
    await run(emulator);
  } finally {
    await emulator.close();
  }
}

async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    return (error as Error).name;
  }
}

describe('faults', () => {
  test('rate limit: over the bucket => ThrottlingException (HTTP 400)', async () => {
    // A refill so slow that only the burst gets through during the test.
    await withEmulator({ rateLimit: { requestsPerSecond: 0.001, burst: 2 } }, async (emulator) => {
      const lightsail = client(emulator.url, 'us-east-1');
      const results: string[] = [];
      for (let i = 0; i < 4; i++) results.push(await outcome(lightsail.send(new GetRegionsCommand({}))));
      expect(results).toEqual(['ok', 'ok', 'ThrottlingException', 'ThrottlingException']);
      expect(emulator.calls.map((c) => c.outcome)).toEqual(['ok', 'ok', 'ThrottlingException', 'ThrottlingException']);
      try {
        await lightsail.send(new GetRegionsCommand({}));
      } catch (error) {
        expect((error as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode).toBe(400);
        expect((error as Error).message).toBe('Rate exceeded');
      }
      expect.assertions(4);
    });
  });

  test('rate limit applies across regions and concurrent clients', async () => {
    await withEmulator({ rateLimit: { requestsPerSecond: 0.001, burst: 3 } }, async (emulator) => {
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => outcome(client(emulator.url, i % 2 ? 'us-east-1' : 'eu-west-1').send(new GetRegionsCommand({})))),
      );
      expect(results.filter((r) => r === 'ok')).toHaveLength(3);
      expect(results.filter((r) => r === 'ThrottlingException')).toHaveLength(5);
    });
  });

  test('errorRate 1 => ServiceException (HTTP 500), and the SDK retries it', async () => {
    await withEmulator({ errorRate: 1 }, async (emulator) => {
      const once = client(emulator.url, 'us-east-1');
      const error = await once.send(new GetRegionsCommand({})).catch((e: unknown) => e as { name: string; $metadata: { httpStatusCode: number } });
      expect(error).toMatchObject({ name: 'ServiceException', $metadata: { httpStatusCode: 500 } });
      expect(emulator.calls.map((c) => c.outcome)).toEqual(['ServiceException']);
      // Default standard retry: 3 attempts for a 500.
      const retrying = client(emulator.url, 'us-east-1', 3);
      expect(await outcome(retrying.send(new GetRegionsCommand({})))).toBe('ServiceException');
      expect(emulator.calls.slice(1).map((c) => c.outcome)).toEqual(['ServiceException', 'ServiceException', 'ServiceException']);
    });
  });

  test('dropRate 1 => the socket is closed without an answer: a network error', async () => {
    await withEmulator({ dropRate: 1 }, async (emulator) => {
      const error = await client(emulator.url, 'us-east-1')
        .send(new GetInstancePortStatesCommand({ instanceName: 'web-1' }))
        .then(() => undefined)
        .catch((e: unknown) => e as Error & { code?: string; $metadata?: { httpStatusCode?: number } });
      expect(error).toBeInstanceOf(Error);
      // No HTTP status: the failure happened below HTTP.
      expect(error?.$metadata?.httpStatusCode).toBeUndefined();
      expect(`${error?.name} ${error?.code ?? ''} ${error?.message}`).toMatch(/ECONNRESET|socket hang up/);
      expect(emulator.calls).toEqual([expect.objectContaining({ operation: 'GetInstancePortStates', outcome: 'dropped', instanceName: 'web-1' })]);
    });
  });

  test('latency and jitter show in the recorded duration', async () => {
    await withEmulator({ latencyMs: 40, jitterMs: 20 }, async (emulator) => {
      await client(emulator.url, 'us-east-1').send(new GetRegionsCommand({}));
      expect(emulator.calls[0]?.durationMs).toBeGreaterThanOrEqual(39);
    });
  });

  test('slowRegion delays only that region', async () => {
    await withEmulator({ slowRegion: { region: 'eu-west-1', latencyMs: 60 } }, async (emulator) => {
      await client(emulator.url, 'eu-west-1').send(new GetRegionsCommand({}));
      await client(emulator.url, 'us-east-1').send(new GetRegionsCommand({}));
      const [slow, fast] = emulator.calls;
      expect(slow?.region).toBe('eu-west-1');
      expect(slow?.durationMs).toBeGreaterThanOrEqual(59);
      expect(fast?.region).toBe('us-east-1');
      expect(fast?.durationMs).toBeLessThan(slow?.durationMs ?? 0);
    });
  });

  test('a seed reproduces the same fault sequence; another seed differs', async () => {
    const run = async (seed: number): Promise<string[]> => {
      let outcomes: string[] = [];
      await withEmulator({ errorRate: 0.5, seed }, async (emulator) => {
        const lightsail = client(emulator.url, 'us-east-1');
        for (let i = 0; i < 24; i++) await outcome(lightsail.send(new GetRegionsCommand({})));
        outcomes = emulator.calls.map((c) => c.outcome);
      });
      return outcomes;
    };
    const first = await run(7);
    expect(first).toContain('ok');
    expect(first).toContain('ServiceException');
    expect(await run(7)).toEqual(first);
    expect(await run(8)).not.toEqual(first);
  });
});
