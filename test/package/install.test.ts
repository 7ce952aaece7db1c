// The package as users install it: `npm pack`, an install into an empty
// project with no network (`npm ci --offline` from the npm cache), and the
// installed `portolan` run from there: packs by name, stdin, stdout reports,
// a closed stdout, policy mistakes, the bundled emulator, and the GitHub
// Action's steps, both with the project's own portolan and installing the
// pinned version from a registry (one on 127.0.0.1). One pack and one install
// for the whole file.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { expectNoStack, isolatedEnv, REPO, type JsonReport } from '../cli/run-cli.js';
import { runAction } from '../github/run-action.js';
import { installOffline, npmConfig, npmEnv, packRepo, repoPackage, run, startLocalRegistry, writeOfflineProject, type NpmConfig, type Packed, type Run } from './offline.js';

let dir: string;
let project: string;
let bin: string;
let packed: Packed;
let config: NpmConfig;
let install: Run;
const version = repoPackage().version;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'portolan-package-'));
  project = join(dir, 'project');
  mkdirSync(project);
  [packed, config] = await Promise.all([packRepo(dir), npmConfig()]);
  writeOfflineProject(project, packed.tarball, config.registry);
  install = await installOffline(project);
  if (install.code !== 0) throw new Error(`npm ci --offline failed (${install.code}):\n${install.stderr}`);
  bin = join(project, 'node_modules/.bin/portolan');
  const demo = await portolan(['demo', '--save-inventory', 'inventory.json', '--quiet', '--out', 'demo-reports']);
  if (demo.code !== 0) throw new Error(`portolan demo failed (${demo.code}):\n${demo.stderr}`);
}, 120_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The installed binary, run from the user's project. */
function portolan(args: string[], stdin?: string): Promise<Run> {
  return run(bin, args, { cwd: project, env: isolatedEnv(), ...(stdin === undefined ? {} : { stdin }) });
}

function report(path: string): JsonReport {
  return JSON.parse(readFileSync(join(project, path), 'utf8')) as JsonReport;
}

