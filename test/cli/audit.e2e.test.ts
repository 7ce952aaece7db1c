// The CLI end to end, offline (`--input`): exit statuses of spec section 5,
// errors without stack traces, atomic reports.
import { beforeAll, describe, expect, test } from '@jest/globals';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectNoStack, readJson, readReport, runCli } from './run-cli.js';

const SAMPLE = 'test/fixtures/sample-inventory.json';
const SAMPLE_POLICY = 'test/fixtures/sample-policy.yaml';
const NOW = ['--now', '2026-11-25T12:00:00Z'];

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'portolan-e2e-'));
});

function tmp(name: string): string {
  return join(dir, name);
}

function completeInventory(portStates: unknown[]): string {
  const file = tmp(`inv-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      version: 1,
      collectedAt: '2026-11-25T12:00:00Z',
      regions: [{ name: 'us-east-1', status: 'ok' }],
      instances: [{ name: 'a', region: 'us-east-1', arn: 'arn:aws:lightsail:us-east-1:111122223333:Instance/a', tags: [], portStates }],
    }),
  );
  return file;
}

const world22 = { fromPort: 22, toPort: 22, protocol: 'tcp', state: 'open', cidrs: ['0.0.0.0/0'], ipv6Cidrs: [], cidrListAliases: [] };
const icmpWorld = { fromPort: -1, toPort: -1, protocol: 'icmp', state: 'open', cidrs: ['0.0.0.0/0'], ipv6Cidrs: [], cidrListAliases: [] };
const web = { fromPort: 443, toPort: 443, protocol: 'tcp', state: 'open', cidrs: ['0.0.0.0/0'], ipv6Cidrs: ['::/0'], cidrListAliases: [] };

describe('portolan audit --input: exit status (spec 5)', () => {
  test('1 with a critical finding; the JSON report is written', async () => {
    const out = tmp('r1');
    const r = await runCli(['audit', '--input', completeInventory([world22]), '--out', out, ...NOW]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expectNoStack(r.stderr);
    const report = readReport(join(out, 'portolan.json'));
    expect(report.findings.map((f) => f.ruleId)).toContain('ssh-rdp-world');
    expect(report.coverage.complete).toBe(true);
    expect(r.stdout).toContain('ssh-rdp-world');
  });

  test('0 when only findings below --fail-on exist; 1 when --fail-on is lowered to them', async () => {
    const inv = completeInventory([icmpWorld, web]);
    const high = await runCli(['audit', '--input', inv, '--out', tmp('r2'), ...NOW]);
    expect(high.code).toBe(0);
    const report = readReport(join(tmp('r2'), 'portolan.json'));
    expect(report.summary.bySeverity.low).toBeGreaterThan(0);
    const low = await runCli(['audit', '--input', inv, '--out', tmp('r2'), '--fail-on', 'low', ...NOW]);
    expect(low.code).toBe(1);
    expectNoStack(low.stderr);
  });

  test('--fail-on none never fails on findings', async () => {
    const r = await runCli(['audit', '--input', completeInventory([world22]), '--out', tmp('r3'), '--fail-on', 'none', ...NOW]);
    expect(r.code).toBe(0);
  });

  test('3 when coverage is incomplete and nothing fails; 1 wins over 3', async () => {
    const none = await runCli(['audit', '--input', SAMPLE, '--policy', SAMPLE_POLICY, '--out', tmp('r4'), '--fail-on', 'none', ...NOW]);
    expect(none.code).toBe(3);
    const report = readReport(join(tmp('r4'), 'portolan.json'));
    expect(report.coverage).toMatchObject({ complete: false, instances: 11, scanned: 9, failed: 1, gone: 1 });
    expect(none.stdout).toContain('ap-northeast-1');
    expect(none.stdout).toContain('broken');
    const high = await runCli(['audit', '--input', SAMPLE, '--policy', SAMPLE_POLICY, '--out', tmp('r4'), ...NOW]);
    expect(high.code).toBe(1);
    expectNoStack(high.stderr);
  });
});

describe('bad input: exit 2, one line per problem, no stack trace, nothing written', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['a missing inventory', ['--input', 'no/such/inventory.json'], /^no\/such\/inventory\.json: /],
    ['an inventory that is not JSON', ['--input', 'README.md'], /^README\.md: .*JSON/],
    ['an unknown format', ['--input', SAMPLE, '--format', 'json,pdf'], /^--format: unknown format "pdf"/],
    ['a bad --fail-on', ['--input', SAMPLE, '--fail-on', 'urgent'], /^--fail-on: "urgent"/],
    ['a bad --now', ['--input', SAMPLE, '--now', '2026-02-30'], /^--now: /],
    ['--fail-on-new without --baseline', ['--input', SAMPLE, '--fail-on-new'], /^--fail-on-new needs --baseline/],
    ['an invalid policy', ['--input', SAMPLE, '--policy', 'test/policy/invalid/bad-severity.yaml'], /^test\/policy\/invalid\/bad-severity\.yaml:\d+:\d+: /],
    ['a missing policy', ['--input', SAMPLE, '--policy', 'nope.yaml'], /nope\.yaml/],
    ['an unknown option', ['--input', SAMPLE, '--frmat', 'json'], /unknown option/],
  ];
  test.each(cases)('%s', async (_name, args, firstLine) => {
    const out = tmp(`bad-${Math.random().toString(36).slice(2)}`);
    const r = await runCli(['audit', ...args, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(firstLine);
    expect(r.stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/); // no stack frames
    expect(existsSync(out)).toBe(false);
  });

  test('a failed run leaves the previous reports intact', async () => {
    const out = tmp('keep');
    const ok = await runCli(['audit', '--input', SAMPLE, '--out', out, '--format', 'json,markdown', '--fail-on', 'none', ...NOW]);
    expect(ok.code).toBe(3);
    const before = readFileSync(join(out, 'portolan.json'), 'utf8');
    const bad = await runCli(['audit', '--input', SAMPLE, '--out', out, '--policy', 'test/policy/invalid/bad-severity.yaml']);
    expect(bad.code).toBe(2);
    expect(readFileSync(join(out, 'portolan.json'), 'utf8')).toBe(before);
    expect(readdirSync(out).sort()).toEqual(['portolan.json', 'portolan.md']);
  });
});

describe('portolan validate', () => {
  test('accepts every bundled pack', async () => {
    const packs = readdirSync('rules').filter((f) => f.endsWith('.yaml')).map((f) => `rules/${f}`);
    expect(packs.length).toBeGreaterThanOrEqual(3);
    const r = await runCli(['validate', ...packs]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(packs.length);
  });

  test('reports every problem of an invalid policy with file:line:col and exits 2', async () => {
    const file = tmp('many.yaml');
    writeFileSync(file, 'version: 2\nrules:\n  - id: "bad id"\n    title: x\n    severity: urgent\n');
    const r = await runCli(['validate', '--policy', file]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines.pop()).toBe('(the policy language is described in docs/policy.md)');
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const line of lines) expect(line.startsWith(`${file}:`)).toBe(true);
    expect(lines[0]).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:1:10: `));
  });
});

