// .github/workflows/audit-org.yml, the sharded organization audit, checked
// offline: against GitHub's workflow schema, for its structure (jobs, needs,
// matrix, permissions, artifacts, SARIF uploads), and by running its own
// steps as the runner would, job after job, against the demo organization on
// the local emulator: discover's two commands, each shard's collect, and the
// merge's audit, summary, SARIF grouping and verdict. The merged result must
// be what an unsharded `audit --org` of the same organization gives; a shard
// that failed outright must show as its accounts not read (ShardMissing),
// and a shard counted twice must stop the merge.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFile } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parse } from 'yaml';
import { DEMO_ACCOUNTS, DEMO_EXTERNAL_ID, demoOrganization } from '../../src/emulator/demo-org.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import { CALLER_TEMPLATE, readTemplate } from '../deploy/cfn.js';
import { CLI, isolatedEnv, readJson, readReport, REPO, runCli, type JsonReport } from '../cli/run-cli.js';
import { allSarifErrors } from '../report/sarif-validate.js';
import { parseOutputFile } from './run-action.js';

const require = createRequire(import.meta.url);
// A CommonJS WASM wrapper: required, not imported.
const validator = require('@action-validator/core') as typeof import('@action-validator/core');

const WORKFLOW_FILE = join(REPO, '.github/workflows/audit-org.yml');
const workflowText = readFileSync(WORKFLOW_FILE, 'utf8');

type Scalar = string | number | boolean;
interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, Scalar>;
  with?: Record<string, Scalar>;
}
interface Job {
  'needs'?: string | string[];
  'if'?: string;
  'runs-on': string;
  'timeout-minutes'?: number;
  'permissions'?: Record<string, string>;
  'outputs'?: Record<string, string>;
  'env'?: Record<string, Scalar>;
  'strategy'?: { 'fail-fast'?: boolean; 'max-parallel'?: number; 'matrix'?: unknown };
  'steps': Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  defaults?: { run?: { shell?: string } };
  jobs: Record<string, Job>;
}
const workflow = parse(workflowText) as Workflow;
const jobs = workflow.jobs;
const job = (name: string): Job => {
  const found = jobs[name];
  if (!found) throw new Error(`no job ${name}`);
  return found;
};
const action = (step: Step): string => step.uses?.split('@')[0] ?? '';
const stepsUsing = (j: Job, name: string): Step[] => j.steps.filter((s) => action(s) === name);
const stepWithId = (j: Job, id: string): Step => {
  const found = j.steps.find((s) => s.id === id);
  if (!found) throw new Error(`no step ${id}`);
  return found;
};
const UPLOAD_SARIF = 'github/codeql-action/upload-sarif';

// ------------------------------------------------------------------ schema

describe('audit-org.yml: schema', () => {
  test('is a valid GitHub workflow', () => {
    expect(validator.validateWorkflow(workflowText).errors).toEqual([]);
  });

  test.each([
    ['a misspelt strategy key', '    strategy:\n', '    strategie:\n'],
    ['a timeout that is no number', 'timeout-minutes: 170', 'timeout-minutes: long'],
    ['a permission level that does not exist', 'security-events: write', 'security-events: upload'],
    ['a job without runs-on', '  scan:\n    needs: discover\n    runs-on: ubuntu-latest\n', '  scan:\n    needs: discover\n'],
  ])('the validator rejects %s (it can fail)', (_label, from, to) => {
    const broken = workflowText.replace(from, to);
    expect(broken).not.toBe(workflowText);
    expect(validator.validateWorkflow(broken).errors.length).toBeGreaterThan(0);
  });
});

// ------------------------------------------------------------------ structure

