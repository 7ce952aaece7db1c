// The collector's CLI pieces: option validation, progress drawing, and the
// collect / iam-policy commands run in-process against the emulator.
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import type { CollectProgress } from '../../src/aws/collector.js';
import { addCollectorOptions, collectOptionsFrom } from '../../src/cli/collector-options.js';
import { collectCommand } from '../../src/cli/commands/collect.js';
import { iamPolicyCommand } from '../../src/cli/commands/iam-policy.js';
import { createProgressReporter, type ProgressStream } from '../../src/cli/progress.js';
import { UserInputError } from '../../src/core/errors.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import { iamPolicyDocument } from '../../src/aws/operations.js';
import { useOfflineAwsEnv } from './env.js';
import { bigFleet, roundTripInventory, withoutListedPorts } from './fleet.js';

useOfflineAwsEnv();

function parse(args: string[]): Record<string, unknown> {
  const cmd = addCollectorOptions(new Command('x').exitOverride().configureOutput({ writeErr: () => {} }));
  cmd.parse(args, { from: 'user' });
  return cmd.opts();
}

describe('collectOptionsFrom', () => {
  it('turns flags into CollectOptions', () => {
    const o = collectOptionsFrom(
      parse([
        '--endpoint-url', 'https://lightsail-fips.us-east-1.amazonaws.com',
        '--home-region', 'eu-west-1',
        '--regions', 'us-east-1, eu-west-1,!ap-south-1',
        '--exclude-regions', 'eu-north-1',
        '--concurrency', '16',
        '--max-attempts', '12',
        '--retry-mode', 'adaptive',
        '--profile', 'audit',
        '--role-arn', 'arn:aws:iam::111122223333:role/PortolanAudit',
        '--external-id', 'xyz',
        '--quiet',
      ]),
    );
    expect(o.signal).toBeInstanceOf(AbortSignal);
    const { signal: _signal, ...rest } = o;
    expect(rest).toEqual({
      endpointUrl: 'https://lightsail-fips.us-east-1.amazonaws.com',
      homeRegion: 'eu-west-1',
      regions: ['us-east-1', 'eu-west-1'],
      excludeRegions: ['ap-south-1', 'eu-north-1'],
      concurrency: 16,
      maxAttempts: 12,
      retryMode: 'adaptive',
      profile: 'audit',
      roleArn: 'arn:aws:iam::111122223333:role/PortolanAudit',
      externalId: 'xyz',
    });
  });

  it('gives no options when no flags, and progress unless --quiet', () => {
    const o = collectOptionsFrom(parse([]));
    expect(Object.keys(o)).toEqual(['onProgress', 'signal']);
    expect(Object.keys(collectOptionsFrom(parse(['--quiet'])))).toEqual(['signal']);
  });

  it.each([
    [['--concurrency', '0'], /--concurrency: "0"/],
    [['--concurrency', '4x'], /--concurrency/],
    [['--concurrency', '-3'], /--concurrency/],
    [['--max-attempts', '1.5'], /--max-attempts/],
    [['--max-attempts', '101'], /--max-attempts/],
    [["--endpoint-url", "not a url"], /--endpoint-url: the value is not a URL/],
    [['--endpoint-url', 'ftp://127.0.0.1/'], /http or https/],
    [['--region', 'US East'], /--region/],
    [['--regions', ','], /at least one region/],
    [['--regions', 'us-east-1,useast'], /"useast" is not a region/],
    [['--exclude-regions', '!us-east-1'], /without "!"/],
    [['--role-arn', 'PortolanAudit'], /--role-arn/],
    [['--external-id', 'x'], /--external-id needs --role-arn/],
  ])('%j is a usage error', (args, message) => {
    const run = () => collectOptionsFrom(parse([...args, '--quiet']));
    expect(run).toThrow(UserInputError);
    expect(run).toThrow(message);
  });
});