describe('help and version', () => {
  test('--help lists the commands and exits 0', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['audit', 'validate', 'collect', 'emulator', 'iam-policy', 'demo']) expect(r.stdout).toContain(c);
  });
  test('--version prints the package version', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(readJson<{ version: string }>('package.json').version);
  });
});

describe('--baseline and --fail-on-new', () => {
  const rdp = { ...world22, fromPort: 3389, toPort: 3389 };
  const db = { fromPort: 5432, toPort: 5432, protocol: 'tcp', state: 'open', cidrs: ['0.0.0.0/0'], ipv6Cidrs: [], cidrListAliases: [] };

  test('marks findings new or unchanged, lists fixed ones, and fails only on new ones', async () => {
    const before = tmp('baseline-before');
    const first = await runCli(['audit', '--input', completeInventory([world22, rdp]), '--out', before, ...NOW]);
    expect(first.code).toBe(1);
    expectNoStack(first.stderr);

    // 22 stays open, 3389 was closed, 5432 is new.
    const after = tmp('baseline-after');
    const inv = completeInventory([world22, db]);
    const second = await runCli(['audit', '--input', inv, '--out', after, '--format', 'json,sarif', '--baseline', join(before, 'portolan.json'), ...NOW]);
    expect(second.code).toBe(1);
    expectNoStack(second.stderr);
    const report = readReport(join(after, 'portolan.json'));
    const state = (port: number) => report.findings.filter((f) => f.portState.fromPort === port).map((f) => f.baselineState);
    expect(new Set(state(22))).toEqual(new Set(['unchanged']));
    expect(new Set(state(5432))).toEqual(new Set(['new']));
    expect(report.fixed?.map((f) => f.portState.fromPort)).toContain(3389);
    const sarif = readJson<{ runs: Array<{ results: Array<{ baselineState: string }> }> }>(join(after, 'portolan.sarif'));
    const states = new Set(sarif.runs[0]!.results.map((r) => r.baselineState));
    expect(states).toEqual(new Set(['new', 'unchanged']));

    // Only the unchanged high/critical findings remain: --fail-on-new passes, plain --fail-on fails.
    const onlyOld = completeInventory([world22]);
    const quiet = await runCli(['audit', '--input', onlyOld, '--out', tmp('baseline-old'), '--baseline', join(before, 'portolan.json'), '--fail-on-new', ...NOW]);
    expect(quiet.code).toBe(0);
    const loud = await runCli(['audit', '--input', onlyOld, '--out', tmp('baseline-old2'), '--baseline', join(before, 'portolan.json'), ...NOW]);
    expect(loud.code).toBe(1);
    expectNoStack(loud.stderr);
    const withNew = await runCli(['audit', '--input', inv, '--out', tmp('baseline-new'), '--baseline', join(before, 'portolan.json'), '--fail-on-new', ...NOW]);
    expect(withNew.code).toBe(1);
    expectNoStack(withNew.stderr);
  });

  test('a baseline that is not a Portolan report is a usage error', async () => {
    const r = await runCli(['audit', '--input', SAMPLE, '--out', tmp('bad-baseline'), '--baseline', 'test/fixtures/sample-inventory.json', ...NOW]);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('test/fixtures/sample-inventory.json: baseline: not a Portolan JSON report ("findings" must be an array)');
    expect(existsSync(tmp('bad-baseline'))).toBe(false);
  });
});
