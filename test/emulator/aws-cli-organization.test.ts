// Organization mode read by a second, independent client: Debian's AWS CLI v2
// (botocore) lists the accounts, assumes the audit role, and reads the member
// account's Lightsail with the assumed credentials exported. Skipped, visibly,
// without /usr/bin/aws.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { DEMO_ACCOUNTS, DEMO_EXTERNAL_ID, DEMO_ROLE_NAME, demoOrganization } from '../../src/emulator/demo-org.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import { awsCliEnv } from './helpers.js';

const AWS = '/usr/bin/aws';
const run = promisify(execFile);
const describeWithCli = existsSync(AWS) ? describe : describe.skip;

type Outcome = { ok: true; json: Record<string, unknown> } | { ok: false; stderr: string; code: number };

describeWithCli('AWS CLI v2 against the emulator in organization mode', () => {
  let emulator: RunningEmulator;
  let accounts: Outcome, assumed: Outcome, denied: Outcome, instances: Outcome;

  // Async child: the emulator runs in this process, a sync child would deadlock it.
  async function aws(args: string[], credentials: Record<string, string> = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' }): Promise<Outcome> {
    try {
      const { stdout } = await run(AWS, [...args, '--endpoint-url', emulator.url, '--output', 'json'], {
        env: awsCliEnv({ AWS_DEFAULT_REGION: 'us-east-1', ...credentials }),
        timeout: 20_000,
      });
      return { ok: true, json: JSON.parse(stdout) as Record<string, unknown> };
    } catch (error) {
      const e = error as { stderr?: string; code?: number };
      return { ok: false, stderr: e.stderr ?? String(error), code: e.code ?? -1 };
    }
  }

  const roleArn = (id: string): string => `arn:aws:iam::${id}:role/${DEMO_ROLE_NAME}`;

  // Each CLI start costs about a second of Python: the independent calls run side by side.
  beforeAll(async () => {
    emulator = await startEmulator({ organization: demoOrganization() });
    [accounts, assumed, denied] = await Promise.all([
      aws(['organizations', 'list-accounts', '--page-size', '4']),
      aws(['sts', 'assume-role', '--role-arn', roleArn(DEMO_ACCOUNTS.staging), '--role-session-name', `portolan-${DEMO_ACCOUNTS.staging}`, '--external-id', DEMO_EXTERNAL_ID]),
      aws(['sts', 'assume-role', '--role-arn', roleArn(DEMO_ACCOUNTS.sandbox), '--role-session-name', 'portolan-sandbox', '--external-id', DEMO_EXTERNAL_ID]),
    ]);
    const c = assumed.ok ? (assumed.json['Credentials'] as Record<string, string>) : {};
    instances = await aws(['lightsail', 'get-instances', '--region', 'us-west-2'], {
      AWS_ACCESS_KEY_ID: c['AccessKeyId'] ?? '',
      AWS_SECRET_ACCESS_KEY: c['SecretAccessKey'] ?? '',
      AWS_SESSION_TOKEN: c['SessionToken'] ?? '',
    });
  }, 30_000);
  afterAll(async () => {
    await emulator.close();
  });

  test('organizations list-accounts pages through every account (page size 4)', () => {
    expect(accounts.ok).toBe(true);
    if (!accounts.ok) return;
    const listed = accounts.json['Accounts'] as { Id: string; Status: string; JoinedTimestamp: string }[];
    expect(listed.map((a) => a.Id)).toEqual(Object.values(DEMO_ACCOUNTS));
    expect(listed.find((a) => a.Id === DEMO_ACCOUNTS.legacy)?.Status).toBe('SUSPENDED');
    // botocore read the epoch seconds as a time.
    expect(Number.isNaN(Date.parse(listed[0]?.JoinedTimestamp ?? ''))).toBe(false);
    expect(emulator.calls.filter((c) => c.operation === 'ListAccounts').map((c) => c.outcome)).toEqual(['ok', 'ok']);
  });

  test('sts assume-role reads the XML answer: credentials, expiry, assumed-role ARN', () => {
    expect(assumed.ok).toBe(true);
    if (!assumed.ok) return;
    expect(assumed.json['AssumedRoleUser']).toMatchObject({ Arn: `arn:aws:sts::${DEMO_ACCOUNTS.staging}:assumed-role/${DEMO_ROLE_NAME}/portolan-${DEMO_ACCOUNTS.staging}` });
    const credentials = assumed.json['Credentials'] as Record<string, string>;
    expect(credentials['AccessKeyId']).toMatch(/^ASIA/);
    expect(Date.parse(credentials['Expiration'] ?? '') - Date.now()).toBeGreaterThan(3_500_000);
  });

  test('a role the account lacks is AccessDenied, read from the XML error envelope', () => {
    expect(denied.ok).toBe(false);
    if (denied.ok) return;
    expect(denied.stderr).toMatch(/An error occurred \(AccessDenied\) when calling the AssumeRole operation: User: arn:aws:iam::111111111111:user\/auditor is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::555555555555:role\/PortolanAudit/);
    expect(denied.code).toBe(254);
  });

  test('lightsail get-instances with the assumed credentials exported reads that account', () => {
    expect(instances.ok).toBe(true);
    if (!instances.ok) return;
    const names = (instances.json['instances'] as { name: string; arn: string }[]).map((i) => [i.name, i.arn.split(':')[4]]);
    expect(names).toEqual(['ipv6-only-1', 'win-jump-1', 'monitor-2', 'drifted-1'].map((n) => [n, DEMO_ACCOUNTS.staging]));
    expect(emulator.calls.filter((c) => c.service === 'lightsail').map((c) => [c.accountId, c.outcome])).toEqual([[DEMO_ACCOUNTS.staging, 'ok']]);
  });
});