describe('progress reporter', () => {
  const state = (over: Partial<CollectProgress>): CollectProgress => ({
    regionsTotal: 5, regionsDone: 3, instancesListed: 1240, instancesDone: 812, instancesFailed: 2, listingDone: true, ...over,
  });
  const stream = (isTTY: boolean) => {
    const out: string[] = [];
    const s: ProgressStream = { isTTY, columns: 200, write: (t: string) => out.push(t) };
    return { s, out };
  };

  it('on a terminal redraws one line in place with an ETA, then clears it', () => {
    const { s, out } = stream(true);
    let now = 0;
    const report = createProgressReporter(s, () => now);
    now = 10_000;
    report(state({}));
    now = 10_050;
    report(state({ instancesDone: 813 })); // within the redraw interval: skipped
    now = 20_000;
    report(state({ regionsDone: 5, instancesDone: 1240 }));
    expect(out).toHaveLength(2);
    expect(out[0]).toMatch(/^\r\x1b\[2K\[#{13}\.{7}\] collect: 3\/5 regions, 812\/1240 instances, 2 failed, ETA 5s$/);
    expect(out[1]).toBe('\r\x1b[2K');
  });

  it('in a log writes a short line at most every 5 s, and a last one only for long runs', () => {
    const { s, out } = stream(false);
    let now = 0;
    const report = createProgressReporter(s, () => now);
    now = 1_000;
    report(state({ listingDone: false }));
    now = 5_500;
    report(state({ listingDone: false, instancesDone: 900 }));
    now = 7_000;
    report(state({ instancesDone: 901 }));
    now = 11_000;
    report(state({ instancesDone: 1000 }));
    report(state({ regionsDone: 5, instancesDone: 1240 }));
    report(state({ regionsDone: 5, instancesDone: 1240 }));
    expect(out).toEqual([
      'collect: 3/5 regions, 900/1240+ instances, 2 failed\n',
      'collect: 3/5 regions, 1000/1240 instances, 2 failed\n',
      'collect: 5/5 regions, 1240/1240 instances, 2 failed\n',
    ]);
  });

  it('a quick run in a log prints nothing', () => {
    const { s, out } = stream(false);
    const report = createProgressReporter(s, () => 0);
    report(state({}));
    report(state({ regionsDone: 5, instancesDone: 1240 }));
    expect(out).toEqual([]);
  });
});

describe('collect and iam-policy commands', () => {
  let emulator: RunningEmulator | undefined;
  afterEach(async () => {
    await emulator?.close();
    emulator = undefined;
    process.exitCode = undefined;
    jest.restoreAllMocks();
  });

  async function runCollect(args: string[]): Promise<{ stderr: string; exitCode: number | undefined }> {
    let stderr = '';
    jest.spyOn(process.stderr, 'write').mockImplementation((t: string | Uint8Array) => {
      stderr += String(t);
      return true;
    });
    await collectCommand().exitOverride().parseAsync(args, { from: 'user' });
    const exitCode = process.exitCode as number | undefined;
    return { stderr, exitCode };
  }

  it('writes a complete inventory atomically and exits 0', async () => {
    const x = bigFleet(2, 5);
    emulator = await startEmulator({ inventory: x });
    const dir = mkdtempSync(join(tmpdir(), 'portolan-collect-'));
    const out = join(dir, 'inventory.json');
    writeFileSync(out, 'old content');
    const { stderr, exitCode } = await runCollect(['--out', out, '--endpoint-url', emulator.url, '--home-region', 'xx-test-1']);
    expect(exitCode).toBe(0);
    const written = JSON.parse(readFileSync(out, 'utf8')) as typeof x;
    expect(withoutListedPorts({ ...written, collectedAt: x.collectedAt })).toEqual(x);
    expect(written.instances.every((i) => Array.isArray(i.listedPorts))).toBe(true);
    expect(written.collectedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(readdirSync(dir)).toEqual(['inventory.json']); // no temp file left behind
    expect(stderr).toBe(`collect: complete: 2 regions, 10 instances (10 read) -> ${out}\n`);
  });

  it('exits 3 and says why when a region or instance could not be read', async () => {
    emulator = await startEmulator({ inventory: roundTripInventory() });
    const dir = mkdtempSync(join(tmpdir(), 'portolan-collect-'));
    const out = join(dir, 'inv.json');
    const { stderr, exitCode } = await runCollect(['--out', out, '--endpoint-url', emulator.url, '--home-region', 'us-east-1', '--max-attempts', '2']);
    expect(exitCode).toBe(3);
    expect(stderr).toBe(
      `collect: INCOMPLETE: 4 regions (unreadable: ap-northeast-1 AccessDeniedException), 29 instances (27 read, 1 failed, 1 gone) -> ${out}\n`,
    );
    expect((JSON.parse(readFileSync(out, 'utf8')) as { instances: unknown[] }).instances).toHaveLength(29);
  });

  it('writes nothing when the collection cannot start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portolan-collect-'));
    const out = join(dir, 'inv.json');
    // Nothing listens on the discard port: GetRegions fails, so nothing is known.
    await expect(
      runCollect(['--out', out, '--endpoint-url', 'http://127.0.0.1:9', '--home-region', 'us-east-1', '--max-attempts', '1', '--quiet']),
    ).rejects.toThrow(/^cannot list Lightsail regions \(GetRegions in us-east-1\): .*ECONNREFUSED.*; nothing was collected$/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('iam-policy prints the policy document', async () => {
    let stdout = '';
    jest.spyOn(process.stdout, 'write').mockImplementation((t: string | Uint8Array) => {
      stdout += String(t);
      return true;
    });
    await iamPolicyCommand().parseAsync([], { from: 'user' });
    expect(JSON.parse(stdout)).toEqual(iamPolicyDocument());
    expect((JSON.parse(stdout) as ReturnType<typeof iamPolicyDocument>).Statement[0]!.Action).toEqual(['lightsail:GetRegions', 'lightsail:GetInstances', 'lightsail:GetInstancePortStates']);
  });
});