describe('audit-org.yml: structure', () => {
  test('three jobs: discover, then scan (a matrix), then merge, which runs even when shards failed', () => {
    expect(Object.keys(jobs)).toEqual(['discover', 'scan', 'merge']);
    expect(job('discover').needs).toBeUndefined();
    expect(job('scan').needs).toBe('discover');
    expect(job('merge').needs).toEqual(['discover', 'scan']);
    // always(): a failed shard must not skip the merge, which reports its accounts as missing.
    expect(job('merge').if).toBe("always() && needs.discover.result == 'success'");
    expect(Object.keys(workflow.on).sort()).toEqual(['schedule', 'workflow_dispatch']);
    expect(workflow.defaults?.run?.shell).toBe('bash');
  });

  test('discover hands the matrix to scan as a job output, straight from `portolan accounts --matrix`', () => {
    expect(job('discover').outputs).toEqual({ matrix: '${{ steps.shards.outputs.matrix }}' });
    const shards = stepWithId(job('discover'), 'shards');
    expect(shards.run).toContain('matrix="$(npx portolan accounts --matrix "$PORTOLAN_SHARDS")"');
    expect(shards.run).toContain('echo "matrix=$matrix" >> "$GITHUB_OUTPUT"');
    expect(job('discover').steps.some((s) => s.run?.trim() === 'npx portolan accounts --out accounts.json')).toBe(true);
    const strategy = job('scan').strategy!;
    expect(strategy.matrix).toBe('${{ fromJSON(needs.discover.outputs.matrix) }}');
    expect(strategy['fail-fast']).toBe(false);
    expect(Number.isInteger(strategy['max-parallel']) && strategy['max-parallel']! > 0).toBe(true);
  });

  test('least privilege per job: nothing by default, id-token only where AWS is called, security-events only in merge', () => {
    expect(workflow.permissions).toEqual({});
    expect(job('discover').permissions).toEqual({ 'id-token': 'write', 'contents': 'read' });
    expect(job('scan').permissions).toEqual({ 'id-token': 'write', 'contents': 'read' });
    expect(job('merge').permissions).toEqual({ 'contents': 'read', 'security-events': 'write', 'actions': 'read' });
  });

  test('AWS through the OIDC caller role from a repository variable, in discover and scan only; no stored keys', () => {
    for (const name of ['discover', 'scan']) {
      const [aws, ...more] = stepsUsing(job(name), 'aws-actions/configure-aws-credentials');
      expect(more).toEqual([]);
      expect(aws?.uses).toBe('aws-actions/configure-aws-credentials@v4');
      expect(aws?.with?.['role-to-assume']).toBe('${{ vars.PORTOLAN_ORG_ROLE_ARN }}');
    }
    expect(stepsUsing(job('merge'), 'aws-actions/configure-aws-credentials')).toEqual([]);
    expect(workflowText).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY/);
    expect([...workflowText.matchAll(/secrets\.(\w+)/g)].map((m) => m[1])).toEqual(['PORTOLAN_EXTERNAL_ID']);
  });

  test('a scan job outlives neither its AWS session nor the caller role the template creates', () => {
    const scan = job('scan');
    const session = Number(stepsUsing(scan, 'aws-actions/configure-aws-credentials')[0]?.with?.['role-duration-seconds']);
    expect(scan['timeout-minutes']! * 60).toBeLessThan(session);
    const callerMax = Number(readTemplate(CALLER_TEMPLATE).template.Parameters?.['MaxSessionDuration']?.['Default']);
    expect(session).toBeLessThanOrEqual(callerMax);
  });

  test('no expression inside a script: matrix values, variables and secrets reach the shell through env, quoted', () => {
    for (const j of Object.values(jobs)) for (const s of j.steps) if (s.run !== undefined) expect(s.run).not.toContain('${{');
    const collect = stepWithId(job('scan'), 'collect');
    expect(collect.env).toMatchObject({ SHARD: '${{ matrix.shard }}', SHARD_ACCOUNTS: '${{ matrix.accounts }}', PORTOLAN_EXTERNAL_ID: '${{ secrets.PORTOLAN_EXTERNAL_ID }}' });
    expect(collect.run).toContain('npx portolan collect --org --accounts "$SHARD_ACCOUNTS" ');
    expect(collect.run).toContain('--external-id "$PORTOLAN_EXTERNAL_ID"');
    expect(collect.run).toContain('--out "shard-$SHARD.json"');
    expect(collect.run).toMatch(/case "\$code" in\s+0\) ;;\s+3\)/);
  });

  test('one artifact per shard, named after it; the merge takes them all by pattern into one folder, and the account list by name', () => {
    const [shardUpload, ...moreScan] = stepsUsing(job('scan'), 'actions/upload-artifact');
    expect(moreScan).toEqual([]);
    expect(shardUpload?.with).toMatchObject({ 'name': 'portolan-shard-${{ matrix.shard }}', 'path': 'shard-${{ matrix.shard }}.json', 'if-no-files-found': 'error' });
    const [accountsUpload] = stepsUsing(job('discover'), 'actions/upload-artifact');
    expect(accountsUpload?.with).toMatchObject({ name: 'portolan-accounts', path: 'accounts.json' });

    const downloads = stepsUsing(job('merge'), 'actions/download-artifact');
    expect(downloads.map((s) => s.with)).toEqual([
      { name: 'portolan-accounts', path: '.' },
      { 'pattern': 'portolan-shard-*', 'merge-multiple': true, 'path': 'shards' },
    ]);
    const pattern = globRegExp('portolan-shard-*');
    const names = stepsUsing(job('merge'), 'actions/upload-artifact').map((s) => String(s.with?.['name']));
    for (const other of ['portolan-accounts', ...names]) expect(pattern.test(other)).toBe(false);
    expect(pattern.test('portolan-shard-1-of-3')).toBe(true);
  });

  test('the merge runs the audit of the shards against the account list, keeps its code, and fails with it last', () => {
    const merge = job('merge');
    const audit = stepWithId(merge, 'audit');
    expect(audit.run).toContain(
      'npx portolan audit --input shards --expect-accounts accounts.json --policy baseline --fail-on "$PORTOLAN_FAIL_ON" --format json,sarif,markdown --out reports --category lightsail',
    );
    expect(audit.run).toContain('echo "exit-code=$code" >> "$GITHUB_OUTPUT"');
    const summary = merge.steps.find((s) => s.run?.includes('$GITHUB_STEP_SUMMARY') && s.run.includes('reports/portolan.md'));
    expect(summary?.if).toBe('always()');
    const reports = stepsUsing(merge, 'actions/upload-artifact')[0];
    expect(reports?.if).toBe('always()');
    expect(reports?.with?.['path']).toBe('reports/');
    const last = merge.steps.at(-1)!;
    expect(last.if).toBe('always()');
    expect(last.env).toEqual({ AUDIT_EXIT_CODE: '${{ steps.audit.outputs.exit-code }}' });
    expect(last.run).toContain('exit "$code"');
    const at = (s: Step | undefined): number => merge.steps.indexOf(s!);
    expect(at(audit)).toBeLessThan(at(summary));
    expect(at(summary)).toBeLessThan(at(stepsUsing(merge, UPLOAD_SARIF)[0]));
    expect(at(stepsUsing(merge, UPLOAD_SARIF).at(-1))).toBe(merge.steps.length - 2);
  });

  test('SARIF: as many upload steps as the grouping step expects, one folder each, the category left to each file', () => {
    const merge = job('merge');
    const grouping = stepWithId(merge, 'sarif');
    expect(grouping.if).toBe('always()');
    const uploads = stepsUsing(merge, UPLOAD_SARIF);
    expect(uploads.length).toBe(Number(grouping.env?.['SARIF_UPLOAD_STEPS']));
    uploads.forEach((step, i) => {
      expect(step.uses).toBe(`${UPLOAD_SARIF}@v3`);
      expect(step.if).toBe(`always() && steps.sarif.outputs.groups >= ${i + 1}`);
      // No `category` input: each file's automationDetails.id (lightsail/<account>/) is its category.
      expect(step.with).toEqual({ 'sarif_file': `sarif-upload/${i + 1}`, 'wait-for-processing': true });
    });
  });
});