describe('the tarball', () => {
  test('holds the CLI, every rule pack, the policy reference, LICENSE and README, and no sources, tests, maps or benchmarks', () => {
    const files = packed.files;
    for (const f of ['dist/cli/main.js', 'docs/policy.md', 'deploy/portolan-member-role.yaml', 'deploy/portolan-org-caller-role.yaml', 'LICENSE', 'README.md', 'package.json']) expect(files).toContain(f);
    const packs = readdirSync(join(REPO, 'rules')).filter((f) => f.endsWith('.yaml'));
    expect(packs.length).toBeGreaterThanOrEqual(3);
    for (const p of packs) expect(files).toContain(`rules/${p}`);
    expect(files.filter((f) => /^(src|test|dist\/bench|reports|\.github|node_modules)\//.test(f) || f.endsWith('.map') || (f.endsWith('.ts') && !f.endsWith('.d.ts')))).toEqual([]);
    expect(files.filter((f) => f.startsWith('dist/')).every((f) => f.endsWith('.js') || f.endsWith('.d.ts'))).toBe(true);
  });

  test('installs offline with its production dependencies only, and the bin is executable', () => {
    const top = readdirSync(join(project, 'node_modules'));
    expect(top).toContain('portolan');
    expect(top).toContain('@aws-sdk');
    for (const dev of ['jest', 'typescript', 'eslint', 'ts-jest', 'fast-check', '@action-validator']) expect(top).not.toContain(dev);
    expect(statSync(bin).mode & 0o111).not.toBe(0);
    const installed = JSON.parse(readFileSync(join(project, 'node_modules/portolan/package.json'), 'utf8')) as { version: string };
    expect(installed.version).toBe(version);
  });
});

describe('the installed portolan', () => {
  test('npx portolan runs the installed version', async () => {
    const r = await run('npx', ['--no-install', 'portolan', '--version'], { cwd: project, env: npmEnv({ npm_config_offline: 'true' }) });
    expect(r).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  test('--policy baseline and --policy strict name the packs inside the package, from the user\'s project', async () => {
    const [baseline, strict] = await Promise.all([
      portolan(['audit', '--policy', 'baseline', '--input', 'inventory.json', '--out', 'r-baseline']),
      portolan(['audit', '--policy', 'strict', '--input', 'inventory.json', '--out', 'r-strict']),
    ]);
    expect(baseline.code).toBe(1);
    expect(strict.code).toBe(1);
    expectNoStack(baseline.stderr);
    const b = report('r-baseline/portolan.json');
    const s = report('r-strict/portolan.json');
    expect(b.policy.path).toBe('node_modules/portolan/rules/baseline.yaml');
    expect(s.policy.path).toBe('node_modules/portolan/rules/strict.yaml');
    expect(new Set(b.findings.map((f) => f.ruleId))).toContain('ssh-rdp-world');
    expect(new Set(s.findings.map((f) => f.ruleId))).toEqual(new Set(['only-web-and-ping-public']));
    expect(baseline.stdout).toContain(`Portolan ${version}: policy node_modules/portolan/rules/baseline.yaml`);
  });

  test('--input - reads the inventory from stdin, with the same findings as the file', async () => {
    const inventory = readFileSync(join(project, 'inventory.json'), 'utf8');
    const [fromStdin, fromFile] = await Promise.all([
      portolan(['audit', '--input', '-', '--out', 'r-stdin', '--format', 'json', '--now', '2026-12-01T00:00:00Z'], inventory),
      portolan(['audit', '--input', 'inventory.json', '--out', 'r-file', '--format', 'json', '--now', '2026-12-01T00:00:00Z']),
    ]);
    expect([fromStdin.code, fromFile.code]).toEqual([1, 1]);
    const a = report('r-stdin/portolan.json');
    const b = report('r-file/portolan.json');
    expect(a.findings.length).toBeGreaterThan(0);
    expect(a.findings).toEqual(b.findings);
  });

  test('audit --format json --out -: the report on stdout, the summary on stderr', async () => {
    const r = await portolan(['audit', '--input', 'inventory.json', '--format', 'json', '--out', '-']);
    expect(r.code).toBe(1);
    const parsed = JSON.parse(r.stdout) as JsonReport;
    expect(parsed.version).toBe(1);
    expect(parsed.findings.length).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/^Findings: \d+ critical/m);
  });

  test('rules and explain read the bundled packs', async () => {
    const [rules, explain] = await Promise.all([portolan(['rules']), portolan(['explain', 'ssh-rdp-world'])]);
    expect(rules.code).toBe(0);
    expect(rules.stdout).toMatch(/ssh-rdp-world/);
    expect(rules.stdout).toMatch(/database-ports-public/);
    expect(explain.code).toBe(0);
    expect(explain.stdout).toContain('ssh-rdp-world');
    expect(explain.stdout).toContain('close-instance-public-ports');
  });

  test('a reader that closes stdout: the audit keeps its own status, stderr stays empty', async () => {
    const child = spawn(bin, ['audit', '--input', 'inventory.json', '--out', 'r-closed'], { cwd: project, env: isolatedEnv(), stdio: 'pipe' });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(1);
    expect(stderr).toBe('');
    expect(existsSync(join(project, 'r-closed/portolan.json'))).toBe(true);
  });

  test('validate names the mistake as file:line:col and exits 2', async () => {
    writeFileSync(join(project, 'policy.yaml'), 'version: 1\nextends: [baseline]\nrules:\n  - id: ssh-office\n    title: SSH from outside the office\n    match:\n      protcol: tcp\n');
    const r = await portolan(['validate', 'policy.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^policy\.yaml:7:7: unknown key "protcol" in rules\[0\]\.match \(did you mean "protocol"\?\)/m);
    expectNoStack(r.stderr);
  });
});

describe('the GitHub Action with the installed package', () => {
  let emulator: ChildProcess | undefined;
  afterAll(() => {
    emulator?.kill('SIGTERM');
  });

  test('the project\'s own portolan, against its bundled emulator', async () => {
    emulator = spawn(bin, ['emulator', '--inventory', 'inventory.json'], { cwd: project, env: isolatedEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    const lines = createInterface({ input: emulator.stdout! });
    const first = await new Promise<string>((resolve) => lines.once('line', resolve));
    const url = /http:\/\/127\.0\.0\.1:\d+/.exec(first)?.[0];
    expect(url).toBeDefined();

    const run = await runAction({ workspace: project, env: isolatedEnv({ AWS_REGION: 'us-east-1' }), inputs: { args: `--endpoint-url ${url!}`, out: 'r-action' } });
    expect([run.code, run.failedStep]).toEqual([0, undefined]);
    expect(run.stdout).toContain('Using the portolan installed in working-directory');
    expect(run.steps['portolan']?.['version']).toBe(version);
    // Live through the emulator: one region cannot be read and findings fail at high, so 1.
    expect(run.outputs['exit-code']).toBe('1');
    const r = report(run.outputs['json-file']!);
    expect(r.source).toMatch(/^live\b/);
    expect(r.coverage.complete).toBe(false);
    expect(run.outputs['findings']).toBe(String(r.findings.filter((f) => !f.suppressed).length));
    expect(JSON.parse(readFileSync(join(project, run.outputs['sarif-file']!), 'utf8'))).toMatchObject({ version: '2.1.0' });
    expect(readFileSync(join(project, run.outputs['markdown-file']!), 'utf8')).toContain('ssh-rdp-world');
  });

  test('no portolan in the workspace: the pinned version is installed under RUNNER_TEMP from the registry, nothing in the workspace', async () => {
    const registry = await startLocalRegistry(packed.tarball, config.cache);
    try {
      const workspace = join(dir, 'bare-repo');
      const runnerTemp = join(dir, 'runner-temp');
      mkdirSync(workspace);
      writeFileSync(join(workspace, 'inventory.json'), readFileSync(join(project, 'inventory.json')));
      writeFileSync(join(dir, 'empty-npmrc'), '');
      const env = isolatedEnv({
        npm_config_registry: registry.url,
        npm_config_cache: join(dir, 'fresh-npm-cache'),
        npm_config_userconfig: join(dir, 'empty-npmrc'),
        npm_config_update_notifier: 'false',
      });
      const first = await runAction({ workspace, runnerTemp, env, inputs: { args: '--input inventory.json' } });
      expect([first.code, first.failedStep]).toEqual([0, undefined]);
      expect(first.stdout).toContain(`Installing portolan@${version}`);
      expect(registry.requests).toContain('/portolan');
      expect(registry.requests).toContain('/-/tarballs/1.tgz');
      expect(first.steps['portolan']?.['bin']).toBe(join(runnerTemp, `portolan-${version}/node_modules/.bin/portolan`));
      expect(first.outputs['exit-code']).toBe('1');
      expect(Number(first.outputs['findings'])).toBeGreaterThan(0);
      expect(readdirSync(workspace, { recursive: true }).map(String).sort()).toEqual(['inventory.json', 'reports', 'reports/portolan.json', 'reports/portolan.md', 'reports/portolan.sarif']);

      // A second run in the same job uses what the first installed.
      const asked = registry.requests.length;
      const second = await runAction({ workspace, runnerTemp, env, inputs: { 'args': '--input inventory.json', 'fail-on': 'none' } });
      expect([second.code, second.outputs['exit-code']]).toEqual([0, '3']);
      expect(second.stdout).not.toContain('Installing');
      expect(registry.requests).toHaveLength(asked);
    } finally {
      await registry.close();
    }
  }, 60_000);
});
