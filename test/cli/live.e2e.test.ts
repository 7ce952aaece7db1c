// The live audit end to end: the built CLI in a child process, the real AWS SDK,
// and the Lightsail emulator running in this test process on 127.0.0.1. What it
// proves: nothing read is lost through throttling, 500s and dropped
// connections; what could not be read is named in every report and turns the
// exit status to 3; the live path judges exactly like the offline one.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Inventory } from '../../src/core/types.js';
import { demoFleet } from '../../src/emulator/demo-fleet.js';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator/server.js';
import { allSarifErrors } from '../report/sarif-validate.js';
import { withoutListedPorts } from '../aws/fleet.js';
import { DENIED_REGION, liveFleet, lowOnlyFleet } from './live-fleet.js';
import { isolatedEnv, runCli, type CliRun, expectNoStack } from './run-cli.js';

const NOW = ['--now', '2026-11-25T12:00:00Z'];
const READ_ONLY = ['GetInstancePortStates', 'GetInstances', 'GetRegions'];
const NO_STACK = /\n\s+at .*:\d+:\d+\)?/;

// Regions come from the emulator's answers, never from the environment.
const ENV = isolatedEnv();
delete ENV['AWS_REGION'];
delete ENV['AWS_DEFAULT_REGION'];

let dir: string;
const running: RunningEmulator[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'portolan-live-e2e-'));
});
afterAll(async () => {
  await Promise.all(running.map((e) => e.close()));
});

async function emulate(options: EmulatorOptions): Promise<RunningEmulator> {
  const emulator = await startEmulator({ host: '127.0.0.1', port: 0, ...options });
  running.push(emulator);
  return emulator;
}

let counter = 0;
function tmp(name: string): string {
  counter += 1;
  return join(dir, `${name}-${counter}`);
}

function cli(args: string[]): Promise<CliRun> {
  return runCli(args, { env: ENV });
}

/** The live audit as a user types it, against `url`. */
function liveAudit(url: string, out: string, extra: string[] = []): Promise<CliRun> {
  return cli([
    'audit', '--endpoint-url', url, '--home-region', 'us-east-1', '--policy', 'rules/baseline.yaml',
    '--out', out, '--format', 'json,sarif,markdown', ...NOW, '--max-attempts', '10', ...extra,
  ]);
}

interface JsonFinding {
  ruleId: string;
  severity: string;
  suppressed: boolean;
  suppression?: { reason: string; expires?: string };
  instance: { name: string; region: string; arn?: string };
  portState: { protocol: string; fromPort: number; toPort: number; cidrs: string[]; ipv6Cidrs: string[]; cidrListAliases: string[] };
  message: string;
  fingerprint: string;
}
interface JsonReport {
  source: string;
  coverage: {
    regions: Array<{ name: string; status: string; error?: { code: string; message: string } }>;
    instances: number;
    scanned: number;
    failed: number;
    gone: number;
    complete: boolean;
    unread: Array<{ name: string; region: string; arn?: string; status: string; error?: { code: string; message: string } }>;
  };
  summary: { bySeverity: Record<string, number>; suppressed: number };
  findings: JsonFinding[];
  diagnostics: unknown[];
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}
const report = (out: string): JsonReport => readJson<JsonReport>(join(out, 'portolan.json'));

/** The fields of a finding the contract fixes (spec 4). */
const judged = (r: JsonReport) =>
  r.findings.map((f) => ({ ruleId: f.ruleId, instance: f.instance, portState: f.portState, message: f.message, fingerprint: f.fingerprint }));

function writeInventory(inventory: Inventory, name: string): string {
  const file = `${tmp(name)}.json`;
  writeFileSync(file, JSON.stringify(inventory));
  return file;
}

// Progress is logged only after 5 s (a quick run stays silent), so one slow
// region keeps the reads running past that: ~2.7 s to list, ~2.7 s to read.
// The two runs mostly wait, so they start first and overlap the other tests.
let slowRuns: Promise<[CliRun, CliRun]>;
beforeAll(async () => {
  const emulator = await emulate({ inventory: lowOnlyFleetWithSlowRegion(), faults: { slowRegion: { region: 'eu-west-1', latencyMs: 2_700 } } });
  slowRuns = Promise.all([liveAudit(emulator.url, tmp('quiet'), ['--quiet']), liveAudit(emulator.url, tmp('loud'))]);
});

/** The offline judgement of the very inventory the emulator serves: what every live run must reproduce. */
let truth: JsonReport;
beforeAll(async () => {
  const out = tmp('truth');
  const r = await cli(['audit', '--input', writeInventory(liveFleet(), 'served'), '--policy', 'rules/baseline.yaml', '--out', out, '--format', 'json', ...NOW]);
  expect(r.code).toBe(1);
  expectNoStack(r.stderr);
  truth = report(out);
  expect(truth.findings.length).toBeGreaterThan(30);
}, 20_000);