// ------------------------------------------------------------------ a runner

function globRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

interface Contexts {
  vars: Record<string, string>;
  secrets: Record<string, string>;
  inputs: Record<string, string>;
  matrix?: Record<string, string>;
  steps: Record<string, Record<string, string>>;
}

/** `${{ a || b || 'literal' }}` over vars, secrets, inputs, matrix and steps: what this workflow's env and with values use; anything else throws. */
function evaluate(text: string, ctx: Contexts): string {
  return text.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_all, expr: string) => {
    for (const operand of expr.split('||').map((o) => o.trim())) {
      const value = operandValue(operand, ctx);
      if (value !== '') return value;
    }
    return '';
  });
}

function operandValue(operand: string, ctx: Contexts): string {
  const literal = /^'([^']*)'$/.exec(operand);
  if (literal) return literal[1]!;
  let m = /^(vars|secrets|inputs)\.([A-Za-z0-9_-]+)$/.exec(operand);
  if (m) return ctx[m[1] as 'vars' | 'secrets' | 'inputs'][m[2]!] ?? '';
  m = /^matrix\.([A-Za-z0-9_-]+)$/.exec(operand);
  if (m) {
    const value = ctx.matrix?.[m[1]!];
    if (value === undefined) throw new Error(`matrix.${m[1]!} is not in this job's matrix`);
    return value;
  }
  m = /^steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)$/.exec(operand);
  if (m) return ctx.steps[m[1]!]?.[m[2]!] ?? '';
  throw new Error(`expression not understood by this runner: ${operand}`);
}

interface JobRun {
  /** Whether a step failed. */
  failed: boolean;
  failedStep?: string;
  /** Each step's exit status, by id or name. */
  codes: Record<string, number>;
  steps: Record<string, Record<string, string>>;
  outputs: Record<string, string>;
  log: string;
  summary: string;
  /** The sarif_file of each upload-sarif step that would run. */
  sarifUploads: string[];
}

