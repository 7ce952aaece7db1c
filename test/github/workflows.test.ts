// The workflows are checked offline: against GitHub's workflow schema (the
// action-validator WASM build) and for the steps and permissions they promise.

import { describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const require = createRequire(import.meta.url);
// A CommonJS WASM wrapper: required, not imported.
const validator = require('@action-validator/core') as typeof import('@action-validator/core');

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const read = (name: string): string => readFileSync(join(root, '.github/workflows', name), 'utf8');

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  id?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<string, { steps: Step[]; strategy?: { matrix?: Record<string, unknown> }; permissions?: unknown }>;
}

function load(name: string): { text: string; wf: Workflow; steps: Step[] } {
  const text = read(name);
  const wf = parse(text) as Workflow;
  const jobs = Object.values(wf.jobs);
  expect(jobs).toHaveLength(1);
  return { text, wf, steps: jobs[0]!.steps };
}

function stepUsing(steps: Step[], action: string): Step {
  const step = steps.find((s) => s.uses?.startsWith(`${action}@`));
  if (!step) throw new Error(`no step uses ${action}`);
  return step;
}

describe('workflow schema validation', () => {
  test.each(['ci.yml', 'audit.yml'])('%s is a valid GitHub workflow', (name) => {
    expect(validator.validateWorkflow(read(name)).errors).toEqual([]);
  });

  test('the validator rejects a broken workflow (it can fail)', () => {
    const broken = read('audit.yml').replace('id-token: write', 'id-token: sometimes');
    expect(validator.validateWorkflow(broken).errors.length).toBeGreaterThan(0);
  });
});

describe('ci.yml', () => {
  test('push and pull_request, Node 20 and 22, npm ci, typecheck, test, Debian awscli', () => {
    const { wf, steps } = load('ci.yml');
    expect(Object.keys(wf.on).sort()).toEqual(['pull_request', 'push']);
    expect(Object.values(wf.jobs)[0]!.strategy?.matrix?.['node']).toEqual([20, 22]);
    const runs = steps.map((s) => s.run ?? '');
    const order = ['npm ci', 'npm run typecheck', 'npm test'].map((cmd) => runs.findIndex((r) => r.trim() === cmd));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(runs.some((r) => r.includes('apt-get install -y awscli'))).toBe(true);
    expect(wf.permissions).toEqual({ contents: 'read' });
  });
});

describe('audit.yml', () => {
  test('runs daily and on demand, with exactly the three least-privilege permissions', () => {
    const { wf } = load('audit.yml');
    expect(Object.keys(wf.on).sort()).toEqual(['schedule', 'workflow_dispatch']);
    expect((wf.on['schedule'] as Array<{ cron: string }>)[0]!.cron).toMatch(/^\d+ \d+ \* \* \*$/);
    expect(wf.permissions).toEqual({ 'id-token': 'write', 'security-events': 'write', 'contents': 'read' });
    expect(Object.values(wf.jobs)[0]!.permissions).toBeUndefined();
  });

  test('AWS through an OIDC role from a repository variable, no stored keys', () => {
    const { text, steps } = load('audit.yml');
    const aws = stepUsing(steps, 'aws-actions/configure-aws-credentials');
    expect(aws.uses).toBe('aws-actions/configure-aws-credentials@v4');
    expect(aws.with?.['role-to-assume']).toBe('${{ vars.PORTOLAN_ROLE_ARN }}');
    expect(aws.with?.['aws-region']).toBeTruthy();
    expect(text).not.toMatch(/aws-access-key-id|aws-secret-access-key|secrets\./);
  });

  test('the audit keeps its exit code, the uploads always run, the job fails last with that code', () => {
    const { steps } = load('audit.yml');
    const names = steps.map((s) => s.uses?.split('@')[0] ?? s.name ?? s.run ?? '');
    const audit = steps.find((s) => s.run?.includes('npx portolan audit'))!;
    expect(audit.run).toContain('--policy baseline ');
    expect(audit.run).toContain('--format json,sarif,markdown');
    expect(audit.run).toContain('--out reports');
    expect(audit.run).toContain('--category');
    expect(audit.run).toContain('set +e');
    expect(audit.run).toMatch(/exit-code=\$code" >> "\$GITHUB_OUTPUT"/);

    const sarif = stepUsing(steps, 'github/codeql-action/upload-sarif');
    expect(sarif.uses).toBe('github/codeql-action/upload-sarif@v3');
    expect(sarif.with?.['sarif_file']).toBe('reports/portolan.sarif');
    expect(sarif.with?.['category']).toBeTruthy();
    expect(sarif.with?.['wait-for-processing']).toBe(true);
    expect(sarif.if).toMatch(/^always\(\)/);

    const summary = steps.find((s) => s.run?.includes('$GITHUB_STEP_SUMMARY'))!;
    expect(summary.run).toContain('reports/portolan.md');
    expect(summary.if).toMatch(/^always\(\)/);

    const artifact = stepUsing(steps, 'actions/upload-artifact');
    expect(artifact.uses).toBe('actions/upload-artifact@v4');
    expect(artifact.if).toBe('always()');

    const last = steps.at(-1)!;
    expect(last.if).toBe('always()');
    expect(last.env?.['AUDIT_EXIT_CODE']).toBe(`\${{ steps.${audit.id}.outputs.exit-code }}`);
    expect(last.run).toContain('exit "$code"');

    // Order: credentials, install, audit, then every upload, then the verdict.
    const at = (needle: string): number => names.findIndex((n) => n.includes(needle));
    expect(at('configure-aws-credentials')).toBeLessThan(names.indexOf('npm ci'));
    expect(names.indexOf('npm ci')).toBeLessThan(steps.indexOf(audit));
    expect(steps.indexOf(audit)).toBeLessThan(at('upload-sarif'));
    expect(at('upload-artifact')).toBeLessThan(steps.length - 1);
    expect(steps.find((s) => s.uses?.startsWith('actions/setup-node@'))?.with?.['node-version']).toBe(22);
  });

  test.each([
    ['complete', [{ invocations: [{ executionSuccessful: true }] }], 'complete=true\n', ''],
    ['incomplete', [{ invocations: [{ executionSuccessful: false }] }], '', '::warning::The SARIF report is not uploaded: coverage is incomplete'],
    ['without invocations', [{}], '', '::warning::The SARIF report is not uploaded'],
    ['missing', undefined, '', 'No SARIF report: nothing to upload'],
  ])('SARIF %s: the upload runs only for a complete audit (an incomplete one would close unread alerts)', (_label, runs, output, stdout) => {
    const { steps } = load('audit.yml');
    const check = steps.find((s) => s.id === 'sarif')!;
    expect(stepUsing(steps, 'github/codeql-action/upload-sarif').if).toBe("always() && steps.sarif.outputs.complete == 'true'");
    const work = mkdtempSync(join(tmpdir(), 'portolan-wf-'));
    try {
      mkdirSync(join(work, 'reports'));
      if (runs !== undefined) writeFileSync(join(work, 'reports/portolan.sarif'), JSON.stringify({ version: '2.1.0', runs }));
      writeFileSync(join(work, 'output'), '');
      const result = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', check.run!], { cwd: work, encoding: 'utf8', env: { PATH: process.env['PATH'], GITHUB_OUTPUT: join(work, 'output') } });
      expect(result.status).toBe(0);
      expect(readFileSync(join(work, 'output'), 'utf8')).toBe(output);
      expect(result.stdout).toContain(stdout);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
