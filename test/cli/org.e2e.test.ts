// `audit --org`, `collect --org`, `accounts` and `iam-policy --org` through the
// built CLI, the real SDK and the emulator's organization mode: every account
// named in every report, one SARIF file per account, exit 3 for an account that
// could not be read, and a saved organization inventory audited offline giving
// what the live run gave.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_ACCOUNTS, DEMO_EXTERNAL_ID, demoOrganization } from '../../src/emulator/demo-org.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import { allSarifErrors } from '../report/sarif-validate.js';
import { expectNoStack, readJson, readReport, runCli } from './run-cli.js';

let emulator: RunningEmulator;
let dir: string;
beforeAll(async () => {
  emulator = await startEmulator({ organization: demoOrganization() });
  dir = mkdtempSync(join(tmpdir(), 'portolan-org-'));
});
afterAll(async () => {
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

const NOW = ['--now', '2026-12-01T00:00:00Z'];
const org = (): string[] => ['--org', '--endpoint-url', emulator.url, '--home-region', 'us-east-1', '--external-id', DEMO_EXTERNAL_ID, '--max-attempts', '3'];

interface SarifLog {
  runs: Array<{ automationDetails: { id: string }; invocations: Array<{ executionSuccessful: boolean; toolExecutionNotifications: Array<{ descriptor: { id: string }; message: { text: string } }> }>; results: unknown[] }>;
}

describe('audit --org', () => {
  let out: string;
  let live: Awaited<ReturnType<typeof runCli>>;
  beforeAll(async () => {
    out = join(dir, 'live');
    live = await runCli(['audit', ...org(), '--out', out, '--format', 'json,sarif,markdown,text', '--fail-on', 'none', '--category', 'lightsail', ...NOW]);
  });

  test('exits 3: an account could not be read, and that is never clean', () => {
    expect(live.code).toBe(3);
    expectNoStack(live.stderr);
  });

  test('JSON: coverage.accounts by id, the unassumable account with its AWS code, the suspended one skipped; findings name their account', () => {
    const report = readReport(join(out, 'portolan.json'));
    expect(report.coverage.accounts?.map((a) => [a.id, a.status, a.error?.code ?? ''])).toEqual([
      [DEMO_ACCOUNTS.management, 'ok', ''],
      [DEMO_ACCOUNTS.shop, 'ok', ''],
      [DEMO_ACCOUNTS.data, 'ok', ''],
      [DEMO_ACCOUNTS.staging, 'ok', ''],
      [DEMO_ACCOUNTS.sandbox, 'error', 'AccessDenied'],
      [DEMO_ACCOUNTS.legacy, 'skipped', ''],
    ]);
    expect(report.coverage.complete).toBe(false);
    expect(report.findings.length).toBeGreaterThan(10);
    for (const f of report.findings) {
      expect(f.instance.accountId).toMatch(/^\d{12}$/);
      expect(f.instance.accountName).toBeDefined();
    }
  });

  test('SARIF: one valid file per audited account, each its own category; the unread account says so', () => {
    const sarifs = readdirSync(out).filter((f) => f.endsWith('.sarif')).sort();
    expect(sarifs).toEqual([DEMO_ACCOUNTS.management, DEMO_ACCOUNTS.shop, DEMO_ACCOUNTS.data, DEMO_ACCOUNTS.staging, DEMO_ACCOUNTS.sandbox].map((id) => `portolan-${id}.sarif`));
    for (const file of sarifs) {
      const log = readJson<SarifLog>(join(out, file));
      expect(allSarifErrors(log)).toEqual([]);
      const id = /portolan-(\d+)\.sarif/.exec(file)?.[1];
      expect(log.runs[0]?.automationDetails.id).toBe(`lightsail/${id}/`);
    }
    const sandbox = readJson<SarifLog>(join(out, `portolan-${DEMO_ACCOUNTS.sandbox}.sarif`)).runs[0]!;
    expect(sandbox.invocations[0]?.executionSuccessful).toBe(false);
    expect(sandbox.invocations[0]?.toolExecutionNotifications.find((n) => n.descriptor.id === 'account-not-read')?.message.text).toMatch(/^Account 555555555555 \(sandbox\) could not be read \(AccessDenied: /);
    const shop = readJson<SarifLog>(join(out, `portolan-${DEMO_ACCOUNTS.shop}.sarif`)).runs[0]!;
    expect(shop.invocations[0]?.executionSuccessful).toBe(true);
    expect(shop.results.length).toBeGreaterThan(0);
  });

  test('Markdown and text: a per-account table before the findings, the unread account named with its code', () => {
    const md = readFileSync(join(out, 'portolan.md'), 'utf8');
    expect(md.indexOf('## Accounts')).toBeLessThan(md.indexOf('## Findings'));
    expect(md).toContain('| sandbox (555555555555) | /sandbox | 0 | 0 | 0 | 0 | 0 | 0 | **not read** (AccessDenied) |');
    expect(md).toContain('| legacy (666666666666) | / | 0 | 0 | 0 | 0 | 0 | 0 | skipped (not active) |');
    const text = readFileSync(join(out, 'portolan.txt'), 'utf8');
    expect(text).toContain('  555555555555  sandbox /sandbox: 0 instances, 0/0/0/0/0, NOT READ (AccessDenied)');
    expect(live.stdout).toContain('Account 555555555555 (sandbox) not read (AccessDenied: ');
  });

  test('a saved organization inventory audited offline gives the same findings and coverage', async () => {
    const inv = join(dir, 'org-inventory.json');
    const collected = await runCli(['collect', ...org(), '--out', inv, '--quiet']);
    expect(collected.code).toBe(3);
    const offlineOut = join(dir, 'offline');
    const offline = await runCli(['audit', '--input', inv, '--out', offlineOut, '--format', 'json', '--fail-on', 'none', ...NOW]);
    expect(offline.code).toBe(3);
    const a = readReport(join(out, 'portolan.json'));
    const b = readReport(join(offlineOut, 'portolan.json'));
    expect(b.findings.map((f) => f.fingerprint)).toEqual(a.findings.map((f) => f.fingerprint));
    expect(b.coverage).toEqual(a.coverage);
  });
});

describe('accounts and iam-policy --org', () => {
  test('accounts: every account with its state and OU path; --matrix: balanced shards of the active ones, for fromJSON', async () => {
    const base = ['--endpoint-url', emulator.url, '--home-region', 'us-east-1'];
    const list = await runCli(['accounts', ...base]);
    expect(list.code).toBe(0);
    const accounts = (JSON.parse(list.stdout) as { accounts: Array<{ id: string; status: string; ouPath?: string }> }).accounts;
    expect(accounts.map((a) => `${a.id} ${a.status} ${a.ouPath ?? ''}`)).toContain(`${DEMO_ACCOUNTS.legacy} SUSPENDED /`);
    const matrix = await runCli(['accounts', ...base, '--matrix', '2']);
    expect(JSON.parse(matrix.stdout)).toEqual({
      include: [
        { shard: '1-of-2', accounts: [DEMO_ACCOUNTS.management, DEMO_ACCOUNTS.shop, DEMO_ACCOUNTS.data].join(',') },
        { shard: '2-of-2', accounts: [DEMO_ACCOUNTS.staging, DEMO_ACCOUNTS.sandbox].join(',') },
      ],
    });
  });

  test('discovery denied is exit 2 with one line naming the caller, nothing written', async () => {
    const spec = demoOrganization();
    spec.organization.deniedOperations = ['ListAccounts'];
    const denied = await startEmulator({ organization: spec });
    try {
      const out = join(dir, 'denied');
      const r = await runCli(['audit', '--org', '--endpoint-url', denied.url, '--home-region', 'us-east-1', '--out', out]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^cannot list the organization's accounts: AccessDeniedException: .*the caller is arn:aws:iam::111111111111:user\/auditor/);
      expect(readdirSync(dir)).not.toContain('denied');
    } finally {
      await denied.close();
    }
  });

  test('iam-policy --org: the caller lists the organization and assumes the member role; the member role reads Lightsail', async () => {
    const r = await runCli(['iam-policy', '--org', '--role-name', 'AuditRole']);
    const doc = JSON.parse(r.stdout) as { caller: { Statement: Array<{ Action: string[]; Resource: string }> }; memberRole: { Statement: Array<{ Action: string[] }> } };
    expect(doc.caller.Statement.flatMap((s) => s.Action)).toEqual([
      'organizations:ListAccounts',
      'organizations:ListRoots',
      'organizations:ListOrganizationalUnitsForParent',
      'organizations:ListAccountsForParent',
      'sts:AssumeRole',
    ]);
    expect(doc.caller.Statement[1]?.Resource).toBe('arn:aws:iam::*:role/AuditRole');
    expect(doc.memberRole.Statement[0]?.Action).toEqual(['lightsail:GetRegions', 'lightsail:GetInstances', 'lightsail:GetInstancePortStates']);
  });

  test('org flags without --org are usage errors', async () => {
    const r = await runCli(['collect', '--accounts', '111111111111', '--out', join(dir, 'x.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('--accounts needs --org\n');
  });
});