describe('live audit through throttling, 500s and dropped connections', () => {
  // A burst of 5 is below what the collector sends at once (4 listings, then 8 reads), so throttling
  // is certain. The emulator draws (jitter, drop, error) per call in arrival order; GetRegions goes
  // alone, so with seed 6 its first attempt is dropped and its second is a 500, every time.
  const FAULTS = { rateLimit: { requestsPerSecond: 100, burst: 5 }, errorRate: 0.1, dropRate: 0.05, latencyMs: 2, jitterMs: 3, seed: 6 };

  test('every instance is accounted for, the denied region is named everywhere, exit 3 with --fail-on none', async () => {
    const fleet = liveFleet();
    const emulator = await emulate({ inventory: fleet, pageSize: 5, faults: FAULTS });
    const out = tmp('faulty');
    const r = await liveAudit(emulator.url, out, ['--fail-on', 'none']);
    expect(r.stderr).not.toMatch(NO_STACK);
    expect(r.code).toBe(3);
    expect(readdirSync(out).sort()).toEqual(['portolan.json', 'portolan.md', 'portolan.sarif']);

    // The faults really happened (otherwise this proves nothing), and only reads were made.
    const outcomes = new Set(emulator.calls.map((c) => c.outcome));
    const expected = ['ok', 'ThrottlingException', 'ServiceException', 'dropped', 'AccessDeniedException', 'OperationFailureException', 'NotFoundException'];
    expect([...outcomes].filter((o) => !expected.includes(o))).toEqual([]);
    for (const fault of ['ThrottlingException', 'ServiceException', 'dropped']) expect(outcomes).toContain(fault);
    expect(emulator.calls.slice(0, 3).map((call) => `${call.operation} ${call.outcome}`)).toEqual(['GetRegions dropped', 'GetRegions ServiceException', 'GetRegions ok']);
    expect([...new Set(emulator.calls.map((c) => c.operation))].sort()).toEqual(READ_ONLY);
    // Many pages in the big region, each answered once.
    const pages = emulator.calls.filter((c) => c.operation === 'GetInstances' && c.region === 'us-east-1' && c.outcome === 'ok');
    expect(pages).toHaveLength(Math.ceil(23 / 5));

    const json = report(out);
    const readable = fleet.instances.filter((i) => i.region !== DENIED_REGION);
    const c = json.coverage;
    expect(c.instances).toBe(readable.length);
    expect({ scanned: c.scanned, failed: c.failed, gone: c.gone, complete: c.complete }).toEqual({
      scanned: readable.length - 2,
      failed: 1,
      gone: 1,
      complete: false,
    });
    expect(c.scanned + c.failed + c.gone).toBe(c.instances);
    expect(c.unread.map((u) => [u.region, u.name, u.status, u.error?.code]).sort()).toEqual([
      ['eu-west-1', 'broken-1', 'error', 'OperationFailureException'],
      ['eu-west-1', 'deleted-1', 'gone', undefined],
    ]);
    // None lost: every scanned instance has findings (each fleet kind raises one), so
    // the names found plus the names unread are exactly the fleet's names.
    const key = (i: { region: string; name: string }): string => `${i.region}/${i.name}`;
    const scannedNames = new Set(json.findings.map((f) => key(f.instance)));
    expect(scannedNames.size).toBe(c.scanned);
    expect([...scannedNames, ...c.unread.map(key)].sort()).toEqual(readable.map(key).sort());
    expect(c.regions).toEqual([
      { name: 'us-east-1', status: 'ok' },
      { name: 'eu-west-1', status: 'ok' },
      { name: 'ap-south-1', status: 'ok' },
      expect.objectContaining({ name: DENIED_REGION, status: 'error' }),
    ]);
    // Through the faults, the same findings as the offline judgement of the served fleet.
    expect(judged(json)).toEqual(judged(truth));

    // The denied region in the Markdown and in the summary on stdout.
    const markdown = readFileSync(join(out, 'portolan.md'), 'utf8');
    expect(markdown).toContain(DENIED_REGION);
    expect(markdown).toContain('AccessDeniedException');
    expect(r.stdout).toContain(DENIED_REGION);
    expect(r.stdout).toMatch(/INCOMPLETE/);

    // SARIF that GitHub accepts, and that says the run did not see everything.
    const sarif = readJson<{ runs: Array<{ invocations: Array<{ executionSuccessful: boolean; toolExecutionNotifications?: Array<{ message: { text: string } }> }> }> }>(
      join(out, 'portolan.sarif'),
    );
    expect(allSarifErrors(sarif)).toEqual([]);
    const invocation = sarif.runs[0]?.invocations[0];
    expect(invocation?.executionSuccessful).toBe(false);
    expect((invocation?.toolExecutionNotifications ?? []).some((n) => n.message.text.includes(DENIED_REGION))).toBe(true);
  }, 30_000);

  test('exit 1 with a critical finding at the default --fail-on, through the same faults', async () => {
    const emulator = await emulate({ inventory: liveFleet(), pageSize: 5, faults: { ...FAULTS, seed: 343 } });
    const out = tmp('faulty-default');
    const r = await liveAudit(emulator.url, out);
    expect(r.code).toBe(1);
    expectNoStack(r.stderr);
    const json = report(out);
    expect(json.summary.bySeverity['critical']).toBeGreaterThan(0);
    expect(json.coverage.complete).toBe(false);
    expect(judged(json)).toEqual(judged(truth));
  }, 30_000);

  test('exit 3 at the default --fail-on when only low findings exist but a region is denied', async () => {
    const emulator = await emulate({ inventory: lowOnlyFleet(), pageSize: 2, faults: FAULTS });
    const out = tmp('low');
    const r = await liveAudit(emulator.url, out);
    expect(r.code).toBe(3);
    const json = report(out);
    expect(json.summary.bySeverity['low']).toBe(3);
    expect(json.summary.bySeverity).toMatchObject({ critical: 0, high: 0 });
    expect(json.coverage.regions).toContainEqual(expect.objectContaining({ name: DENIED_REGION, status: 'error' }));
  }, 30_000);
});