interface JobOptions {
  workspace: string;
  /** The artifact store of the workflow run: one folder per artifact. */
  artifacts: string;
  env: NodeJS.ProcessEnv;
  vars?: Record<string, string>;
  secrets?: Record<string, string>;
  matrix?: Record<string, string>;
}

function bash(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    // The runner's `shell: bash`: bash --noprofile --norc -eo pipefail {0}.
    execFile('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, out: stdout + stderr });
    });
  });
}

/**
 * Runs one job's steps as the runner would: `run` steps with bash, env from
 * the job and the step, a fresh GITHUB_OUTPUT per step; a step without `if`
 * runs only while no step failed, one with `if: always()` regardless.
 * `npm ci` is what the tests' build already did; checkout, setup-node and
 * configure-aws-credentials are what the environment gives (this checkout's
 * CLI as `npx portolan`, dummy credentials and the emulator as the AWS
 * endpoint); artifacts go to and come from a folder per artifact; upload-sarif
 * records which folder it would upload.
 */
async function runJob(j: Job, options: JobOptions): Promise<JobRun> {
  const ctx: Contexts = { vars: options.vars ?? {}, secrets: options.secrets ?? {}, inputs: {}, matrix: options.matrix, steps: {} };
  const work = mkdtempSync(join(tmpdir(), 'portolan-runner-'));
  const summaryFile = join(work, 'summary.md');
  writeFileSync(summaryFile, '');
  const run: JobRun = { failed: false, codes: {}, steps: ctx.steps, outputs: {}, log: '', summary: '', sarifUploads: [] };
  const jobEnv = Object.fromEntries(Object.entries(j.env ?? {}).map(([k, v]) => [k, evaluate(String(v), ctx)]));
  const fail = (label: string, code: number): void => {
    run.codes[label] = code;
    if (code !== 0 && !run.failed) {
      run.failed = true;
      run.failedStep = label;
    }
  };

  for (const [index, step] of j.steps.entries()) {
    const label = step.id ?? step.name ?? step.uses ?? `step ${index + 1}`;
    const uses = action(step);
    if (uses === UPLOAD_SARIF) {
      const cond = /^always\(\) && steps\.([\w-]+)\.outputs\.([\w-]+) >= (\d+)$/.exec(step.if ?? '');
      if (!cond) throw new Error(`${label}: if not understood by this runner: ${String(step.if)}`);
      const value = ctx.steps[cond[1]!]?.[cond[2]!] ?? '';
      if (Number(value || '0') >= Number(cond[3])) run.sarifUploads.push(String(step.with?.['sarif_file']));
      continue;
    }
    if (step.if !== undefined && step.if !== 'always()') throw new Error(`${label}: if not understood by this runner: ${step.if}`);
    if (run.failed && step.if !== 'always()') continue;
    const withValue = (key: string): string | undefined => (step.with?.[key] === undefined ? undefined : evaluate(String(step.with[key]), ctx));

    if (['actions/checkout', 'actions/setup-node', 'aws-actions/configure-aws-credentials'].includes(uses)) continue;
    if (uses === 'actions/upload-artifact') {
      const artifact = withValue('name')!;
      const source = join(options.workspace, withValue('path')!);
      const target = join(options.artifacts, artifact);
      if (existsSync(target) && withValue('overwrite') !== 'true') throw new Error(`${label}: artifact ${artifact} already exists`);
      if (!existsSync(source)) {
        if (withValue('if-no-files-found') === 'error') fail(label, 1);
        continue;
      }
      rmSync(target, { recursive: true, force: true });
      mkdirSync(target, { recursive: true });
      cpSync(source, statSync(source).isDirectory() ? target : join(target, basename(source)), { recursive: true });
      continue;
    }
    if (uses === 'actions/download-artifact') {
      const target = join(options.workspace, withValue('path') ?? '.');
      const single = withValue('name');
      const pattern = withValue('pattern');
      const names = single !== undefined ? [single] : readdirSync(options.artifacts).filter((n) => globRegExp(pattern!).test(n));
      if (single !== undefined && !existsSync(join(options.artifacts, single))) {
        fail(label, 1);
        continue;
      }
      for (const artifact of names) {
        const into = single !== undefined || withValue('merge-multiple') === 'true' ? target : join(target, artifact);
        mkdirSync(into, { recursive: true });
        cpSync(join(options.artifacts, artifact), into, { recursive: true });
      }
      continue;
    }
    if (uses !== '') throw new Error(`${label}: no stand-in for ${uses}`);
    if (step.run === undefined) throw new Error(`${label}: neither uses nor run`);
    if (step.run.trim() === 'npm ci') continue;

    const outputFile = join(work, `output-${index}`);
    writeFileSync(outputFile, '');
    const script = join(work, `step-${index}.sh`);
    writeFileSync(script, step.run);
    const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, evaluate(String(v), ctx)]));
    const result = await bash(script, options.workspace, {
      ...options.env,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: options.workspace,
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      ...jobEnv,
      ...stepEnv,
    });
    run.log += result.out;
    if (step.id) ctx.steps[step.id] = parseOutputFile(readFileSync(outputFile, 'utf8'));
    fail(label, result.code);
  }
  for (const [key, value] of Object.entries(j.outputs ?? {})) run.outputs[key] = evaluate(value, ctx);
  run.summary = readFileSync(summaryFile, 'utf8');
  rmSync(work, { recursive: true, force: true });
  return run;
}

