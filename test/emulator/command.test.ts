// `portolan emulator`: flag parsing (pure) and the command run in-process.
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetInstancesCommand } from '@aws-sdk/client-lightsail';
import { UserInputError } from '../../src/core/errors.js';
import { emulatorCommand, mergeFaults, parseEmulatorFlags, type EmulatorFlags } from '../../src/cli/commands/emulator.js';
import { client, instance, inventory } from './helpers.js';

function problems(flags: EmulatorFlags): string[] {
  try {
    parseEmulatorFlags(flags);
  } catch (error) {
    expect(error).toBeInstanceOf(UserInputError);
    return (error as UserInputError).lines;
  }
  throw new Error('expected a UserInputError');
}

describe('parseEmulatorFlags', () => {
  test('defaults', () => {
    expect(parseEmulatorFlags({ inventory: 'inv.json' })).toEqual({ inventoryPath: 'inv.json', host: '127.0.0.1', port: 0, pageSize: 20, faults: {} });
  });

  test('every flag', () => {
    expect(
      parseEmulatorFlags({
        inventory: 'inv.json',
        host: '::1',
        port: '4566',
        pageSize: '2',
        latency: '15',
        jitter: '5.5',
        rateLimit: '10',
        burst: '4',
        errorRate: '0.1',
        dropRate: '.05',
        slowRegion: 'eu-west-1:500',
        seed: '42',
      }),
    ).toEqual({
      inventoryPath: 'inv.json',
      host: '::1',
      port: 4566,
      pageSize: 2,
      faults: {
        latencyMs: 15,
        jitterMs: 5.5,
        rateLimit: { requestsPerSecond: 10, burst: 4 },
        errorRate: 0.1,
        dropRate: 0.05,
        slowRegion: { region: 'eu-west-1', latencyMs: 500 },
        seed: 42,
      },
    });
  });

  test.each<[string, EmulatorFlags, string[]]>([
    ['no inventory', {}, ['--inventory: an inventory file (or --organization FILE) is required']],
    ['public host', { inventory: 'i', host: '0.0.0.0' }, ['--host: "0.0.0.0" is not a loopback address (127.0.0.0/8 or ::1); the emulator never listens beyond this machine']],
    ['LAN host', { inventory: 'i', host: '192.168.1.5' }, ['--host: "192.168.1.5" is not a loopback address (127.0.0.0/8 or ::1); the emulator never listens beyond this machine']],
    ['port out of range', { inventory: 'i', port: '70000' }, ['--port: expected a port 0..65535 (0 = any free port), got "70000"']],
    ['port not a number', { inventory: 'i', port: 'http' }, ['--port: expected a port 0..65535 (0 = any free port), got "http"']],
    ['page size 0', { inventory: 'i', pageSize: '0' }, ['--page-size: expected an integer >= 1, got "0"']],
    ['negative latency', { inventory: 'i', latency: '-5' }, ['--latency: expected milliseconds 0..3600000 (one hour at most), got "-5"']],
    ['rate 0', { inventory: 'i', rateLimit: '0' }, ['--rate-limit: expected requests per second > 0, got "0"']],
    ['burst alone', { inventory: 'i', burst: '3' }, ['--burst: only with --rate-limit']],
    ['error rate above 1', { inventory: 'i', errorRate: '1.5' }, ['--error-rate: expected a fraction 0..1, got "1.5"']],
    ['drop rate as percent', { inventory: 'i', dropRate: '5%' }, ['--drop-rate: expected a fraction 0..1, got "5%"']],
    ['slow region without ms', { inventory: 'i', slowRegion: 'eu-west-1' }, ['--slow-region: expected REGION:MS (e.g. eu-west-1:500), got "eu-west-1"']],
    ['seed not an integer', { inventory: 'i', seed: '1.5' }, ['--seed: expected a non-negative integer, got "1.5"']],
    [
      'all mistakes at once',
      { port: 'x', errorRate: '2' },
      ['--inventory: an inventory file (or --organization FILE) is required', '--port: expected a port 0..65535 (0 = any free port), got "x"', '--error-rate: expected a fraction 0..1, got "2"'],
    ],
  ])('%s', (_label, flags, lines) => {
    expect(problems(flags)).toEqual(lines);
  });
});