describe('the live path judges like the offline path', () => {
  let url: string;
  let live: JsonReport;
  let liveDir: string;
  beforeAll(async () => {
    url = (await emulate({ inventory: liveFleet(), pageSize: 5 })).url;
    liveDir = tmp('live');
    const r = await liveAudit(url, liveDir);
    expect(r.code).toBe(1);
    expectNoStack(r.stderr);
    live = report(liveDir);
  }, 20_000);

  test('collect, then audit --input: the same findings and coverage as the live audit and as the served inventory', async () => {
    const inv = `${tmp('inv')}.json`;
    const collected = await cli(['collect', '--endpoint-url', url, '--home-region', 'us-east-1', '--out', inv, '--quiet']);
    expect(collected.code).toBe(3); // a denied region and an unread instance
    // The collector gives back exactly what the emulator served.
    expect(withoutListedPorts(readJson<Inventory>(inv))).toEqual({ ...liveFleet(), collectedAt: expect.any(String) });
    const out = tmp('offline');
    const offline = await cli(['audit', '--input', inv, '--policy', 'rules/baseline.yaml', '--out', out, '--format', 'json', ...NOW]);
    expect(offline.code).toBe(1);
    expectNoStack(offline.stderr);
    const fromFile = report(out);
    expect(judged(live).length).toBeGreaterThan(30);
    expect(judged(live)).toEqual(judged(fromFile));
    expect(judged(live)).toEqual(judged(truth));
    expect(live.findings).toEqual(fromFile.findings); // severity and suppression too
    expect(live.coverage).toEqual(fromFile.coverage);
    expect(live.diagnostics).toEqual(fromFile.diagnostics);
  }, 20_000);

  test('two live runs against the same emulator: identical fingerprints and identical reports', async () => {
    const again = tmp('live-again');
    const r = await liveAudit(url, again);
    expect(r.code).toBe(1);
    expectNoStack(r.stderr);
    const second = report(again);
    expect(second.findings.map((f) => f.fingerprint)).toEqual(live.findings.map((f) => f.fingerprint));
    expect(new Set(second.findings.map((f) => f.fingerprint)).size).toBe(second.findings.length);
    for (const name of ['portolan.json', 'portolan.sarif', 'portolan.md']) {
      expect(readFileSync(join(again, name), 'utf8')).toBe(readFileSync(join(liveDir, name), 'utf8'));
    }
  }, 20_000);
});