// ------------------------------------------------------------------ the workflow, run

interface SarifLog {
  runs: Array<{ automationDetails?: { id: string }; invocations?: Array<{ executionSuccessful: boolean }>; results: Array<{ partialFingerprints?: Record<string, string> }> }>;
}

interface Shard {
  shard: string;
  accounts: string;
}

let emulator: RunningEmulator;
let root: string;
let env: NodeJS.ProcessEnv;
const vars = { PORTOLAN_SHARDS: '3' };
const secrets = { PORTOLAN_EXTERNAL_ID: DEMO_EXTERNAL_ID };
let discover: JobRun;
let shards: Shard[];
const scans: Record<string, JobRun> = {};
let failedShard: JobRun;
let unsharded: { code: number; dir: string; report: JsonReport };
let merged: MergeRun;
let missing: MergeRun;
let duplicate: MergeRun;

interface MergeRun {
  run: JobRun;
  workspace: string;
  report?: JsonReport;
}

/** A fresh copy of the artifact store, changed by `edit`, merged. */
async function merge(label: string, edit: (artifacts: string) => void, options: { vars?: Record<string, string> } = {}): Promise<MergeRun> {
  const artifacts = join(root, `artifacts-${label}`);
  cpSync(join(root, 'artifacts'), artifacts, { recursive: true });
  edit(artifacts);
  const workspace = join(root, `merge-${label}`);
  mkdirSync(workspace);
  const run = await runJob(job('merge'), { workspace, artifacts, env, vars: { ...vars, ...options.vars } });
  const json = join(workspace, 'reports/portolan.json');
  return { run, workspace, ...(existsSync(json) ? { report: readReport(json) } : {}) };
}

beforeAll(async () => {
  emulator = await startEmulator({ organization: demoOrganization() });
  root = mkdtempSync(join(tmpdir(), 'portolan-org-workflow-'));
  // `npx portolan` as the workflow runs it after `npm ci`: this checkout's built CLI.
  const bin = join(root, 'bin');
  mkdirSync(bin);
  writeFileSync(
    join(bin, 'npx'),
    `#!/bin/sh\n[ "$1" = portolan ] || { echo "npx stand-in: only portolan, not $1" >&2; exit 127; }\nshift\nexec "${process.execPath}" "${CLI}" "$@"\n`,
  );
  chmodSync(join(bin, 'npx'), 0o755);
  // What configure-aws-credentials leaves behind, with the emulator as every service's endpoint.
  env = isolatedEnv({ PATH: `${bin}:${process.env.PATH ?? ''}`, AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: emulator.url });
  const artifacts = join(root, 'artifacts');
  mkdirSync(artifacts);

  const discoverWorkspace = join(root, 'discover');
  mkdirSync(discoverWorkspace);
  discover = await runJob(job('discover'), { workspace: discoverWorkspace, artifacts, env, vars, secrets });
  if (discover.failed) throw new Error(`discover failed at ${discover.failedStep ?? '?'}:\n${discover.log}`);
  shards = (JSON.parse(discover.outputs['matrix'] ?? '{}') as { include?: Shard[] }).include ?? [];

  // The matrix jobs run side by side, as on GitHub, each in its own workspace.
  const scanOne = async (shard: Shard, store: string, scanSecrets: Record<string, string>, label: string): Promise<JobRun> => {
    const workspace = join(root, `scan-${label}`);
    mkdirSync(workspace);
    return runJob(job('scan'), { workspace, artifacts: store, env, vars, secrets: scanSecrets, matrix: { shard: shard.shard, accounts: shard.accounts } });
  };
  const unshardedDir = join(root, 'unsharded');
  const [runs, failed, full] = await Promise.all([
    Promise.all(shards.map((s) => scanOne(s, artifacts, secrets, s.shard))),
    // A shard that fails outright (here: no external id, so collect refuses to start) leaves no artifact.
    shards[0] ? scanOne(shards[0], join(root, 'artifacts-unused'), {}, 'failing') : Promise.reject(new Error('no shard')),
    runCli(['audit', '--org', '--external-id', DEMO_EXTERNAL_ID, '--policy', 'baseline', '--format', 'json,sarif,markdown', '--out', unshardedDir, '--category', 'lightsail'], { env }),
  ]);
  shards.forEach((s, i) => (scans[s.shard] = runs[i]!));
  failedShard = failed;
  unsharded = { code: full.code, dir: unshardedDir, report: readReport(join(unshardedDir, 'portolan.json')) };

  [merged, missing, duplicate] = await Promise.all([
    merge('complete', () => undefined),
    // The first shard failed outright: its artifact never existed. --fail-on none shows the coverage status alone.
    merge('missing', (store) => {
      rmSync(join(store, `portolan-shard-${shards[0]!.shard}`), { recursive: true });
    }, { vars: { PORTOLAN_FAIL_ON: 'none' } }),
    // The same shard uploaded twice under two names (a re-run with another shard count, say).
    merge('duplicate', (store) => {
      const name = shards[0]!.shard;
      mkdirSync(join(store, `portolan-shard-${name}-again`));
      cpSync(join(store, `portolan-shard-${name}`, `shard-${name}.json`), join(store, `portolan-shard-${name}-again`, `shard-${name}-again.json`));
    }),
  ]);
}, 60_000);