describe('parseEmulatorFlags, organization mode', () => {
  test('--organization instead of --inventory, with a credential lifetime', () => {
    expect(parseEmulatorFlags({ organization: 'org.json', credentialLifetime: '2.5', rateLimit: '5' })).toEqual({
      organizationPath: 'org.json',
      host: '127.0.0.1',
      port: 0,
      pageSize: 20,
      faults: { rateLimit: { requestsPerSecond: 5 } },
      credentialLifetimeSeconds: 2.5,
    });
  });

  test.each<[string, EmulatorFlags, string[]]>([
    ['both sources', { inventory: 'i.json', organization: 'o.json' }, ['--organization: serves a whole organization; give it or --inventory, not both']],
    ['a lifetime without an organization', { inventory: 'i.json', credentialLifetime: '60' }, ['--credential-lifetime: only with --organization (only AssumeRole hands out credentials)']],
    ['a lifetime of 0', { organization: 'o.json', credentialLifetime: '0' }, ['--credential-lifetime: expected seconds > 0, at most 43200 (12 hours), got "0"']],
    ['a control character in a value is escaped', { inventory: 'i.json', seed: '1\u001b[2J' }, ['--seed: expected a non-negative integer, got "1\\u001b[2J"']],
  ])('%s', (_label, flags, lines) => {
    expect(problems(flags)).toEqual(lines);
  });
});

describe('mergeFaults', () => {
  test('flags override the file key by key', () => {
    expect(mergeFaults({ latencyMs: 100, errorRate: 0.5, seed: 1 }, { latencyMs: 5, dropRate: 0.1 })).toEqual({
      latencyMs: 5,
      errorRate: 0.5,
      seed: 1,
      dropRate: 0.1,
    });
    expect(mergeFaults(undefined, {})).toEqual({});
  });
});

describe('emulator command, in-process', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'portolan-emucmd-'));
  });
  afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

  test('prints the URL first, serves the file with its faults section, stops on SIGINT', async () => {
    const path = join(dir, 'inv.json');
    const data = inventory([instance('a-1', 'us-east-1'), instance('a-2', 'us-east-1'), instance('a-3', 'us-east-1')]);
    writeFileSync(path, JSON.stringify({ ...data, faults: { latencyMs: 25 } }));
    const lines: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      const run = emulatorCommand().exitOverride().parseAsync(['--inventory', path, '--page-size', '2'], { from: 'user' });
      while (lines.length < 2) await new Promise((r) => setTimeout(r, 5));
      const url = /^Lightsail emulator listening on (http:\/\/127\.0\.0\.1:\d+)\n$/.exec(lines[0] ?? '')?.[1];
      expect(url).toBeDefined();
      expect(lines[1]).toContain('faults: latency 25 ms');
      const page = await client(url as string, 'us-east-1').send(new GetInstancesCommand({}));
      expect(page.instances?.map((i) => i.name)).toEqual(['a-1', 'a-2']);
      expect(page.nextPageToken).toBeDefined();
      process.emit('SIGINT');
      await run;
      // Closed: the port no longer answers.
      await expect(client(url as string, 'us-east-1').send(new GetInstancesCommand({}))).rejects.toThrow(/ECONNREFUSED|connect/);
    } finally {
      write.mockRestore();
    }
  });

  test('a bad inventory file surfaces as a UserInputError before listening', async () => {
    const path = join(dir, 'bad.json');
    writeFileSync(path, '{"version": 1, "collectedAt": "x", "regions": [], "instances": [{"name": 3, "region": "r"}]}');
    await expect(emulatorCommand().exitOverride().parseAsync(['--inventory', path], { from: 'user' })).rejects.toThrow(
      `${path}: instances[0].name: expected a string, got 3`,
    );
  });
});