describe('portolan demo', () => {
  test('audits the bundled fleet live and writes every report', async () => {
    const out = tmp('demo');
    const r = await cli(['demo', '--out', out, ...NOW]);
    expect(r.stderr).not.toMatch(NO_STACK);
    expect(r.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['portolan.json', 'portolan.md', 'portolan.sarif', 'portolan.txt']);
    expect(r.stdout).toMatch(/^Findings: /m);
    for (const name of ['portolan.json', 'portolan.sarif', 'portolan.md', 'portolan.txt']) expect(r.stdout).toContain(join(out, name));
    expect(allSarifErrors(readJson(join(out, 'portolan.sarif')))).toEqual([]);

    const json = report(out);
    const served = demoFleet();
    expect(json.coverage.complete).toBe(false);
    expect(json.coverage.instances).toBe(served.instances.length);
    expect(json.coverage.regions).toContainEqual(expect.objectContaining({ name: 'ap-northeast-1', status: 'error' }));
    expect(json.coverage.unread).toContainEqual(expect.objectContaining({ name: 'scratch-tmp', status: 'gone' }));

    const of = (name: string): JsonFinding[] => json.findings.filter((f) => f.instance.name === name);
    // example-team excepts bastion-* (tag role=bastion) on port 22 until 2028-01-31 from every
    // rule that flags its SSH: nothing of the bastion stays open.
    const bastion = of('bastion-1');
    const suppressed = bastion.filter((f) => f.suppressed);
    expect(suppressed.map((f) => f.ruleId).sort()).toEqual(['admin-ports-wide-range', 'high-risk-ports-public', 'ssh-outside-office', 'ssh-rdp-world']);
    for (const f of suppressed) {
      expect(f.portState).toMatchObject({ protocol: 'tcp', fromPort: 22, toPort: 22 });
      expect(f.suppression).toEqual({ reason: expect.stringContaining('SEC-123'), expires: '2028-01-31' });
    }
    expect(bastion.filter((f) => !f.suppressed)).toEqual([]);
    expect(json.summary.suppressed).toBe(4);
    expect(json.findings.filter((f) => f.suppressed).every((f) => f.instance.name === 'bastion-1')).toBe(true);
    // orders-db: PostgreSQL to the world, not excepted (the database exception names reporting-db only).
    const orders = of('orders-db').filter((f) => f.portState.fromPort === 5432);
    expect(orders.map((f) => f.ruleId).sort()).toEqual(['database-ports-public', 'high-risk-ports-public']);
    expect(orders.every((f) => !f.suppressed)).toBe(true);
    // IPv6-only: SSH to ::/0 is SSH to the world.
    expect(of('ipv6-only-1')).toContainEqual(expect.objectContaining({ ruleId: 'ssh-rdp-world', suppressed: false, portState: expect.objectContaining({ fromPort: 22, ipv6Cidrs: ['::/0'] }) }));
    // 0.0.0.0/1 + 128.0.0.0/1 is the world.
    expect(of('split-world-1')).toContainEqual(expect.objectContaining({ ruleId: 'ssh-rdp-world', suppressed: false }));
    // SSH reachable only through the Lightsail console alias is not open to the world.
    const connect = of('connect-ssh-1');
    expect(connect.filter((f) => f.portState.fromPort === 22)).toEqual([]);
    expect(connect.filter((f) => f.ruleId === 'ssh-rdp-world')).toEqual([]);
  }, 20_000);
});

describe('failures and output streams', () => {
  test('GetRegions denied in the home region: exit 2, one line on stderr, no stack trace, nothing written', async () => {
    const emulator = await emulate({ inventory: liveFleet() });
    const out = tmp('denied-home');
    const r = await cli(['audit', '--endpoint-url', emulator.url, '--home-region', DENIED_REGION, '--out', out, ...NOW]);
    expect(r.code).toBe(2);
    expect(r.stderr.endsWith('\n')).toBe(true);
    expect(r.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(new RegExp(`^cannot list Lightsail regions \\(GetRegions in ${DENIED_REGION}\\): AccessDeniedException: .*nothing was collected$`))]);
    expect(r.stderr).not.toMatch(NO_STACK);
    expect(r.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
    expect(emulator.calls.map((c) => c.operation)).toEqual(['GetRegions']);
  }, 20_000);

  test('--quiet keeps stderr empty; without it a long collection logs "collect: N/M regions" lines when stderr is not a terminal', async () => {
    const [quiet, loud] = await slowRuns;
    expect(quiet.code).toBe(3);
    expect(quiet.stderr).toBe('');
    expect(loud.code).toBe(3);
    const lines = loud.stderr.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) expect(line).toMatch(/^collect: \d+\/\d+ regions, \d+\/\d+\+? instances(, \d+ failed)?$/);
    expect(lines[lines.length - 1]).toBe('collect: 3/3 regions, 5/5 instances');
    expect(loud.stderr).not.toContain('\r');
  }, 20_000);
});

/** lowOnlyFleet plus a slow region with two instances. */
function lowOnlyFleetWithSlowRegion(): Inventory {
  const fleet = lowOnlyFleet();
  const [a, b] = fleet.instances;
  if (!a || !b) throw new Error('fleet too small');
  fleet.regions.push({ name: 'eu-west-1', status: 'ok' });
  fleet.instances.push({ ...a, name: 'slow-1', region: 'eu-west-1', arn: `${a.arn}-slow` }, { ...b, name: 'slow-2', region: 'eu-west-1', arn: `${b.arn}-slow` });
  return fleet;
}