afterAll(async () => {
  await emulator.close();
  rmSync(root, { recursive: true, force: true });
});

const fingerprints = (report: JsonReport | undefined): string[] => (report?.findings ?? []).map((f) => f.fingerprint);
/** Account names and OU paths come from discovery (see the test that compares them). */
const withoutNames = (coverage: JsonReport['coverage'] | undefined): unknown =>
  coverage && { ...coverage, accounts: coverage.accounts?.map(({ name: _name, ouPath: _ouPath, ...rest }: { name?: string; ouPath?: string }) => rest) };
const sarifFiles = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.sarif')).sort() : []);
const sarifOf = (account: string): string => `portolan-${account}.sarif`;

describe('discover, as the workflow runs it', () => {
  test('writes accounts.json (every account, its state) as an artifact and the matrix as a job output', () => {
    expect(discover.failed).toBe(false);
    const accounts = readJson<{ accounts: Array<{ id: string; status: string }> }>(join(root, 'artifacts/portolan-accounts/accounts.json')).accounts;
    expect(accounts.map((a) => `${a.id} ${a.status}`)).toEqual(Object.values(DEMO_ACCOUNTS).map((id) => `${id} ${id === DEMO_ACCOUNTS.legacy ? 'SUSPENDED' : 'ACTIVE'}`));
    // PORTOLAN_SHARDS=3 over the five active accounts; the suspended one is in no shard.
    expect(shards).toEqual([
      { shard: '1-of-3', accounts: `${DEMO_ACCOUNTS.management},${DEMO_ACCOUNTS.shop}` },
      { shard: '2-of-3', accounts: `${DEMO_ACCOUNTS.data},${DEMO_ACCOUNTS.staging}` },
      { shard: '3-of-3', accounts: DEMO_ACCOUNTS.sandbox },
    ]);
  });
});

describe('scan, one job per shard', () => {
  test('each shard job passes and uploads one artifact, named after its shard, holding exactly its accounts', () => {
    const artifacts = readdirSync(join(root, 'artifacts')).sort();
    expect(artifacts).toEqual(['portolan-accounts', ...shards.map((s) => `portolan-shard-${s.shard}`)]);
    for (const shard of shards) {
      const run = scans[shard.shard]!;
      expect(run.failedStep).toBeUndefined();
      const files = readdirSync(join(root, 'artifacts', `portolan-shard-${shard.shard}`));
      expect(files).toEqual([`shard-${shard.shard}.json`]);
      const inventory = readJson<{ accounts: Array<{ id: string }> }>(join(root, 'artifacts', `portolan-shard-${shard.shard}`, files[0]!));
      expect(inventory.accounts.map((a) => a.id).join(',')).toBe(shard.accounts);
    }
  });

  test('exit 3 (a region could not be read) passes the step: the gaps are in the file, with a warning', () => {
    expect(scans['1-of-3']?.steps['collect']).toEqual({ 'exit-code': '0' });
    expect(scans['2-of-3']?.steps['collect']).toEqual({ 'exit-code': '3' });
    expect(scans['2-of-3']?.log).toContain('::warning::shard 2-of-3: something could not be read');
    expect(['0', '3']).toContain(scans['3-of-3']?.steps['collect']?.['exit-code']);
  });

  // The sandbox account's role cannot be assumed: its shard is incomplete.
  test('a shard whose only account could not be assumed is not "complete" (collect exits 3)', () => {
    expect(scans['3-of-3']?.steps['collect']).toEqual({ 'exit-code': '3' });
  });

  test('a shard that fails outright fails its job, says which accounts the merge will miss, and uploads nothing', () => {
    expect(failedShard.failedStep).toBe('collect');
    expect(failedShard.steps['collect']).toEqual({ 'exit-code': '2' });
    expect(failedShard.log).toContain(`::error::shard 1-of-3: collect exited 2 and wrote nothing usable; the merge reports accounts ${shards[0]!.accounts} as not read (ShardMissing)`);
    expect(existsSync(join(root, 'artifacts-unused'))).toBe(false);
  });
});

describe('merge: the shards audited as one organization', () => {
  test('the same exit status, findings and coverage as the unsharded `audit --org`', () => {
    expect(unsharded.code).toBe(1);
    expect(merged.run.steps['audit']).toEqual({ 'exit-code': String(unsharded.code) });
    expect(fingerprints(merged.report)).toEqual(fingerprints(unsharded.report));
    expect(fingerprints(merged.report).length).toBeGreaterThan(10);
    expect(withoutNames(merged.report?.coverage)).toEqual(withoutNames(unsharded.report.coverage));
    expect(merged.report?.summary).toEqual(unsharded.report.summary);
  });

  // The shards were collected with --accounts, which calls no Organizations API:
  // the names and OU paths come from the account list --expect-accounts reads.
  test('account names and OU paths too, as discovery gave them', () => {
    expect(merged.report?.coverage).toEqual(unsharded.report.coverage);
  });

  test('the same SARIF files, one per account, each with the same results and its own category', () => {
    const dir = join(merged.workspace, 'reports');
    expect(sarifFiles(dir)).toEqual(sarifFiles(unsharded.dir));
    for (const file of sarifFiles(dir)) {
      const a = readJson<SarifLog>(join(dir, file)).runs[0]!;
      const b = readJson<SarifLog>(join(unsharded.dir, file)).runs[0]!;
      expect(a.automationDetails).toEqual(b.automationDetails);
      expect(a.results.map((r) => r.partialFingerprints)).toEqual(b.results.map((r) => r.partialFingerprints));
    }
  });

  test('the Markdown report goes to the job summary and the reports to an artifact; the job fails last, with the audit code', () => {
    const markdown = readFileSync(join(merged.workspace, 'reports/portolan.md'), 'utf8');
    expect(merged.run.summary.startsWith(markdown)).toBe(true);
    expect(readdirSync(join(root, 'artifacts-complete', 'portolan-reports')).sort()).toEqual(readdirSync(join(merged.workspace, 'reports')).sort());
    expect(merged.run.failedStep).toBe('Fail on findings or incomplete coverage');
    expect(merged.run.codes['Fail on findings or incomplete coverage']).toBe(1);
  });

  test('SARIF uploads: accounts read completely, at most 20 runs an upload, distinct categories, valid; the others held back', () => {
    expect(merged.run.steps['sarif']).toEqual({ groups: '1' });
    expect(merged.run.sarifUploads).toEqual(['sarif-upload/1']);
    const dir = join(merged.workspace, 'sarif-upload/1');
    expect(sarifFiles(dir)).toEqual([DEMO_ACCOUNTS.management, DEMO_ACCOUNTS.shop, DEMO_ACCOUNTS.staging].map(sarifOf));
    const categories = sarifFiles(dir).flatMap((file) => {
      const log = readJson<SarifLog>(join(dir, file));
      expect(allSarifErrors(log)).toEqual([]);
      expect(log.runs.every((r) => r.invocations?.every((i) => i.executionSuccessful))).toBe(true);
      return log.runs.map((r) => r.automationDetails?.id);
    });
    expect(categories).toEqual([DEMO_ACCOUNTS.management, DEMO_ACCOUNTS.shop, DEMO_ACCOUNTS.staging].map((id) => `lightsail/${id}/`));
    // data-prod has a region it may not read, sandbox could not be assumed: an
    // upload would close their unread alerts as fixed.
    for (const account of [DEMO_ACCOUNTS.data, DEMO_ACCOUNTS.sandbox]) {
      expect(merged.run.log).toContain(`::warning::${sarifOf(account)} not uploaded to code scanning`);
      expect(merged.run.summary).toContain(sarifOf(account));
    }
  });
});

describe('merge with a shard that failed outright', () => {
  test('its accounts are not read (ShardMissing), never a smaller clean organization: exit 3, and the job fails with it', () => {
    const lost = shards[0]!.accounts.split(',');
    expect(missing.run.steps['audit']).toEqual({ 'exit-code': '3' });
    expect(missing.run.codes['Fail on findings or incomplete coverage']).toBe(3);
    const coverage = missing.report!.coverage;
    expect(coverage.complete).toBe(false);
    const byId = new Map(coverage.accounts?.map((a) => [a.id, a]));
    for (const id of lost) {
      expect(byId.get(id)?.status).toBe('error');
      expect(byId.get(id)?.error?.code).toBe('ShardMissing');
    }
    expect(coverage.accounts?.map((a) => a.id)).toEqual(unsharded.report.coverage.accounts?.map((a) => a.id));
    expect(missing.report!.findings.some((f) => lost.includes(f.instance.accountId ?? ''))).toBe(false);
    expect(fingerprints(missing.report)).toEqual(fingerprints(unsharded.report).filter((fp) => !unsharded.report.findings.some((f) => f.fingerprint === fp && lost.includes(f.instance.accountId ?? ''))));
    expect(readFileSync(join(missing.workspace, 'reports/portolan.md'), 'utf8')).toMatch(/\*\*not read\*\* \(ShardMissing\)/);
  });

  test('the missing accounts are not uploaded to code scanning, so their alerts stay open', () => {
    expect(missing.run.sarifUploads).toEqual(['sarif-upload/1']);
    expect(sarifFiles(join(missing.workspace, 'sarif-upload/1'))).toEqual([sarifOf(DEMO_ACCOUNTS.staging)]);
    for (const id of shards[0]!.accounts.split(',')) expect(missing.run.log).toContain(`::warning::${sarifOf(id)} not uploaded`);
  });
});

describe('merge with a shard counted twice', () => {
  test('exit 2 naming both files; nothing written, nothing uploaded, the job fails with 2', () => {
    const name = shards[0]!.shard;
    expect(duplicate.run.steps['audit']).toEqual({ 'exit-code': '2' });
    expect(duplicate.run.log).toContain(`account "${DEMO_ACCOUNTS.management}" is in both shards/shard-${name}-again.json and shards/shard-${name}.json`);
    expect(duplicate.report).toBeUndefined();
    expect(duplicate.run.steps['sarif']).toEqual({ groups: '0' });
    expect(duplicate.run.sarifUploads).toEqual([]);
    expect(duplicate.run.summary).toBe('');
    expect(duplicate.run.codes['Fail on findings or incomplete coverage']).toBe(2);
  });
});

describe('SARIF grouping for a large organization', () => {
  const runGrouping = async (accounts: number, incomplete: number, steps?: number): Promise<{ run: JobRun; workspace: string }> => {
    const workspace = mkdtempSync(join(root, 'grouping-'));
    mkdirSync(join(workspace, 'reports'));
    for (let i = 0; i < accounts; i++) {
      const id = String(100000000000 + i);
      const log = { version: '2.1.0', runs: [{ automationDetails: { id: `lightsail/${id}/` }, invocations: [{ executionSuccessful: i >= incomplete }], results: [] }] };
      writeFileSync(join(workspace, 'reports', sarifOf(id)), JSON.stringify(log));
    }
    // Only the grouping step and the upload steps (as many as it is told there are).
    const j = job('merge');
    const grouping = stepWithId(j, 'sarif');
    const uploads = stepsUsing(j, UPLOAD_SARIF).slice(0, steps ?? Infinity);
    const onlyGrouping: Job = { ...j, env: {}, steps: [{ ...grouping, env: { ...grouping.env, ...(steps === undefined ? {} : { SARIF_UPLOAD_STEPS: steps }) } }, ...uploads] };
    return { run: await runJob(onlyGrouping, { workspace, artifacts: join(workspace, 'none'), env }), workspace };
  };

  test('47 accounts, 2 of them incomplete: uploads of 20, 20 and 5 runs, each in its own folder', async () => {
    const { run, workspace } = await runGrouping(47, 2);
    expect(run.failed).toBe(false);
    expect(run.steps['sarif']).toEqual({ groups: '3' });
    expect(run.sarifUploads).toEqual(['sarif-upload/1', 'sarif-upload/2', 'sarif-upload/3']);
    expect(run.sarifUploads.map((d) => sarifFiles(join(workspace, d)).length)).toEqual([20, 20, 5]);
    expect(run.log).toContain('45 SARIF files in 3 uploads of at most 20 runs; 2 held back');
  });

  test('more groups than upload steps fails loudly, after the steps there are have uploaded', async () => {
    const { run } = await runGrouping(41, 0, 2);
    expect(run.failedStep).toBe('sarif');
    expect(run.log).toContain('::error::3 SARIF uploads are needed but the workflow has 2 upload steps');
    expect(run.sarifUploads).toEqual(['sarif-upload/1', 'sarif-upload/2']);
  });
});
